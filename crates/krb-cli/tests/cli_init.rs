//! Transcripts of `krb init` (and `krb --help`): stdout, stderr, exit code and the files
//! touched. A failing command must leave the directory exactly as it was.
//!
//! Bless the inline snapshots with `SNAPSHOTS=overwrite cargo test -p krb-cli --test cli_init`.

mod common;

use common::{Sandbox, assert_printed_changes, read_tree, tree_hash};
use snapbox::str;

const TUTORIAL: &[&str] = &[
    "init",
    "--domain",
    "tutorial.kubebuilder.io",
    "--repo",
    "tutorial.kubebuilder.io/project",
];

#[test]
fn help_lists_commands_and_quick_start() {
    let sb = Sandbox::new();
    let dir = sb.dir("empty");
    sb.krb(&dir, &["--help"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
kubebuilder for Rust: scaffold kube-rs operators and generate their manifests

Usage: krb <COMMAND>

Commands:
  init     Initialize a new operator project in the current directory
  create   Scaffold a Kubernetes API
  make     Run a target of kubebuilder's Makefile: manifests, build, run, test, install, deploy...
  envtest  Install and locate the envtest control plane (kube-apiserver, etcd) for tests
  help     Print this message or the help of the given subcommand(s)

Options:
  -h, --help     Print help
  -V, --version  Print version

Quick start:
  krb init --domain my.domain --repo my.domain/guestbook
  krb create api --group webapp --version v1 --kind Guestbook
  krb make manifests

"#]])
        .stderr_eq(str![]);
    assert!(read_tree(&dir).is_empty());
}

#[test]
fn init_help() {
    let sb = Sandbox::new();
    let dir = sb.dir("empty");
    sb.krb(&dir, &["init", "--help"])
        .assert()
        .success()
        .stdout_eq(str![[r#"
Initialize a new operator project in the current directory

Usage: krb init [OPTIONS]

Options:
      --domain <DOMAIN>              Domain for groups: group `batch` becomes `batch.<domain>` [default: my.domain]
      --repo <REPO>                  Repository of the project, recorded in PROJECT and Cargo.toml [default: <domain>/<project-name>]
      --project-name <PROJECT_NAME>  Name of the project, a DNS-1123 label [default: the directory name]
      --owner <OWNER>                Copyright owner for the license header [default: ""]
      --license <LICENSE>            License header of the generated Rust files [default: apache2] [possible values: apache2, none]
      --dry-run                      Print the files that would be written, and write nothing
  -h, --help                         Print help

"#]])
        .stderr_eq(str![]);
    assert!(read_tree(&dir).is_empty());
}

#[test]
fn init_with_tutorial_flags_lists_every_file_and_the_next_step() {
    let sb = Sandbox::new();
    let dir = sb.dir("project");
    let before = read_tree(&dir);
    let out = sb
        .krb(&dir, TUTORIAL)
        .assert()
        .success()
        .stdout_eq(str![[r#"
   create  .dockerignore
   create  .github/workflows/lint.yml
   create  .github/workflows/test.yml
   create  .gitignore
   create  Cargo.toml
   create  Dockerfile
   create  README.md
   create  api/Cargo.toml
   create  api/src/lib.rs
   create  config/default/kustomization.yaml
   create  config/default/manager_metrics_patch.yaml
   create  config/default/metrics_service.yaml
   create  config/manager/kustomization.yaml
   create  config/manager/manager.yaml
   create  config/network-policy/allow-metrics-traffic.yaml
   create  config/network-policy/kustomization.yaml
   create  config/prometheus/kustomization.yaml
   create  config/prometheus/monitor.yaml
   create  config/rbac/kustomization.yaml
   create  config/rbac/leader_election_role.yaml
   create  config/rbac/leader_election_role_binding.yaml
   create  config/rbac/role.yaml
   create  config/rbac/role_binding.yaml
   create  config/rbac/service_account.yaml
   create  hack/boilerplate.rs.txt
   create  src/controller/mod.rs
   create  src/lib.rs
   create  src/main.rs
   create  PROJECT
Next: define a resource with:
$ krb create api

"#]])
        .stderr_eq(str![]);
    let after = read_tree(&dir);
    assert_printed_changes(&out.get_output().stdout, &before, &after);
    let project = String::from_utf8(after["PROJECT"].clone()).unwrap();
    assert!(
        project.contains("domain: tutorial.kubebuilder.io\n"),
        "{project}"
    );
    assert!(project.contains("projectName: project\n"), "{project}");
    assert!(
        project.contains("repo: tutorial.kubebuilder.io/project\n"),
        "{project}"
    );
}

#[test]
fn init_dry_run_lists_the_files_and_writes_nothing() {
    let sb = Sandbox::new();
    let dir = sb.dir("project");
    let before = tree_hash(&dir);
    sb.krb(&dir, &[TUTORIAL, &["--dry-run"]].concat())
        .assert()
        .success()
        .stdout_eq(str![[r#"
   create  .dockerignore
   create  .github/workflows/lint.yml
   create  .github/workflows/test.yml
   create  .gitignore
   create  Cargo.toml
   create  Dockerfile
   create  README.md
   create  api/Cargo.toml
   create  api/src/lib.rs
   create  config/default/kustomization.yaml
   create  config/default/manager_metrics_patch.yaml
   create  config/default/metrics_service.yaml
   create  config/manager/kustomization.yaml
   create  config/manager/manager.yaml
   create  config/network-policy/allow-metrics-traffic.yaml
   create  config/network-policy/kustomization.yaml
   create  config/prometheus/kustomization.yaml
   create  config/prometheus/monitor.yaml
   create  config/rbac/kustomization.yaml
   create  config/rbac/leader_election_role.yaml
   create  config/rbac/leader_election_role_binding.yaml
   create  config/rbac/role.yaml
   create  config/rbac/role_binding.yaml
   create  config/rbac/service_account.yaml
   create  hack/boilerplate.rs.txt
   create  src/controller/mod.rs
   create  src/lib.rs
   create  src/main.rs
   create  PROJECT
dry run: nothing written

"#]])
        .stderr_eq(str![]);
    assert_eq!(tree_hash(&dir), before);
    assert!(read_tree(&dir).is_empty());
}

#[test]
fn init_license_none_and_project_name() {
    let sb = Sandbox::new();
    let dir = sb.dir("some-dir");
    let before = read_tree(&dir);
    let out = sb
        .krb(
            &dir,
            &[
                "init",
                "--domain",
                "example.com",
                "--project-name",
                "fleet",
                "--license",
                "none",
            ],
        )
        .assert()
        .success()
        .stdout_eq(str![[r#"
   create  .dockerignore
   create  .github/workflows/lint.yml
   create  .github/workflows/test.yml
   create  .gitignore
   create  Cargo.toml
   create  Dockerfile
   create  README.md
   create  api/Cargo.toml
   create  api/src/lib.rs
   create  config/default/kustomization.yaml
   create  config/default/manager_metrics_patch.yaml
   create  config/default/metrics_service.yaml
   create  config/manager/kustomization.yaml
   create  config/manager/manager.yaml
   create  config/network-policy/allow-metrics-traffic.yaml
   create  config/network-policy/kustomization.yaml
   create  config/prometheus/kustomization.yaml
   create  config/prometheus/monitor.yaml
   create  config/rbac/kustomization.yaml
   create  config/rbac/leader_election_role.yaml
   create  config/rbac/leader_election_role_binding.yaml
   create  config/rbac/role.yaml
   create  config/rbac/role_binding.yaml
   create  config/rbac/service_account.yaml
   create  src/controller/mod.rs
   create  src/lib.rs
   create  src/main.rs
   create  PROJECT
Next: define a resource with:
$ krb create api

"#]])
        .stderr_eq(str![]);
    let after = read_tree(&dir);
    assert_printed_changes(&out.get_output().stdout, &before, &after);
    assert!(!after.contains_key("hack/boilerplate.rs.txt"));
    let project = String::from_utf8(after["PROJECT"].clone()).unwrap();
    assert!(
        project.contains("projectName: fleet\nrepo: example.com/fleet\n"),
        "{project}"
    );
}

#[test]
fn init_in_a_non_empty_directory_warns_and_keeps_the_readme() {
    let sb = Sandbox::new();
    let dir = sb.dir("project");
    std::fs::write(dir.join("README.md"), "my notes\n").unwrap();
    let before = read_tree(&dir);
    let out = sb
        .krb(&dir, TUTORIAL)
        .assert()
        .success()
        .stdout_eq(str![[r#"
   create  .dockerignore
   create  .github/workflows/lint.yml
   create  .github/workflows/test.yml
   create  .gitignore
   create  Cargo.toml
   create  Dockerfile
   create  api/Cargo.toml
   create  api/src/lib.rs
   create  config/default/kustomization.yaml
   create  config/default/manager_metrics_patch.yaml
   create  config/default/metrics_service.yaml
   create  config/manager/kustomization.yaml
   create  config/manager/manager.yaml
   create  config/network-policy/allow-metrics-traffic.yaml
   create  config/network-policy/kustomization.yaml
   create  config/prometheus/kustomization.yaml
   create  config/prometheus/monitor.yaml
   create  config/rbac/kustomization.yaml
   create  config/rbac/leader_election_role.yaml
   create  config/rbac/leader_election_role_binding.yaml
   create  config/rbac/role.yaml
   create  config/rbac/role_binding.yaml
   create  config/rbac/service_account.yaml
   create  hack/boilerplate.rs.txt
   create  src/controller/mod.rs
   create  src/lib.rs
   create  src/main.rs
   create  PROJECT
Next: define a resource with:
$ krb create api

"#]])
        .stderr_eq(str![[r#"
warning: [ROOT]/project is not empty; krb will add its files and keep yours (README.md and .gitignore are kept as they are)

"#]]);
    let after = read_tree(&dir);
    assert_printed_changes(&out.get_output().stdout, &before, &after);
    assert_eq!(after["README.md"], b"my notes\n");
}

// ---------------------------------------------------------------- bad input

#[test]
fn init_twice_is_refused() {
    let sb = Sandbox::new();
    let dir = sb.project("project");
    let before = tree_hash(&dir);
    sb.krb(&dir, TUTORIAL)
        .assert()
        .failure()
        .code(1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: PROJECT: this directory already holds a krb project; `krb init` refuses to overwrite it

"#]]);
    assert_eq!(tree_hash(&dir), before);
}

#[test]
fn init_in_an_existing_cargo_workspace_is_refused() {
    let sb = Sandbox::new();
    let dir = sb.dir("project");
    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\nmembers = [\"tool\"]\n",
    )
    .unwrap();
    let before = tree_hash(&dir);
    sb.krb(&dir, TUTORIAL)
        .assert()
        .failure()
        .code(1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: Cargo.toml: this directory already holds a Cargo workspace; run `krb init` in an empty directory (or one holding only README.md, .gitignore and dot-files)

"#]]);
    assert_eq!(tree_hash(&dir), before);
}

#[test]
fn init_over_an_existing_cargo_package_is_refused() {
    let sb = Sandbox::new();
    let dir = sb.dir("project");
    std::fs::write(dir.join("Cargo.toml"), "[package]\nname = \"tool\"\n").unwrap();
    let before = tree_hash(&dir);
    sb.krb(&dir, TUTORIAL)
        .assert()
        .failure()
        .code(1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: Cargo.toml: this directory already holds a Cargo package; run `krb init` in an empty directory (or one holding only README.md, .gitignore and dot-files)

"#]]);
    assert_eq!(tree_hash(&dir), before);
}

#[test]
fn init_with_a_corrupt_cargo_toml_names_the_file_and_line() {
    let sb = Sandbox::new();
    let dir = sb.dir("project");
    std::fs::write(dir.join("Cargo.toml"), "# my tool\n[workspace\n").unwrap();
    let before = tree_hash(&dir);
    sb.krb(&dir, TUTORIAL)
        .assert()
        .failure()
        .code(1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: Cargo.toml: line 2: invalid TOML: unclosed table, expected `]`

"#]]);
    assert_eq!(tree_hash(&dir), before);
}

#[test]
fn init_license_mit_is_not_a_choice() {
    let sb = Sandbox::new();
    let dir = sb.dir("project");
    let before = tree_hash(&dir);
    sb.krb(&dir, &[TUTORIAL, &["--license", "mit"]].concat())
        .assert()
        .failure()
        .code(2)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: invalid value 'mit' for '--license <LICENSE>'
  [possible values: apache2, none]

For more information, try '--help'.

"#]]);
    assert_eq!(tree_hash(&dir), before);
}

#[test]
fn init_project_name_with_underscore_and_uppercase() {
    let sb = Sandbox::new();
    let dir = sb.dir("project");
    let before = tree_hash(&dir);
    sb.krb(&dir, &[TUTORIAL, &["--project-name", "Foo_Bar"]].concat())
        .assert()
        .failure()
        .code(1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: invalid value for --project-name: project name "Foo_Bar" must be lowercase, but character 1 is 'F'; a project name is lowercase letters, digits and '-', at most 63 characters (a DNS-1123 label), and must also be a valid Cargo package name, e.g. "memcached-operator"

"#]]);
    assert_eq!(tree_hash(&dir), before);
}

#[test]
fn init_project_name_that_is_a_rust_keyword() {
    let sb = Sandbox::new();
    let dir = sb.dir("project");
    let before = tree_hash(&dir);
    sb.krb(&dir, &["init", "--project-name", "fn"])
        .assert()
        .failure()
        .code(1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: invalid value for --project-name: project name "fn" is not a usable Cargo package name: it is a Rust keyword; a project name is lowercase letters, digits and '-', at most 63 characters (a DNS-1123 label), and must also be a valid Cargo package name, e.g. "memcached-operator"

"#]]);
    assert_eq!(tree_hash(&dir), before);
}

#[test]
fn init_in_a_directory_whose_name_is_not_a_project_name() {
    let sb = Sandbox::new();
    let dir = sb.dir("my_operator");
    let before = tree_hash(&dir);
    sb.krb(&dir, &["init", "--domain", "example.com"])
        .assert()
        .failure()
        .code(1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: the directory name "my_operator" is not a valid project name (project name "my_operator" must not contain '_' (character 3); only lowercase letters, digits and '-' are allowed; a project name is lowercase letters, digits and '-', at most 63 characters (a DNS-1123 label), and must also be a valid Cargo package name, e.g. "memcached-operator"); pass --project-name

"#]]);
    assert_eq!(tree_hash(&dir), before);
}

#[test]
fn init_domain_with_uppercase() {
    let sb = Sandbox::new();
    let dir = sb.dir("project");
    let before = tree_hash(&dir);
    sb.krb(&dir, &["init", "--domain", "Example.COM"])
        .assert()
        .failure()
        .code(1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: invalid value for --domain: domain "Example.COM" must be lowercase, but character 1 is 'E'; a domain is lowercase letters, digits, '-' and '.', at most 253 characters (a DNS-1123 subdomain), e.g. "example.com" or "my.domain"

"#]]);
    assert_eq!(tree_hash(&dir), before);
}

#[test]
fn init_repo_with_spaces() {
    let sb = Sandbox::new();
    let dir = sb.dir("project");
    let before = tree_hash(&dir);
    sb.krb(&dir, &["init", "--repo", "example.com/my operator"])
        .assert()
        .failure()
        .code(1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: invalid value for --repo: "example.com/my operator" must be a non-empty path without spaces, e.g. example.com/my-operator

"#]]);
    assert_eq!(tree_hash(&dir), before);
}

#[test]
fn init_in_a_read_only_directory_names_it() {
    let sb = Sandbox::new();
    let dir = sb.dir("project");
    let guard = common::ReadOnly::new(&dir);
    let before = tree_hash(&dir);
    sb.krb(&dir, TUTORIAL)
        .assert()
        .failure()
        .code(1)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: nothing was written to [ROOT]/project: .: directory is read-only

"#]]);
    assert_eq!(tree_hash(&dir), before);
    drop(guard);
}

#[test]
fn init_unknown_flag() {
    let sb = Sandbox::new();
    let dir = sb.dir("project");
    let before = tree_hash(&dir);
    sb.krb(&dir, &["init", "--domian", "example.com"])
        .assert()
        .failure()
        .code(2)
        .stdout_eq(str![])
        .stderr_eq(str![[r#"
error: unexpected argument '--domian' found

  tip: a similar argument exists: '--domain'

Usage: krb init --domain <DOMAIN>

For more information, try '--help'.

"#]]);
    assert_eq!(tree_hash(&dir), before);
}
