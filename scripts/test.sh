#!/usr/bin/env bash
# Every test, in order: Rust (core, CLI, shell), front end (types, unit tests), the
# end-to-end tests through the real window under Xvfb, then the packages, built and the .deb
# installed and smoke-tested, then the benchmarks' figures, and last an update from one
# package to the next. Prints each stage's time.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"

stage() {
  local name=$1; shift
  echo "==> $name"
  local start=$SECONDS
  "$@"
  echo "<== $name: $((SECONDS - start)) s"
  timings+=("$(printf '%-34s %5d s' "$name" $((SECONDS - start)))")
}

# A stage that runs beside the ones after it, its output kept until `finish` waits for it.
beside() {
  local name=$1; shift
  echo "==> $name (beside the next stages)"
  beside_start=$SECONDS
  beside_log=$(mktemp)
  "$@" >"$beside_log" 2>&1 &
  beside_pid=$!
}
finish() {
  local name=$1 status=0
  wait "$beside_pid" || status=$?
  cat "$beside_log"
  rm -f "$beside_log"
  echo "<== $name: $((SECONDS - beside_start)) s (beside other stages)"
  timings+=("$(printf '%-34s %5d s' "$name (beside)" $((SECONDS - beside_start)))")
  return "$status"
}
# A failed stage ends the run; what runs beside it ends with it.
trap 'jobs -p | xargs -r kill 2>/dev/null' EXIT

timings=()
total_start=$SECONDS

stage "install dependencies" scripts/deps.sh --test
stage "rust format" cargo fmt --all -- --check

# Clippy lints the workspace's crates as they compile for the tests, the app and the
# package: clippy-driver is rustc plus clippy's lints (`cargo clippy` is this wrapper over
# `cargo check`), and cargo applies it to workspace members only. So no stage compiles the
# workspace a second time just to lint it; any warning, rustc's or clippy's, fails the
# build. The same flags for every stage, so each reuses what the one before compiled.
export RUSTC_WORKSPACE_WRAPPER=clippy-driver
# mold links the many large test and app binaries in a fraction of GNU ld's time.
export RUSTFLAGS="-D warnings -C link-arg=-fuse-ld=mold"
# The end-to-end tests drive the scheduler's clock (feature test-clock); the tests are
# built with it too, so the app the end-to-end tests start is the one already built.
features=(--features uniasset-desktop/test-clock)

# The shell embeds ui/dist at compile time, so the front end is built before any Rust.
stage "front-end build" npm --prefix ui run build

# What the tests run is compiled (and so linted) here. The benchmarks are compiled, and
# linted, once: in release, beside the tests, where they run at the end.
stage "rust build and lints" cargo test --workspace --lib --bins --tests "${features[@]}" --no-run
# The release build (the packages, the benchmarks) compiles beside the tests, which leave
# a core idle much of the time; cargo locks the two profiles' builds apart. Not beside the
# Rust build above: two builds sharing two cores took longer than one after the other.
# The benchmarks are built with the app and the CLI selected, so their dependencies
# resolve to the same features as the release build's and are not compiled a second time.
release_build() {
  cargo build --release -p uniasset-desktop -p uniasset-cli
  cargo bench -p uniasset-core -p uniasset-desktop -p uniasset-cli --bench sync_cost --bench check_cost \
    --bench process_cost --no-run
}
beside "release build" release_build
# The Entra tests keep the client secret in the real Secret Service keychain: a private
# D-Bus session with an unlocked gnome-keyring.
stage "rust tests" scripts/with-keyring.sh cargo test --workspace --lib --bins --tests "${features[@]}"
# The core's tests regenerate ui/src/bindings from the Rust types; the type check below
# then proves the front end still matches them.
stage "front-end type check" npm --prefix ui run check
stage "front-end unit tests" npm --prefix ui test
# The tests' build made the binaries these start (the app with test-clock, the CLI, the Graph
# simulator): cargo builds a package's binaries for its integration tests. Each test starts
# its own D-Bus session, keyring, tauri-driver and Graph simulator. They run beside the
# release build: they must hold on a busy machine.
stage "end-to-end tests" xvfb-run -a -s "-screen 0 1280x800x24" tests/e2e/.venv/bin/pytest tests/e2e -q -rA

finish "release build"
# The .deb and .rpm as `make package` builds them (its release build is the one above), then
# the .deb installed with apt: the installed binaries' --version, the installed app through
# the demo to a successful Sync Now, and the user's data still there after the package is
# removed.
stage "package" scripts/package.sh --no-deps
stage "installed package" xvfb-run -a -s "-screen 0 1280x800x24" tests/e2e/.venv/bin/pytest \
  tests/package/test_installed_package.py -q -rA
# Figures, not assertions, from the release build, each on an otherwise idle machine: the
# window's speed at 10,000 people and with 1,000 runs (launch, Users search, the Entra
# page), memory in the tray, and the sync's and the frequent checks' cost.
stage "window benchmark" xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-keyring.sh \
  tests/e2e/.venv/bin/python scripts/bench-window.py target/release/uniasset-desktop \
  --cli target/release/uniasset --graph-sim target/debug/graph-sim
stage "tray memory" xvfb-run -a -s "-screen 0 1280x800x24" scripts/with-keyring.sh \
  tests/e2e/.venv/bin/python scripts/measure-app.py target/release/uniasset-desktop
benches=(-p uniasset-core -p uniasset-desktop -p uniasset-cli)
stage "sync cost benchmark" scripts/with-keyring.sh cargo bench "${benches[@]}" --bench sync_cost
stage "frequent check benchmark" scripts/with-keyring.sh cargo bench "${benches[@]}" --bench check_cost
# Issue 27's table: the owner's commands as processes on a 100,000-user tenant, beside
# each one's network floor.
stage "process cost benchmark" scripts/with-keyring.sh cargo bench "${benches[@]}" --bench process_cost
# Issue 28: the installed app finds, verifies and installs a newer package from a signed
# feed on 127.0.0.1, and refuses one signed with another key. It builds two packages (the app
# again, twice, with the test's signing key), so it comes last: it leaves target/release
# with the test's build.
stage "update from a feed" xvfb-run -a -s "-screen 0 1280x800x24" tests/e2e/.venv/bin/pytest \
  tests/package/test_update.py -q -rA

echo
echo "Stage times:"
printf '  %s\n' "${timings[@]}"
echo "  total                              $((SECONDS - total_start)) s"
