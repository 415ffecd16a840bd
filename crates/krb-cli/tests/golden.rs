//! Golden projects: testdata/<name> is exactly what its scenario generates.
//!
//! Regenerate with `SNAPSHOTS=overwrite cargo test -p krb-cli --test golden`. Each scenario
//! is also run a second time, which must change nothing.

mod common;

use std::path::Path;

use common::{read_tree, repo_root};

/// One step of a scenario: a krb command.
enum Step {
    Krb(&'static [&'static str]),
}

struct Scenario {
    name: &'static str,
    steps: &'static [Step],
}

const SCENARIOS: &[Scenario] = &[
    // The kubebuilder CronJob tutorial: init, create api, create webhook.
    Scenario {
        name: "project",
        steps: &[
            Step::Krb(&[
                "init",
                "--domain",
                "tutorial.kubebuilder.io",
                "--repo",
                "tutorial.kubebuilder.io/project",
                "--owner",
                "The krb authors",
            ]),
            Step::Krb(&[
                "create",
                "api",
                "--group",
                "batch",
                "--version",
                "v1",
                "--kind",
                "CronJob",
            ]),
            Step::Krb(&[
                "create",
                "webhook",
                "--group",
                "batch",
                "--version",
                "v1",
                "--kind",
                "CronJob",
                "--defaulting",
                "--programmatic-validation",
            ]),
            Step::Krb(&["make", "manifests"]),
        ],
    },
    // Two kinds in one group, one cluster-scoped with an irregular plural, and a second
    // version of the first kind without a controller, converted through the first (the hub).
    Scenario {
        name: "fleet",
        steps: &[
            Step::Krb(&[
                "init",
                "--domain",
                "example.com",
                "--repo",
                "example.com/fleet",
                "--license",
                "none",
            ]),
            Step::Krb(&[
                "create",
                "api",
                "--group",
                "crew",
                "--version",
                "v1",
                "--kind",
                "Captain",
            ]),
            Step::Krb(&[
                "create",
                "api",
                "--group",
                "crew",
                "--version",
                "v1",
                "--kind",
                "Admiral",
                "--plural",
                "admirales",
                "--namespaced=false",
            ]),
            Step::Krb(&[
                "create",
                "api",
                "--group",
                "crew",
                "--version",
                "v2",
                "--kind",
                "Captain",
                "--resource",
                "--controller=false",
            ]),
            Step::Krb(&[
                "create",
                "webhook",
                "--group",
                "crew",
                "--version",
                "v1",
                "--kind",
                "Captain",
                "--conversion",
                "--spoke",
                "v2",
            ]),
            Step::Krb(&["make", "manifests"]),
        ],
    },
];

fn run_scenario(scenario: &Scenario, dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    for step in scenario.steps {
        match step {
            Step::Krb(args) => {
                let out = std::process::Command::new(common::krb())
                    .args(*args)
                    .current_dir(dir)
                    // Golden projects build against this checkout (testdata/<name>/../../crates).
                    .env("KRB_DEV_CRATES", "../../crates")
                    .stdin(std::process::Stdio::null())
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}: krb {args:?} failed:\n{}",
                    scenario.name,
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    }
}

fn overwrite(expected: &Path, actual: &std::collections::BTreeMap<String, Vec<u8>>) {
    if expected.exists() {
        for rel in read_tree(expected).keys() {
            std::fs::remove_file(expected.join(rel)).unwrap();
        }
    }
    for (rel, bytes) in actual {
        let path = expected.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

#[test]
fn golden_projects_match_and_rerun_is_a_noop() {
    let bless = std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite");
    let mut failures = Vec::new();
    for scenario in SCENARIOS {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join(scenario.name);
        run_scenario(scenario, &dir);
        let actual = read_tree(&dir);
        let expected_dir = repo_root().join("testdata").join(scenario.name);
        if bless {
            overwrite(&expected_dir, &actual);
        }
        let expected = read_tree(&expected_dir);
        let (a, e): (Vec<_>, Vec<_>) = (actual.keys().collect(), expected.keys().collect());
        if a != e {
            failures.push(format!(
                "{}: file list differs\n  generated only: {:?}\n  golden only: {:?}",
                scenario.name,
                a.iter()
                    .filter(|k| !expected.contains_key(**k))
                    .collect::<Vec<_>>(),
                e.iter()
                    .filter(|k| !actual.contains_key(**k))
                    .collect::<Vec<_>>()
            ));
        }
        for (rel, bytes) in &actual {
            if let Some(exp) = expected.get(rel)
                && exp != bytes
            {
                failures.push(format!(
                    "{}/{rel}: content differs from testdata",
                    scenario.name
                ));
            }
        }

        // The scenario again, in the same tree: nothing may change. `create` commands for
        // what exists are refused without --force, so they run with --force.
        for step in scenario.steps {
            match step {
                Step::Krb(args) if args[0] == "init" => {}
                Step::Krb(args) => {
                    let mut again: Vec<&str> = args.to_vec();
                    if args[0] == "create" {
                        again.push("--force");
                    }
                    let out = std::process::Command::new(common::krb())
                        .args(&again)
                        .current_dir(&dir)
                        .env("KRB_DEV_CRATES", "../../crates")
                        .stdin(std::process::Stdio::null())
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "{again:?}: {out:?}");
                }
            }
        }
        let rerun = read_tree(&dir);
        for (rel, bytes) in &actual {
            if rerun.get(rel) != Some(bytes) {
                failures.push(format!("{}/{rel}: changed by a second run", scenario.name));
            }
        }
        assert_eq!(
            rerun.keys().collect::<Vec<_>>(),
            actual.keys().collect::<Vec<_>>(),
            "{}: a second run added or removed files",
            scenario.name
        );
    }
    assert!(
        failures.is_empty(),
        "golden drift (bless with SNAPSHOTS=overwrite):\n{}",
        failures.join("\n")
    );
}
