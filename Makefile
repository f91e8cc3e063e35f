.PHONY: run test package

# Installs what is needed and starts the app (data in the platform's app data folder,
# or pass ARGS="--data-dir DIR").
run:
	scripts/run.sh $(ARGS)

# Runs every test: Rust, front end, and end to end through the real window.
test:
	scripts/test.sh

# Builds the Linux packages (.deb and .rpm) into target/release/bundle/.
package:
	scripts/package.sh
