//! Transcripts of `krb create api`: stdout, stderr, exit code and the files touched. A failing
//! command must leave the project exactly as it was.
//!
//! Bless the inline snapshots with
//! `SNAPSHOTS=overwrite cargo test -p krb-cli --test cli_create_api`.

mod common;

use std::path::Path;

use common::{Sandbox, assert_printed_changes, krb_ok, read_tree, tree_hash};
use snapbox::str;

/// `create api --group batch --version <version> --kind <kind>`, then `extra`.
fn api(version: &str, kind: &str, extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [
        "create",
        "api",
        "--group",
        "batch",
        "--version",
        version,
        "--kind",
        kind,
    ]
    .map(String::from)
    .to_vec();
    args.extend(extra.iter().map(|s| s.to_string()));
    args
}

fn refs(args: &[String]) -> Vec<&str> {
    args.iter().map(String::as_str).collect()
}

/// Scaffold `kind` (types and controller) as a setup step.
fn scaffold(dir: &Path, version: &str, kind: &str, extra: &[&str]) {
    krb_ok(
        dir,
        &refs(&api(
            version,
            kind,
            &[&["--resource", "--controller"], extra].concat(),
        )),
    );
}

fn read(dir: &Path, rel: &str) -> String {
    std::fs::read_to_string(dir.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

// ---------------------------------------------------------------- good paths

#[test]
fn help() {
    let sb = Sandbox::new();
    let dir = sb.dir("empty");
    sb.krb(&dir, &["create", "api", "--help"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
Scaffold a Kubernetes API: its types, its controller and their config/ entries

Usage: krb create api [OPTIONS] --group <GROUP> --version <VERSION> --kind <KIND>

Options:
      --group <GROUP>              Resource group, e.g. `batch` (becomes `batch.<domain>`)
      --version <VERSION>          Resource version, e.g. `v1`, `v1beta1`
      --kind <KIND>                Resource kind, UpperCamelCase, e.g. `CronJob`
      --plural <PLURAL>            Plural resource name [default: the English plural of the lowercased kind]
      --namespaced [<NAMESPACED>]  Whether the resource is namespaced; `--namespaced=false` makes it cluster-scoped [default: true] [possible values: true, false]
      --resource [<RESOURCE>]      Scaffold the types; asked when omitted and stdin is a terminal [default: true] [possible values: true, false]
      --controller [<CONTROLLER>]  Scaffold the controller; asked when omitted and stdin is a terminal [default: true] [possible values: true, false]
      --force                      Scaffold the kind's files again, overwriting them
      --dry-run                    Print the files that would be written, and write nothing
  -h, --help                       Print help

"#]])
        .stderr_eq(str![]);
    assert!(read_tree(&dir).is_empty());
}

#[test]
fn create_api_with_flags() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let before = read_tree(&dir);
    let out = sb
        .krb(
            &dir,
            &refs(&api("v1", "CronJob", &["--resource", "--controller"])),
        )
        .assert()
        .success()
        .stdout_eq(str![[r#"
   create  api/src/v1/cronjob_types.rs
   create  api/src/v1/mod.rs
   create  config/crd/kustomization.yaml
   create  config/crd/kustomizeconfig.yaml
   create  config/rbac/cronjob_admin_role.yaml
   create  config/rbac/cronjob_editor_role.yaml
   create  config/rbac/cronjob_viewer_role.yaml
   create  config/samples/batch_v1_cronjob.yaml
   create  config/samples/kustomization.yaml
   create  src/controller/cronjob_controller.rs
   create  tests/cronjob_controller.rs
   update  api/src/lib.rs
   update  config/default/kustomization.yaml
   update  config/rbac/kustomization.yaml
   update  src/controller/mod.rs
   update  src/main.rs
   update  Cargo.toml
   update  PROJECT
Next: implement your new API and generate the manifests (e.g. CRDs, CRs) with:
$ krb make manifests

"#]])
        .stderr_eq(str![]);
    let after = read_tree(&dir);
    assert_printed_changes(&out.get_output().stdout, &before, &after);
    let project = read(&dir, "PROJECT");
    assert!(project.contains("kind: CronJob\n"), "{project}");
    assert!(project.contains("plural: cronjobs\n"), "{project}");
    assert!(project.contains("controller: true\n"), "{project}");
}

#[test]
fn without_resource_and_controller_flags_and_no_terminal_both_default_to_yes() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let before = read_tree(&dir);
    let out = sb
        .krb(&dir, &refs(&api("v1", "CronJob", &[])))
        .assert()
        .success()
        .stdout_eq(str![[r#"
   create  api/src/v1/cronjob_types.rs
   create  api/src/v1/mod.rs
   create  config/crd/kustomization.yaml
   create  config/crd/kustomizeconfig.yaml
   create  config/rbac/cronjob_admin_role.yaml
   create  config/rbac/cronjob_editor_role.yaml
   create  config/rbac/cronjob_viewer_role.yaml
   create  config/samples/batch_v1_cronjob.yaml
   create  config/samples/kustomization.yaml
   create  src/controller/cronjob_controller.rs
   create  tests/cronjob_controller.rs
   update  api/src/lib.rs
   update  config/default/kustomization.yaml
   update  config/rbac/kustomization.yaml
   update  src/controller/mod.rs
   update  src/main.rs
   update  Cargo.toml
   update  PROJECT
Next: implement your new API and generate the manifests (e.g. CRDs, CRs) with:
$ krb make manifests

"#]])
        .stderr_eq(str![[r#"
--resource not given and stdin is not a terminal: assuming --resource=true
--controller not given and stdin is not a terminal: assuming --controller=true

"#]]);
    let after = read_tree(&dir);
    assert_printed_changes(&out.get_output().stdout, &before, &after);
    assert!(after.contains_key("api/src/v1/cronjob_types.rs"));
    assert!(after.contains_key("src/controller/cronjob_controller.rs"));
}

#[test]
fn controller_only_for_an_existing_api() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    krb_ok(
        &dir,
        &refs(&api("v1", "CronJob", &["--resource", "--controller=false"])),
    );
    assert!(!dir.join("src/controller/cronjob_controller.rs").exists());
    let before = read_tree(&dir);
    let out = sb
        .krb(
            &dir,
            &refs(&api("v1", "CronJob", &["--resource=false", "--controller"])),
        )
        .assert()
        .success()
        .stdout_eq(str![[r#"
   create  src/controller/cronjob_controller.rs
   create  tests/cronjob_controller.rs
   update  src/controller/mod.rs
   update  src/main.rs
   update  Cargo.toml
   update  PROJECT
Next: implement your new controller, then generate the RBAC role with:
$ krb make manifests

"#]])
        .stderr_eq(str![]);
    let after = read_tree(&dir);
    assert_printed_changes(&out.get_output().stdout, &before, &after);
    assert!(read(&dir, "PROJECT").contains("controller: true\n"));
}

#[test]
fn cluster_scoped_kind() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let before = read_tree(&dir);
    let out = sb
        .krb(
            &dir,
            &refs(&api(
                "v1",
                "Cluster",
                &["--namespaced=false", "--resource", "--controller"],
            )),
        )
        .assert()
        .success()
        .stdout_eq(str![[r#"
   create  api/src/v1/cluster_types.rs
   create  api/src/v1/mod.rs
   create  config/crd/kustomization.yaml
   create  config/crd/kustomizeconfig.yaml
   create  config/rbac/cluster_admin_role.yaml
   create  config/rbac/cluster_editor_role.yaml
   create  config/rbac/cluster_viewer_role.yaml
   create  config/samples/batch_v1_cluster.yaml
   create  config/samples/kustomization.yaml
   create  src/controller/cluster_controller.rs
   create  tests/cluster_controller.rs
   update  api/src/lib.rs
   update  config/default/kustomization.yaml
   update  config/rbac/kustomization.yaml
   update  src/controller/mod.rs
   update  src/main.rs
   update  Cargo.toml
   update  PROJECT
Next: implement your new API and generate the manifests (e.g. CRDs, CRs) with:
$ krb make manifests

"#]])
        .stderr_eq(str![]);
    let after = read_tree(&dir);
    assert_printed_changes(&out.get_output().stdout, &before, &after);
    assert!(read(&dir, "PROJECT").contains("namespaced: false\n"));
    let types = read(&dir, "api/src/v1/cluster_types.rs");
    assert!(!types.contains("    namespaced,"), "{types}");
    assert!(types.contains(r#""Cluster""#), "{types}");
}

#[test]
fn a_second_kind_in_the_same_group() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    scaffold(&dir, "v1", "CronJob", &[]);
    let before = read_tree(&dir);
    let out = sb
        .krb(
            &dir,
            &refs(&api("v1", "Job", &["--resource", "--controller"])),
        )
        .assert()
        .success()
        .stdout_eq(str![[r#"
   create  api/src/v1/job_types.rs
   update  api/src/v1/mod.rs
   update  config/crd/kustomization.yaml
   create  config/rbac/job_admin_role.yaml
   create  config/rbac/job_editor_role.yaml
   create  config/rbac/job_viewer_role.yaml
   create  config/samples/batch_v1_job.yaml
   update  config/samples/kustomization.yaml
   create  src/controller/job_controller.rs
   create  tests/job_controller.rs
   update  config/rbac/kustomization.yaml
   update  src/controller/mod.rs
   update  src/main.rs
   update  PROJECT
Next: implement your new API and generate the manifests (e.g. CRDs, CRs) with:
$ krb make manifests

"#]])
        .stderr_eq(str![]);
    let after = read_tree(&dir);
    assert_printed_changes(&out.get_output().stdout, &before, &after);
    let controllers = read(&dir, "src/controller/mod.rs");
    assert!(
        controllers.contains("pub mod cronjob_controller;\npub mod job_controller;\n"),
        "{controllers}"
    );
}

#[test]
fn a_second_version_of_a_kind_warns_about_the_storage_version() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    scaffold(&dir, "v1", "CronJob", &[]);
    let before = read_tree(&dir);
    let out = sb
        .krb(
            &dir,
            &refs(&api("v2", "CronJob", &["--resource", "--controller=false"])),
        )
        .assert()
        .success()
        .stdout_eq(str![[r#"
   create  api/src/v2/cronjob_types.rs
   create  api/src/v2/mod.rs
   create  config/samples/batch_v2_cronjob.yaml
   update  config/samples/kustomization.yaml
   update  api/src/lib.rs
   update  PROJECT
Next: implement your new API and generate the manifests (e.g. CRDs, CRs) with:
$ krb make manifests

"#]])
        .stderr_eq(str![[r#"
warning: CronJob now has versions v1, v2: mark exactly one of them as the storage version with `/// +kubebuilder:storageversion`

"#]]);
    let after = read_tree(&dir);
    assert_printed_changes(&out.get_output().stdout, &before, &after);
    assert!(read(&dir, "api/src/lib.rs").contains("pub mod v1;\npub mod v2;\n"));
}

#[test]
fn plural_override() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let before = read_tree(&dir);
    let out = sb
        .krb(
            &dir,
            &refs(&api(
                "v1",
                "Octopus",
                &["--plural", "octopodes", "--resource", "--controller"],
            )),
        )
        .assert()
        .success()
        .stdout_eq(str![[r#"
   create  api/src/v1/mod.rs
   create  api/src/v1/octopus_types.rs
   create  config/crd/kustomization.yaml
   create  config/crd/kustomizeconfig.yaml
   create  config/rbac/octopus_admin_role.yaml
   create  config/rbac/octopus_editor_role.yaml
   create  config/rbac/octopus_viewer_role.yaml
   create  config/samples/batch_v1_octopus.yaml
   create  config/samples/kustomization.yaml
   create  src/controller/octopus_controller.rs
   create  tests/octopus_controller.rs
   update  api/src/lib.rs
   update  config/default/kustomization.yaml
   update  config/rbac/kustomization.yaml
   update  src/controller/mod.rs
   update  src/main.rs
   update  Cargo.toml
   update  PROJECT
Next: implement your new API and generate the manifests (e.g. CRDs, CRs) with:
$ krb make manifests

"#]])
        .stderr_eq(str![]);
    let after = read_tree(&dir);
    assert_printed_changes(&out.get_output().stdout, &before, &after);
    assert!(read(&dir, "PROJECT").contains("plural: octopodes\n"));
    let crds = read(&dir, "config/crd/kustomization.yaml");
    assert!(
        crds.contains("- bases/batch.tutorial.kubebuilder.io_octopodes.yaml\n"),
        "{crds}"
    );
}

#[test]
fn dry_run_lists_the_files_and_writes_nothing() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let before = tree_hash(&dir);
    sb.krb(
        &dir,
        &refs(&api(
            "v1",
            "CronJob",
            &["--resource", "--controller", "--dry-run"],
        )),
    )
    .assert()
    .success()
    .stdout_eq(str![[r#"
   create  api/src/v1/cronjob_types.rs
   create  api/src/v1/mod.rs
   create  config/crd/kustomization.yaml
   create  config/crd/kustomizeconfig.yaml
   create  config/rbac/cronjob_admin_role.yaml
   create  config/rbac/cronjob_editor_role.yaml
   create  config/rbac/cronjob_viewer_role.yaml
   create  config/samples/batch_v1_cronjob.yaml
   create  config/samples/kustomization.yaml
   create  src/controller/cronjob_controller.rs
   create  tests/cronjob_controller.rs
   update  api/src/lib.rs
   update  config/default/kustomization.yaml
   update  config/rbac/kustomization.yaml
   update  src/controller/mod.rs
   update  src/main.rs
   update  Cargo.toml
   update  PROJECT
dry run: nothing written

"#]])
    .stderr_eq(str![]);
    assert_eq!(tree_hash(&dir), before);
}

#[test]
fn dry_run_with_force_on_an_unchanged_api_lists_every_file_as_unchanged() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    scaffold(&dir, "v1", "CronJob", &[]);
    let before = tree_hash(&dir);
    sb.krb(
        &dir,
        &refs(&api(
            "v1",
            "CronJob",
            &["--resource", "--controller", "--force", "--dry-run"],
        )),
    )
    .assert()
    .success()
    .stdout_eq(str![[r#"
unchanged  api/src/v1/cronjob_types.rs
unchanged  api/src/v1/mod.rs
unchanged  config/crd/kustomization.yaml
unchanged  config/crd/kustomizeconfig.yaml
unchanged  config/rbac/cronjob_admin_role.yaml
unchanged  config/rbac/cronjob_editor_role.yaml
unchanged  config/rbac/cronjob_viewer_role.yaml
unchanged  config/samples/batch_v1_cronjob.yaml
unchanged  config/samples/kustomization.yaml
unchanged  src/controller/cronjob_controller.rs
unchanged  tests/cronjob_controller.rs
unchanged  api/src/lib.rs
unchanged  config/default/kustomization.yaml
unchanged  config/rbac/kustomization.yaml
unchanged  src/controller/mod.rs
unchanged  src/main.rs
unchanged  Cargo.toml
unchanged  PROJECT
dry run: nothing written

"#]])
    .stderr_eq(str![]);
    assert_eq!(tree_hash(&dir), before);
}

#[test]
fn force_restores_the_scaffold_and_a_second_force_changes_nothing() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    scaffold(&dir, "v1", "CronJob", &[]);
    let scaffolded = read_tree(&dir);
    let types = dir.join("api/src/v1/cronjob_types.rs");
    std::fs::write(
        &types,
        read(&dir, "api/src/v1/cronjob_types.rs") + "// my edit\n",
    )
    .unwrap();
    let force = api("v1", "CronJob", &["--resource", "--controller", "--force"]);

    let before = read_tree(&dir);
    let out = sb
        .krb(&dir, &refs(&force))
        .assert()
        .success()
        .stdout_eq(str![[r#"
   update  api/src/v1/cronjob_types.rs
Next: implement your new API and generate the manifests (e.g. CRDs, CRs) with:
$ krb make manifests

"#]])
        .stderr_eq(str![]);
    let first = read_tree(&dir);
    assert_printed_changes(&out.get_output().stdout, &before, &first);
    assert_eq!(first, scaffolded, "--force scaffolds the same bytes again");

    sb.krb(&dir, &refs(&force))
        .assert()
        .success()
        .stdout_eq(str![[r#"
nothing to do: every file is up to date
Next: implement your new API and generate the manifests (e.g. CRDs, CRs) with:
$ krb make manifests

"#]])
        .stderr_eq(str![]);
    assert_eq!(read_tree(&dir), first, "a second --force changes nothing");
}

// ---------------------------------------------------------------- bad input

/// `krb <args>` in `dir` fails with exit code `code` and leaves `dir` untouched; returns the
/// assertion for the snapshots.
fn refused(sb: &Sandbox, dir: &Path, args: &[String], code: i32) -> snapbox::cmd::OutputAssert {
    let before = tree_hash(dir);
    let out = sb.krb(dir, &refs(args)).assert().failure().code(code);
    assert_eq!(tree_hash(dir), before, "a refused command changed files");
    out
}

#[test]
fn repeating_an_identical_create_api_without_force_is_refused() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    scaffold(&dir, "v1", "CronJob", &[]);
    refused(
        &sb,
        &dir,
        &api("v1", "CronJob", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: API resource batch/v1 CronJob already exists (use --force to scaffold its files again)

"#]]);
}

#[test]
fn repeating_only_the_controller_without_force_is_refused() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    scaffold(&dir, "v1", "CronJob", &[]);
    refused(
        &sb,
        &dir,
        &api("v1", "CronJob", &["--resource=false", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: a controller for batch/v1 CronJob already exists (use --force to scaffold it again)

"#]]);
}

#[test]
fn group_with_uppercase() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let mut args = api("v1", "CronJob", &["--resource", "--controller"]);
    args[3] = "Batch".into();
    refused(&sb, &dir, &args, 1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: invalid value for --group: group "Batch" must be lowercase, but character 1 is 'B'; a group is lowercase letters, digits, '-' and '.' (a DNS-1123 subdomain), or empty for the core group, e.g. "batch" or "webapp"

"#]]);
}

#[test]
fn group_with_underscore() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let mut args = api("v1", "CronJob", &["--resource", "--controller"]);
    args[3] = "batch_1".into();
    refused(&sb, &dir, &args, 1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: invalid value for --group: group "batch_1" must not contain '_' (character 6); only lowercase letters, digits, '-' and '.' are allowed; a group is lowercase letters, digits, '-' and '.' (a DNS-1123 subdomain), or empty for the core group, e.g. "batch" or "webapp"

"#]]);
}

#[test]
fn version_without_v() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    refused(
        &sb,
        &dir,
        &api("1", "CronJob", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: invalid value for --version: version "1" does not have the form v<major>, v<major>alpha<n> or v<major>beta<n> (all lowercase); a version is 'v' and a major version, optionally followed by 'alpha' or 'beta' and a number (kubebuilder's ^v\d+(?:alpha\d+|beta\d+)?$), e.g. "v1", "v1beta1" or "v2alpha3"

"#]]);
}

#[test]
fn version_with_uppercase_alpha() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    refused(
        &sb,
        &dir,
        &api("v1Alpha", "CronJob", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: invalid value for --version: version "v1Alpha" does not have the form v<major>, v<major>alpha<n> or v<major>beta<n> (all lowercase); a version is 'v' and a major version, optionally followed by 'alpha' or 'beta' and a number (kubebuilder's ^v\d+(?:alpha\d+|beta\d+)?$), e.g. "v1", "v1beta1" or "v2alpha3"

"#]]);
}

#[test]
fn version_spelled_out() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    refused(
        &sb,
        &dir,
        &api("version1", "CronJob", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: invalid value for --version: version "version1" does not have the form v<major>, v<major>alpha<n> or v<major>beta<n> (all lowercase); a version is 'v' and a major version, optionally followed by 'alpha' or 'beta' and a number (kubebuilder's ^v\d+(?:alpha\d+|beta\d+)?$), e.g. "v1", "v1beta1" or "v2alpha3"

"#]]);
}

#[test]
fn version_zero() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    refused(
        &sb,
        &dir,
        &api("v0", "CronJob", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: invalid value for --version: version "v0" has the number "0", but version numbers start at 1 and have no leading zeros (Kubernetes API versions begin at v1); a version is 'v' and a major version, optionally followed by 'alpha' or 'beta' and a number (kubebuilder's ^v\d+(?:alpha\d+|beta\d+)?$), e.g. "v1", "v1beta1" or "v2alpha3"

"#]]);
}

#[test]
fn kind_in_lower_camel_case() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    refused(
        &sb,
        &dir,
        &api("v1", "cronJob", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: invalid value for --kind: kind "cronJob" must start with an uppercase ASCII letter; a kind is UpperCamelCase ASCII letters and digits, at most 59 characters, e.g. "CronJob" or "Memcached"

"#]]);
}

#[test]
fn kind_with_a_dash() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    refused(
        &sb,
        &dir,
        &api("v1", "Cron-Job", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: invalid value for --kind: kind "Cron-Job" must not contain '-' (character 5); only ASCII letters and digits are allowed; a kind is UpperCamelCase ASCII letters and digits, at most 59 characters, e.g. "CronJob" or "Memcached"

"#]]);
}

#[test]
fn kind_that_the_generated_code_already_uses() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    refused(
        &sb,
        &dir,
        &api("v1", "Option", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: invalid value for --kind: kind "Option" is a name the generated Rust code already uses (the Rust prelude or an import of the scaffolded types and controller modules), so it would not compile; a kind is UpperCamelCase ASCII letters and digits, at most 59 characters, e.g. "CronJob" or "Memcached"

"#]]);
}

#[test]
fn kind_with_a_spec_suffix() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    refused(
        &sb,
        &dir,
        &api("v1", "CronJobSpec", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: invalid value for --kind: kind "CronJobSpec" must not end in "Spec": krb generates <Kind>Spec and <Kind>Status types and Kubernetes lists a kind as <Kind>List, so this name would collide with another kind's; a kind is UpperCamelCase ASCII letters and digits, at most 59 characters, e.g. "CronJob" or "Memcached"

"#]]);
}

#[test]
fn plural_with_uppercase() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    refused(
        &sb,
        &dir,
        &api(
            "v1",
            "CronJob",
            &["--plural", "CronJobs", "--resource", "--controller"],
        ),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: invalid value for --plural: plural "CronJobs" must be lowercase, but character 1 is 'C'; a plural is lowercase letters, digits and '-', starting with a letter, at most 63 characters (a DNS-1035 label), e.g. "cronjobs"

"#]]);
}

#[test]
fn plural_that_collides_with_another_kinds_plural() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    scaffold(&dir, "v1", "Foo", &["--plural", "bars"]);
    refused(
        &sb,
        &dir,
        &api("v1", "Bar", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: plural "bars" of kind Bar collides with kind Foo in group "batch"; pass another --plural

"#]]);
}

#[test]
fn kind_differing_only_in_case() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    scaffold(&dir, "v1", "CronJob", &[]);
    refused(
        &sb,
        &dir,
        &api("v1", "Cronjob", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: kind Cronjob differs from the existing kind CronJob only in case; their files would collide

"#]]);
}

#[test]
fn kind_differing_only_in_case_with_its_own_plural() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    scaffold(&dir, "v1", "CronJob", &[]);
    refused(
        &sb,
        &dir,
        &api(
            "v1",
            "Cronjob",
            &["--plural", "cronjobz", "--resource", "--controller"],
        ),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: kind Cronjob differs from the existing kind CronJob only in case; their files would collide

"#]]);
}

#[test]
fn a_second_version_with_another_plural() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    scaffold(&dir, "v1", "CronJob", &[]);
    refused(
        &sb,
        &dir,
        &api(
            "v2",
            "CronJob",
            &["--plural", "cronjobz", "--resource", "--controller"],
        ),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: kind CronJob already uses the plural "cronjobs" (version v1); every version of a kind shares it

"#]]);
}

#[test]
fn outside_a_project() {
    let sb = Sandbox::new();
    let dir = sb.dir("empty");
    refused(&sb, &dir, &api("v1", "CronJob", &[]), 1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: PROJECT: not a krb project (no PROJECT file); run `krb init` first

"#]]);
    assert!(read_tree(&dir).is_empty());
}

#[test]
fn corrupt_cargo_toml_names_the_file_and_line() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let manifest = read(&dir, "Cargo.toml");
    assert!(manifest.starts_with("[workspace]\n"), "{manifest}");
    std::fs::write(
        dir.join("Cargo.toml"),
        manifest.replacen("[workspace]", "[workspace", 1),
    )
    .unwrap();
    refused(
        &sb,
        &dir,
        &api("v1", "CronJob", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: Cargo.toml: line 1: invalid TOML: unclosed table, expected `]`

"#]]);
}

#[test]
fn corrupt_project_file_names_the_file_and_line() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let project = read(&dir, "PROJECT");
    let broken = project.replacen("projectName: project\n", "projectName: project: x\n", 1);
    assert_ne!(broken, project);
    std::fs::write(dir.join("PROJECT"), broken).unwrap();
    refused(
        &sb,
        &dir,
        &api("v1", "CronJob", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: PROJECT: invalid PROJECT file: mapping values are not allowed in this context at line 8 column 21

"#]]);
}

#[test]
fn project_file_of_another_layout() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let project = read(&dir, "PROJECT");
    let go = project.replacen("- rust.krb.io/v1\n", "- go.kubebuilder.io/v4\n", 1);
    assert_ne!(go, project);
    std::fs::write(dir.join("PROJECT"), go).unwrap();
    refused(
        &sb,
        &dir,
        &api("v1", "CronJob", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: PROJECT: layout ["go.kubebuilder.io/v4"] is not krb's (rust.krb.io/v1); this project was not scaffolded by krb

"#]]);
}

#[test]
fn read_only_project_names_the_directory() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let guard = common::ReadOnly::new(&dir);
    refused(
        &sb,
        &dir,
        &api("v1", "CronJob", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: nothing was written to [ROOT]/project: api/src: directory is read-only

"#]]);
    drop(guard);
}

#[test]
fn unknown_flag() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let args = [
        "create",
        "api",
        "--group",
        "batch",
        "--version",
        "v1",
        "--kindd",
        "CronJob",
    ]
    .map(String::from);
    refused(&sb, &dir, &args, 2)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: unexpected argument '--kindd' found

  tip: a similar argument exists: '--kind'

Usage: krb create api --group <GROUP> --version <VERSION> --kind <KIND>

For more information, try '--help'.

"#]]);
}

#[test]
fn missing_kind() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let args = ["create", "api", "--group", "batch", "--version", "v1"].map(String::from);
    refused(&sb, &dir, &args, 2)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: the following required arguments were not provided:
  --kind <KIND>

Usage: krb create api --group <GROUP> --version <VERSION> --kind <KIND>

For more information, try '--help'.

"#]]);
}

#[test]
fn neither_resource_nor_controller() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    refused(
        &sb,
        &dir,
        &api("v1", "CronJob", &["--resource=false", "--controller=false"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: nothing to scaffold: both --resource and --controller are false

"#]]);
}

#[test]
fn controller_alone_for_an_api_that_does_not_exist() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    refused(
        &sb,
        &dir,
        &api("v1", "CronJob", &["--resource=false", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: no API for batch/v1 CronJob: the controller needs its types; run without --resource=false

"#]]);
}

#[test]
fn a_second_group_in_a_single_group_project() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    scaffold(&dir, "v1", "CronJob", &[]);
    let mut args = api("v1", "Deployment", &["--resource", "--controller"]);
    args[3] = "apps".into();
    refused(&sb, &dir, &args, 1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: group "apps" differs from the project's group "batch"; krb projects hold one API group (multi-group layouts are not supported yet)

"#]]);
}

#[test]
fn removed_scaffold_marker_names_the_file_and_marker() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let main = read(&dir, "src/main.rs");
    let without: String = main
        .split_inclusive('\n')
        .filter(|l| l.trim() != "// +krb:scaffold:builder")
        .collect();
    assert_ne!(without, main);
    std::fs::write(dir.join("src/main.rs"), without).unwrap();
    refused(
        &sb,
        &dir,
        &api("v1", "CronJob", &["--resource", "--controller"]),
        1,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: nothing was written to [ROOT]/project: src/main.rs: scaffold marker `// +krb:scaffold:builder` not found; restore the marker line to let krb edit this file

"#]]);
}

#[test]
fn invalid_namespaced_value() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    refused(
        &sb,
        &dir,
        &api(
            "v1",
            "CronJob",
            &["--namespaced=no", "--resource", "--controller"],
        ),
        2,
    )
    .stdout_eq(str![])
    .stderr_eq(str![[r#"
error: invalid value 'no' for '--namespaced [<NAMESPACED>]'
  [possible values: true, false]

For more information, try '--help'.

"#]]);
}
