//! Transcripts of `krb create webhook`: stdout, stderr, exit code and the files touched. A
//! failing command must leave the project exactly as it was.
//!
//! Bless the inline snapshots with
//! `SNAPSHOTS=overwrite cargo test -p krb-cli --test cli_create_webhook`.

mod common;

use std::path::Path;

use common::{Sandbox, assert_printed_changes, krb_ok, read_tree, tree_hash};
use snapbox::str;

/// `create webhook --group batch --version <version> --kind CronJob`, then `extra`.
fn webhook(version: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "create",
        "webhook",
        "--group",
        "batch",
        "--version",
        version,
        "--kind",
        "CronJob",
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// A project with the CronJob API (types and controller) in `version`.
fn project_with_api(sb: &Sandbox, version: &str) -> std::path::PathBuf {
    let dir = sb.project("project");
    krb_ok(
        &dir,
        &[
            "create",
            "api",
            "--group",
            "batch",
            "--version",
            version,
            "--kind",
            "CronJob",
            "--resource",
            "--controller",
        ],
    );
    dir
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// `krb <args>` in `dir` fails with exit code `code` and leaves `dir` untouched.
fn refused(sb: &Sandbox, dir: &Path, args: &[String], code: i32) -> snapbox::cmd::OutputAssert {
    let before = tree_hash(dir);
    let out = sb.krb(dir, &refs(args)).assert().failure().code(code);
    assert_eq!(tree_hash(dir), before, "a refused command changed files");
    out
}

// ---------------------------------------------------------------- good paths

#[test]
fn defaulting_and_validation_at_once() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb, "v1");
    let before = read_tree(&dir);
    let out = sb
        .krb(
            &dir,
            &refs(&webhook(
                "v1",
                &["--defaulting", "--programmatic-validation"],
            )),
        )
        .assert()
        .success()
        .stdout_eq(str![[r#"
   create  config/certmanager/certificate-webhook.yaml
   create  config/certmanager/issuer.yaml
   create  config/certmanager/kustomization.yaml
   create  config/certmanager/kustomizeconfig.yaml
   create  config/default/manager_webhook_patch.yaml
   create  config/network-policy/allow-webhook-traffic.yaml
   create  config/webhook/kustomization.yaml
   create  config/webhook/service.yaml
   create  src/webhook/mod.rs
   create  src/webhook/v1/cronjob_webhook.rs
   create  src/webhook/v1/mod.rs
   create  tests/cronjob_v1_defaulting_webhook.rs
   create  tests/cronjob_v1_validation_webhook.rs
   update  config/network-policy/kustomization.yaml
   update  src/lib.rs
   update  src/main.rs
   update  config/default/kustomization.yaml
   update  PROJECT
Next: implement your new Webhook and generate the manifests with:
$ krb make manifests
Deploying it needs cert-manager in the cluster (https://cert-manager.io/docs/installation/).

"#]])
        .stderr_eq(str![]);
    let after = read_tree(&dir);
    assert_printed_changes(&out.get_output().stdout, &before, &after);
    let project = read(&dir, "PROJECT");
    assert!(
        project.contains(
            "  webhooks:\n    defaulting: true\n    validation: true\n    webhookVersion: v1\n"
        ),
        "{project}"
    );
    let file = read(&dir, "src/webhook/v1/cronjob_webhook.rs");
    assert!(file.contains(
        "// +kubebuilder:webhook:path=/mutate-batch-tutorial-kubebuilder-io-v1-cronjob,mutating=true,failurePolicy=fail,sideEffects=None,groups=batch.tutorial.kubebuilder.io,resources=cronjobs,verbs=create;update,versions=v1,name=mcronjob-v1.kb.io,admissionReviewVersions=v1\n"
    ));
    assert!(file.contains("name=vcronjob-v1.kb.io"));
    assert!(read(&dir, "src/main.rs").contains("    webhook::v1::cronjob_webhook::setup(&mgr);\n"));
    assert!(read(&dir, "src/lib.rs").contains("pub mod webhook;\n"));
    let kustomization = read(&dir, "config/default/kustomization.yaml");
    for enabled in [
        "\n- ../webhook\n",
        "\n- ../certmanager\n",
        "\n- path: manager_webhook_patch.yaml\n",
        "\nreplacements:\n",
        "\n- source: # Uncomment the following block if you have a ValidatingWebhook",
        "\n- source: # Uncomment the following block if you have a DefaultingWebhook",
    ] {
        assert!(
            kustomization.contains(enabled),
            "{enabled}: {kustomization}"
        );
    }

    // The same command again: refused, nothing changes.
    refused(
        &sb,
        &dir,
        &webhook("v1", &["--defaulting", "--programmatic-validation"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: a defaulting webhook for batch/v1 CronJob already exists (use --force to scaffold it again)

"#]]);
}

#[test]
fn validation_added_later_keeps_the_users_edits() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb, "v1");
    krb_ok(&dir, &refs(&webhook("v1", &["--defaulting"])));
    let file = "src/webhook/v1/cronjob_webhook.rs";
    let edited = read(&dir, file).replace(
        "        // TODO(user): fill in your defaulting logic, e.g.\n",
        "        // my defaulting logic\n",
    );
    std::fs::write(dir.join(file), &edited).unwrap();
    let kustomization = read(&dir, "config/default/kustomization.yaml");
    assert!(
        kustomization.contains(
            "\n- source: # Uncomment the following block if you have a DefaultingWebhook"
        )
    );
    assert!(
        !kustomization.contains(
            "\n- source: # Uncomment the following block if you have a ValidatingWebhook"
        )
    );

    sb.krb(&dir, &refs(&webhook("v1", &["--programmatic-validation"])))
        .assert()
        .success()
        .stdout_eq(str![[r#"
   update  src/webhook/v1/cronjob_webhook.rs
   create  tests/cronjob_v1_validation_webhook.rs
   update  config/default/kustomization.yaml
   update  PROJECT
Next: implement your new Webhook and generate the manifests with:
$ krb make manifests
Deploying it needs cert-manager in the cluster (https://cert-manager.io/docs/installation/).

"#]]);
    let text = read(&dir, file);
    assert!(text.contains("        // my defaulting logic\n"), "{text}");
    assert!(
        text.contains("impl Validator<Kind> for CustomValidator"),
        "{text}"
    );
    assert_eq!(
        text.matches("use krb::webhook::Rejection;").count(),
        1,
        "{text}"
    );
    assert!(
        read(&dir, "config/default/kustomization.yaml").contains(
            "\n- source: # Uncomment the following block if you have a ValidatingWebhook"
        )
    );

    // --force writes the file again with both webhooks, and a second --force changes nothing.
    krb_ok(&dir, &refs(&webhook("v1", &["--defaulting", "--force"])));
    let forced = read(&dir, file);
    assert!(!forced.contains("my defaulting logic"));
    assert!(forced.contains("impl Validator<Kind> for CustomValidator"));
    assert!(forced.contains("impl Defaulter<Kind> for CustomDefaulter"));
    let first = read_tree(&dir);
    krb_ok(&dir, &refs(&webhook("v1", &["--defaulting", "--force"])));
    assert_eq!(read_tree(&dir), first, "a second --force changes nothing");
}

#[test]
fn custom_paths_are_used_and_recorded() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb, "v1");
    krb_ok(
        &dir,
        &refs(&webhook(
            "v1",
            &[
                "--defaulting",
                "--defaulting-path",
                "/my-defaulting",
                "--programmatic-validation",
                "--validation-path=/my-validation",
            ],
        )),
    );
    let project = read(&dir, "PROJECT");
    assert!(
        project.contains("    defaultingPath: /my-defaulting\n"),
        "{project}"
    );
    assert!(
        project.contains("    validationPath: /my-validation\n"),
        "{project}"
    );
    let file = read(&dir, "src/webhook/v1/cronjob_webhook.rs");
    assert!(file.contains("pub const DEFAULTING_PATH: &str = \"/my-defaulting\";"));
    assert!(file.contains("// +kubebuilder:webhook:path=/my-validation,mutating=false,"));
}

#[test]
fn conversion_with_a_spoke_then_defaulting() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb, "v1");
    krb_ok(
        &dir,
        &[
            "create",
            "api",
            "--group",
            "batch",
            "--version",
            "v2",
            "--kind",
            "CronJob",
            "--resource",
            "--controller=false",
        ],
    );
    let before = read_tree(&dir);
    let out = sb
        .krb(
            &dir,
            &refs(&webhook("v1", &["--conversion", "--spoke", "v2"])),
        )
        .assert()
        .success()
        .stdout_eq(str![[r#"
   create  config/certmanager/certificate-webhook.yaml
   create  config/certmanager/issuer.yaml
   create  config/certmanager/kustomization.yaml
   create  config/certmanager/kustomizeconfig.yaml
   create  config/default/manager_webhook_patch.yaml
   create  config/network-policy/allow-webhook-traffic.yaml
   create  config/webhook/kustomization.yaml
   create  config/webhook/service.yaml
   create  src/webhook/mod.rs
   create  src/webhook/v1/cronjob_webhook.rs
   create  src/webhook/v1/mod.rs
   update  config/network-policy/kustomization.yaml
   update  src/lib.rs
   update  src/main.rs
   update  config/default/kustomization.yaml
   create  api/src/v1/cronjob_conversion.rs
   update  api/src/v1/mod.rs
   create  api/src/v2/cronjob_conversion.rs
   update  api/src/v2/mod.rs
   create  config/crd/patches/webhook_in_cronjobs.yaml
   update  config/crd/kustomization.yaml
   update  PROJECT
   update  api/src/v1/cronjob_types.rs
Next: implement your new Webhook and generate the manifests with:
$ krb make manifests
Deploying it needs cert-manager in the cluster (https://cert-manager.io/docs/installation/).

"#]])
        .stderr_eq(str![""]);
    assert_printed_changes(&out.get_output().stdout, &before, &read_tree(&dir));
    let project = read(&dir, "PROJECT");
    assert!(
        project.contains(
            "  webhooks:\n    conversion: true\n    spoke:\n    - v2\n    webhookVersion: v1\n"
        ),
        "{project}"
    );
    assert!(
        read(&dir, "api/src/v1/cronjob_conversion.rs")
            .contains("impl krb::webhook::Hub for super::CronJob {}")
    );
    assert!(
        read(&dir, "api/src/v2/cronjob_conversion.rs").contains("impl Spoke<HubKind> for Kind {")
    );
    assert!(
        read(&dir, "src/webhook/v1/cronjob_webhook.rs")
            .contains("    mgr.add_conversion(Conversion::<Kind>::new().spoke::<SpokeV2>());\n")
    );
    assert!(
        read(&dir, "config/crd/kustomization.yaml")
            .contains("\n- path: patches/webhook_in_cronjobs.yaml\n")
    );
    assert!(
        read(&dir, "config/default/kustomization.yaml")
            .contains("        name: cronjobs.batch.tutorial.kubebuilder.io\n")
    );

    // A second conversion is refused; defaulting is added to the same file.
    refused(
        &sb,
        &dir,
        &webhook("v1", &["--conversion", "--spoke", "v2"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: a conversion webhook for batch/v1 CronJob already exists (use --force to scaffold it again)

"#]]);
    krb_ok(&dir, &refs(&webhook("v1", &["--defaulting"])));
    let file = read(&dir, "src/webhook/v1/cronjob_webhook.rs");
    assert!(file.contains("mgr.add_conversion("), "{file}");
    assert!(file.contains("mgr.add_defaulter::<Kind, _>("), "{file}");
    assert!(read(&dir, "config/webhook/kustomization.yaml").contains("\n- manifests.yaml\n"));
}

// ---------------------------------------------------------------- bad input

#[test]
fn no_api_for_the_kind() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    refused(&sb, &dir, &webhook("v1", &["--defaulting"]), 1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: no API for batch/v1 CronJob: run 'krb create api' first

"#]]);
}

#[test]
fn no_webhook_type() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb, "v1");
    refused(&sb, &dir, &webhook("v1", &[]), 1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: nothing to scaffold: pass at least one of --defaulting, --programmatic-validation and --conversion

"#]]);
}

#[test]
fn custom_path_without_its_webhook() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb, "v1");
    refused(
        &sb,
        &dir,
        &webhook("v1", &["--defaulting", "--validation-path", "/v"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: --validation-path needs --programmatic-validation

"#]]);
}

#[test]
fn custom_path_without_a_leading_slash() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb, "v1");
    refused(
        &sb,
        &dir,
        &webhook("v1", &["--defaulting", "--defaulting-path", "mutate"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: invalid value for --defaulting-path: "mutate" must start with '/'

"#]]);
}

#[test]
fn a_spoke_version_that_does_not_exist() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb, "v1");
    refused(
        &sb,
        &dir,
        &webhook("v1", &["--conversion", "--spoke", "v2"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: spoke version v2 of CronJob does not exist: run 'krb create api --group batch --version v2 --kind CronJob' first

"#]]);
}

#[test]
fn spoke_without_conversion() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb, "v1");
    refused(
        &sb,
        &dir,
        &webhook("v1", &["--defaulting", "--spoke", "v2"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: --spoke needs --conversion

"#]]);
}

#[test]
fn conversion_without_spoke() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb, "v1");
    refused(&sb, &dir, &webhook("v1", &["--conversion"]), 1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: --conversion needs --spoke: the versions that convert to and from the hub --version, e.g. --spoke v2

"#]]);
}

#[test]
fn the_hub_as_its_own_spoke() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb, "v1");
    refused(
        &sb,
        &dir,
        &webhook("v1", &["--conversion", "--spoke", "v1"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: --spoke v1 is the hub (--version); a spoke is another version of CronJob

"#]]);
}

#[test]
fn removed_scaffold_marker_names_the_file_and_marker() {
    let sb = Sandbox::new();
    let dir = project_with_api(&sb, "v1");
    let lib = read(&dir, "src/lib.rs").replace("// +krb:scaffold:modules\n", "");
    std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
    refused(&sb, &dir, &webhook("v1", &["--defaulting"]), 1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: nothing was written to [ROOT]/project: src/lib.rs: scaffold marker `// +krb:scaffold:modules` not found; restore the marker line to let krb edit this file

"#]]);
}
