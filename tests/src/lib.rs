//! Integration tests of krb live in tests/tests/; this library holds what they share.

use std::process::Command;

/// Removes the variables cargo sets for a running test (`CARGO_MANIFEST_DIR`, `CARGO_PKG_*`,
/// ...) from a command that runs cargo on another workspace. Build scripts track some of them
/// (ring's tracks `CARGO_MANIFEST_DIR`), so inheriting them makes the next build outside the
/// test rebuild those crates, and that build makes the test's build rebuild them again.
pub fn scrub_cargo_env(cmd: &mut Command) -> &mut Command {
    const SET_BY_CARGO: [&str; 6] = [
        "CARGO_BIN_NAME",
        "CARGO_CRATE_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_RUSTC_CURRENT_DIR",
        "CARGO_TARGET_TMPDIR",
        "OUT_DIR",
    ];
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if SET_BY_CARGO.contains(&name)
            || name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
        {
            cmd.env_remove(name);
        }
    }
    cmd
}
