//! Compile-and-run tier: every golden project under testdata/ builds against this checkout,
//! is rustfmt- and clippy-clean, passes its own tests, and its kustomizations render.
//!
//! Projects share one target directory (KRB_GENERATED_TARGET_DIR, default
//! target/generated) so their dependencies build once.

use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

use krb_tests::{generated_target_dir, repo_root};

/// Cargo runs test functions in parallel; the builds share a target dir, so take turns.
static BUILD: Mutex<()> = Mutex::new(());

fn run(dir: &Path, program: &str, args: &[&str]) -> String {
    let mut cmd = Command::new(program);
    krb_tests::scrub_cargo_env(&mut cmd);
    let out = cmd
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", generated_target_dir())
        .env("CARGO_TERM_COLOR", "never")
        .output()
        .unwrap_or_else(|e| panic!("{program} could not start ({e}); it must be installed"));
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{}: `{program} {}` failed ({}):\n{stdout}\n{}",
        dir.display(),
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

fn check_project(name: &str) {
    let _turn = BUILD.lock().unwrap_or_else(|e| e.into_inner());
    let dir = repo_root().join("testdata").join(name);
    assert!(
        dir.join("PROJECT").is_file(),
        "{}: no golden project",
        dir.display()
    );
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());

    run(&dir, &cargo, &["fmt", "--all", "--check"]);
    run(
        &dir,
        &cargo,
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    );
    let tests = run(&dir, &cargo, &["test", "--workspace"]);
    assert!(
        tests.contains("test result: ok"),
        "{name}: no test ran:\n{tests}"
    );

    let default = run(&dir, "kubectl", &["kustomize", "config/default"]);
    for kind in [
        "CustomResourceDefinition",
        "Deployment",
        "ClusterRole",
        "Namespace",
    ] {
        assert!(
            default.contains(&format!("kind: {kind}\n")),
            "{name}: config/default renders no {kind}"
        );
    }
    let samples = run(&dir, "kubectl", &["kustomize", "config/samples"]);
    assert!(
        samples.contains("name: "),
        "{name}: config/samples is empty"
    );
}

#[test]
fn project_builds_lints_tests_and_renders() {
    check_project("project");
}

#[test]
fn fleet_builds_lints_tests_and_renders() {
    check_project("fleet");
}

#[test]
fn every_golden_project_is_checked() {
    let mut names: Vec<String> = std::fs::read_dir(repo_root().join("testdata"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["fleet", "project"],
        "add a test for each golden project"
    );
}
