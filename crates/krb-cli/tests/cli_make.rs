//! Transcripts of `krb make`: manifests (good and bad markers), and the cluster targets when
//! no cluster answers. Bless with `SNAPSHOTS=overwrite cargo test -p krb-cli --test cli_make`.

mod common;

use common::{Sandbox, krb_ok, read_tree, tree_hash};
use snapbox::str;

fn project_with_api(sb: &Sandbox) -> std::path::PathBuf {
    let dir = sb.project("project");
    krb_ok(
        &dir,
        &[
            "create",
            "api",
            "--group",
            "batch",
            "--version",
            "v1",
            "--kind",
            "CronJob",
        ],
    );
    dir
}

#[test]
fn manifests_then_again_is_a_noop() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb);
    sb.krb(&dir, &["make", "manifests"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
   create  config/crd/bases/batch.tutorial.kubebuilder.io_cronjobs.yaml
   update  config/rbac/role.yaml

"#]])
        .stderr_eq(str![]);
    let before = read_tree(&dir);
    sb.krb(&dir, &["make", "manifests"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
manifests are up to date

"#]]);
    assert_eq!(read_tree(&dir), before);
}

#[test]
fn bad_markers_are_all_reported_with_positions_and_nothing_is_written() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb);
    let types = dir.join("api/src/v1/cronjob_types.rs");
    let text = std::fs::read_to_string(&types).unwrap();
    let text = text.replacen(
        "    /// +optional\n    #[serde(default, skip_serializing_if = \"Option::is_none\")]\n    pub foo",
        "    /// +optional\n    /// +kubebuilder:validation:Minimun=0\n    /// +kubebuilder:validation:Minimum=1\n    /// +kubebuilder:validation:MaxLength=ten\n    #[serde(default, skip_serializing_if = \"Option::is_none\")]\n    pub foo",
        1,
    );
    std::fs::write(&types, text).unwrap();
    let before = tree_hash(&dir);
    sb.krb(&dir, &["make", "manifests"])
        .assert()
        .failure()
        .code(1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: 3 marker errors, no manifest was written:
api/src/v1/cronjob_types.rs:48:9: error: unknown marker +kubebuilder:validation:Minimun, did you mean +kubebuilder:validation:Minimum?
api/src/v1/cronjob_types.rs:49:9: error: +kubebuilder:validation:Minimum applies to integers and numbers, but this is a string
api/src/v1/cronjob_types.rs:50:43: error: invalid value for +kubebuilder:validation:MaxLength (int): expected integer, got "ten"

"#]]);
    let out = sb.krb(&dir, &["make", "manifests"]).output().unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    for needle in [
        "api/src/v1/cronjob_types.rs:",
        "did you mean +kubebuilder:validation:Minimum?",
        "MaxLength",
        "no manifest was written",
    ] {
        assert!(
            stderr.contains(needle),
            "{needle:?} missing from:\n{stderr}"
        );
    }
    assert!(
        stderr.lines().filter(|l| l.contains(": error: ")).count() >= 2,
        "every error at once:\n{stderr}"
    );
    assert_eq!(tree_hash(&dir), before);
}

#[test]
fn outside_a_project_is_refused() {
    let sb = Sandbox::new();
    let dir = sb.dir("empty");
    sb.krb(&dir, &["make", "manifests"])
        .assert()
        .failure()
        .code(1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: [ROOT]/empty: not inside a krb project (no PROJECT file here or above); run `krb init` first

"#]]);
}

#[test]
fn install_without_a_cluster_names_the_kubeconfig_and_context() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb);
    // A kubeconfig whose server refuses connections at once.
    let kubeconfig = sb.root().join("unreachable.kubeconfig");
    std::fs::write(
        &kubeconfig,
        "apiVersion: v1\nkind: Config\nclusters:\n- name: nowhere\n  cluster:\n    server: https://127.0.0.1:1\ncontexts:\n- name: nowhere-ctx\n  context:\n    cluster: nowhere\n    user: nobody\ncurrent-context: nowhere-ctx\nusers:\n- name: nobody\n  user:\n    token: x\n",
    )
    .unwrap();
    let before = tree_hash(&dir);
    let out = sb
        .krb(&dir, &["make", "install"])
        .env("KUBECONFIG", &kubeconfig)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.starts_with(&format!(
            "error: no cluster reachable through kubeconfig {} (context nowhere-ctx):",
            kubeconfig.display()
        )),
        "{stderr}"
    );
    assert_eq!(tree_hash(&dir), before);
}
