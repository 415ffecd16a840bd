//! `krb make <target>`: the Makefile targets of a kubebuilder project, as subcommands.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};

#[derive(Debug, Subcommand)]
pub enum MakeCommand {
    /// Generate the CRDs (config/crd/bases) and the RBAC role (config/rbac/role.yaml) from
    /// the markers in the Rust sources, without compiling them.
    Manifests(ManifestsArgs),
    /// Generate manifests, then build the manager in release mode.
    Build,
    /// Generate manifests, then run the manager against the current kubeconfig.
    Run(RunArgs),
    /// Generate manifests, then run the project's tests with the envtest binaries.
    Test(TestArgs),
    /// Install the CRDs into the cluster of the current kubeconfig.
    Install,
    /// Uninstall the CRDs from the cluster of the current kubeconfig.
    Uninstall,
    /// Deploy the manager (config/default) to the cluster, with the image IMG.
    Deploy(ImageArgs),
    /// Remove everything `deploy` created.
    Undeploy,
    /// Write dist/install.yaml: every manifest of config/default, with the image IMG.
    BuildInstaller(ImageArgs),
    /// Build the manager's container image IMG with docker.
    DockerBuild(ImageArgs),
    /// Push the container image IMG with docker.
    DockerPush(ImageArgs),
}

#[derive(Debug, Args)]
pub struct ManifestsArgs {
    /// Truncate CRD field descriptions to this many characters (0 drops them), as
    /// controller-gen's `crd:maxDescLen`, for CRDs too large for client-side apply.
    #[arg(long)]
    max_desc_len: Option<usize>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Arguments passed to the manager, after `--`.
    #[arg(last = true)]
    args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Arguments passed to `cargo test`, after `--`.
    #[arg(last = true)]
    args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ImageArgs {
    /// The manager's container image.
    #[arg(long = "img", env = "IMG", default_value = "controller:latest")]
    img: String,
}

pub fn run(cmd: MakeCommand) -> anyhow::Result<()> {
    let root = project_root()?;
    match cmd {
        MakeCommand::Manifests(args) => manifests(&root, args.max_desc_len),
        MakeCommand::Build => {
            manifests(&root, None)?;
            cargo(&root, &["build", "--release", "--bin", "manager"])
        }
        MakeCommand::Run(args) => {
            manifests(&root, None)?;
            let mut cmd = Command::new(cargo_bin());
            cmd.args(["run", "--bin", "manager", "--"])
                .args(&args.args)
                .current_dir(&root);
            if webhooks_lack_certificates(&root, &args.args) {
                // kubebuilder users hit "tls.crt: no such file" here; run without webhooks,
                // as the kubebuilder book tells them to with ENABLE_WEBHOOKS=false.
                eprintln!(
                    "note: no webhook serving certificate in {}: running with ENABLE_WEBHOOKS=false (set ENABLE_WEBHOOKS or --webhook-cert-path to serve webhooks)",
                    default_cert_dir().display()
                );
                cmd.env("ENABLE_WEBHOOKS", "false");
            }
            // Become `cargo run` (which becomes the manager in turn), so that SIGTERM or
            // Ctrl-C sent to `krb make run` reaches the manager and it shuts down gracefully.
            #[cfg(unix)]
            {
                use std::os::unix::process::CommandExt as _;
                let err = cmd.exec();
                Err(anyhow::Error::new(err).context("starting `cargo run --bin manager`"))
            }
            #[cfg(not(unix))]
            status(cmd, "cargo run --bin manager")
        }
        MakeCommand::Test(args) => {
            manifests(&root, None)?;
            test(&root, &args.args)
        }
        MakeCommand::Install => {
            require_cluster()?;
            kubectl(
                &root,
                &[
                    "apply",
                    "--server-side",
                    "--force-conflicts",
                    "-k",
                    "config/crd",
                ],
            )
        }
        MakeCommand::Uninstall => {
            require_cluster()?;
            kubectl(
                &root,
                &[
                    "delete",
                    "--ignore-not-found",
                    "--wait=false",
                    "-k",
                    "config/crd",
                ],
            )
        }
        MakeCommand::Deploy(args) => {
            manifests(&root, None)?;
            set_image(&root, &args.img)?;
            require_cluster()?;
            kubectl(
                &root,
                &[
                    "apply",
                    "--server-side",
                    "--force-conflicts",
                    "-k",
                    "config/default",
                ],
            )
        }
        MakeCommand::Undeploy => {
            require_cluster()?;
            kubectl(
                &root,
                &[
                    "delete",
                    "--ignore-not-found",
                    "--wait=false",
                    "-k",
                    "config/default",
                ],
            )
        }
        MakeCommand::BuildInstaller(args) => {
            manifests(&root, None)?;
            set_image(&root, &args.img)?;
            build_installer(&root)
        }
        MakeCommand::DockerBuild(args) => {
            run_tool(&root, "docker", &["build", "-t", &args.img, "."])
        }
        MakeCommand::DockerPush(args) => run_tool(&root, "docker", &["push", &args.img]),
    }
}

/// The nearest directory holding a PROJECT file, from the current directory up.
fn project_root() -> anyhow::Result<PathBuf> {
    let cwd = std::env::current_dir().context("reading the current directory")?;
    cwd.ancestors()
        .find(|d| d.join(krb_scaffold::project::FILE).is_file())
        .map(Path::to_path_buf)
        .with_context(|| {
            format!(
                "{}: not inside a krb project (no PROJECT file here or above); run `krb init` first",
                cwd.display()
            )
        })
}

fn manifests(root: &Path, max_desc_len: Option<usize>) -> anyhow::Result<()> {
    let opts = krb_markers::Options {
        max_desc_len,
        ..krb_markers::Options::default()
    };
    let output = krb_markers::generate(root, &opts).map_err(|diags| {
        let n = diags.errors.len();
        let s = if n == 1 { "" } else { "s" };
        anyhow::anyhow!("{n} marker error{s}, no manifest was written:\n{diags}")
    })?;
    let mut plan = krb_scaffold::plan::Plan::new();
    for (path, contents) in output.files {
        plan.push(krb_scaffold::plan::Op::Create {
            path,
            contents,
            if_exists: krb_scaffold::plan::IfExists::Overwrite,
        });
    }
    let report = plan
        .apply(root)
        .with_context(|| format!("writing manifests under {}", root.display()))?;
    let mut wrote = false;
    for (path, change) in report.written() {
        println!("{change:>9}  {}", path.display());
        wrote = true;
    }
    if !wrote {
        println!("manifests are up to date");
    }
    Ok(())
}

fn test(root: &Path, extra: &[String]) -> anyhow::Result<()> {
    let mut cmd = Command::new(cargo_bin());
    cmd.arg("test").args(extra).current_dir(root);
    // Point the envtest harness at installed binaries unless the user chose some.
    if std::env::var_os("KUBEBUILDER_ASSETS").is_none()
        && let Some(dir) = installed_assets()
    {
        cmd.env("KUBEBUILDER_ASSETS", dir);
    }
    status(cmd, "cargo test")
}

/// controller-runtime's default `--webhook-cert-path`.
fn default_cert_dir() -> PathBuf {
    std::env::temp_dir().join("k8s-webhook-server/serving-certs")
}

/// Whether `make run` would start a webhook server with no certificate to serve.
fn webhooks_lack_certificates(root: &Path, manager_args: &[String]) -> bool {
    root.join("src/webhook").is_dir()
        && std::env::var_os("ENABLE_WEBHOOKS").is_none()
        && !manager_args
            .iter()
            .any(|a| a.starts_with("--webhook-cert-path") || a.starts_with("--enable-webhooks"))
        && !default_cert_dir().join("tls.crt").is_file()
}

/// The newest complete envtest version in the setup-envtest store, if any.
fn installed_assets() -> Option<PathBuf> {
    use crate::envtest::store::{Platform, Store};
    let store = Store::new(Store::default_root().ok()?);
    store
        .installed(&Platform::host())
        .into_iter()
        .next()
        .map(|(_, dir)| dir)
}

fn build_installer(root: &Path) -> anyhow::Result<()> {
    let out = Command::new("kubectl")
        .args(["kustomize", "config/default"])
        .current_dir(root)
        .output()
        .context("running kubectl kustomize (is kubectl installed?)")?;
    if !out.status.success() {
        bail!(
            "kubectl kustomize config/default failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut plan = krb_scaffold::plan::Plan::new();
    plan.push(krb_scaffold::plan::Op::Create {
        path: "dist/install.yaml".into(),
        contents: String::from_utf8(out.stdout).context("kustomize output is not UTF-8")?,
        if_exists: krb_scaffold::plan::IfExists::Overwrite,
    });
    let report = plan.apply(root).context("writing dist/install.yaml")?;
    for (path, change) in &report.files {
        println!("{change:>9}  {}", path.display());
    }
    Ok(())
}

/// Point config/manager's image at `img` (`kustomize edit set image controller=<img>`).
fn set_image(root: &Path, img: &str) -> anyhow::Result<()> {
    let (name, tag) = split_image(img);
    let rel = "config/manager/kustomization.yaml";
    let path = root.join(rel);
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {rel}"))?;
    let mut saw_name = false;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let indent = &line[..line.len() - line.trim_start().len()];
        let trimmed = line.trim();
        if trimmed.starts_with("newName:") {
            out.push_str(&format!("{indent}newName: {name}\n"));
            saw_name = true;
        } else if trimmed.starts_with("newTag:") {
            out.push_str(&format!("{indent}newTag: {tag}\n"));
        } else {
            out.push_str(line);
        }
    }
    if !saw_name {
        bail!("{rel}: no `images` entry with newName/newTag for the image `controller`");
    }
    let mut plan = krb_scaffold::plan::Plan::new();
    plan.push(krb_scaffold::plan::Op::Create {
        path: rel.into(),
        contents: out,
        if_exists: krb_scaffold::plan::IfExists::Overwrite,
    });
    plan.apply(root).with_context(|| format!("writing {rel}"))?;
    Ok(())
}

/// Split `registry:5000/app:v1` into (`registry:5000/app`, `v1`); no tag means `latest`.
fn split_image(img: &str) -> (&str, &str) {
    let last_slash = img.rfind('/').map_or(0, |i| i + 1);
    match img[last_slash..].rfind(':') {
        Some(i) => (&img[..last_slash + i], &img[last_slash + i + 1..]),
        None => (img, "latest"),
    }
}

/// Fail early, naming the kubeconfig and context, when no cluster answers.
fn require_cluster() -> anyhow::Result<()> {
    let out = Command::new("kubectl")
        .args(["version", "--request-timeout=5s", "-o", "json"])
        .output()
        .context("running kubectl (is it installed?)")?;
    if out.status.success() {
        return Ok(());
    }
    let kubeconfig = std::env::var("KUBECONFIG").unwrap_or_else(|_| {
        std::env::var("HOME")
            .map_or_else(|_| "~/.kube/config".into(), |h| format!("{h}/.kube/config"))
    });
    let context = Command::new("kubectl")
        .args(["config", "current-context"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "<none>".into());
    bail!(
        "no cluster reachable through kubeconfig {kubeconfig} (context {context}):\n{}",
        String::from_utf8_lossy(&out.stderr).trim()
    )
}

fn cargo_bin() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

fn cargo(root: &Path, args: &[&str]) -> anyhow::Result<()> {
    let mut cmd = Command::new(cargo_bin());
    cmd.args(args).current_dir(root);
    status(cmd, &format!("cargo {}", args.join(" ")))
}

fn kubectl(root: &Path, args: &[&str]) -> anyhow::Result<()> {
    run_tool(root, "kubectl", args)
}

fn run_tool(root: &Path, tool: &str, args: &[&str]) -> anyhow::Result<()> {
    let mut cmd = Command::new(tool);
    cmd.args(args).current_dir(root);
    status(cmd, &format!("{tool} {}", args.join(" ")))
}

fn status(mut cmd: Command, what: &str) -> anyhow::Result<()> {
    let status = cmd.status().with_context(|| format!("starting `{what}`"))?;
    if !status.success() {
        bail!("`{what}` failed ({status})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::split_image;

    #[test]
    fn images_split_at_the_tag_not_the_registry_port() {
        assert_eq!(split_image("controller:latest"), ("controller", "latest"));
        assert_eq!(
            split_image("example.com/op:v1.2"),
            ("example.com/op", "v1.2")
        );
        assert_eq!(
            split_image("localhost:5000/op"),
            ("localhost:5000/op", "latest")
        );
        assert_eq!(
            split_image("localhost:5000/op:dev"),
            ("localhost:5000/op", "dev")
        );
    }
}
