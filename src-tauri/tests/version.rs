//! `uniasset-desktop --version` answers from the command line, before any window (so with no
//! display) and before a running copy could take the arguments over.

use std::process::Command;

#[test]
fn prints_the_workspace_version_without_a_display() {
    let out = Command::new(env!("CARGO_BIN_EXE_uniasset-desktop"))
        .arg("--version")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("DBUS_SESSION_BUS_ADDRESS")
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("UniAsset Desktop {}\n", env!("CARGO_PKG_VERSION"))
    );
}
