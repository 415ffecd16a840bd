//! `krb envtest`: control-plane binaries for tests, after controller-runtime's `setup-envtest`.
//!
//! `krb envtest use 1.37.2 --from-source` builds kube-apiserver and etcd with Go; `krb envtest
//! use 1.36.2` downloads a released envtest archive; both land in the setup-envtest store, where
//! `krb::envtest` (and Go's envtest via `KUBEBUILDER_ASSETS`) find them.

pub mod source;
pub mod store;

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, Result, bail};

use source::{DEFAULT_ETCD_VERSION, SourceBuild};
use store::{DEFAULT_INDEX_URL, Platform, Store, Version};

#[derive(Debug, clap::Args)]
pub struct EnvtestArgs {
    #[command(subcommand)]
    pub command: EnvtestCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum EnvtestCommand {
    /// Install a version's kube-apiserver, etcd and kubectl if needed and print where they are.
    ///
    /// The store is setup-envtest's, ${XDG_DATA_HOME:-~/.local/share}/kubebuilder-envtest/k8s,
    /// one <version>-<os>-<arch> directory per version. What is there is reused; otherwise the
    /// version is downloaded from the envtest releases index (sha512-checked) or, with
    /// --from-source, built with Go.
    ///
    ///   export KUBEBUILDER_ASSETS=$(krb envtest use 1.37.2 --from-source -p path)
    Use(UseArgs),
    /// List the versions installed in the store.
    List(ListArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PrintMode {
    /// Version, platform and path, for people.
    Overview,
    /// Only the directory, for `$(...)`.
    Path,
    /// `export KUBEBUILDER_ASSETS=...`, for `eval`.
    Env,
}

#[derive(Debug, Clone, clap::Args)]
pub struct UseArgs {
    /// Kubernetes version: 1.37.2 (exact) or 1.37 (newest installed, else newest stable in the
    /// index). Default: the newest installed version.
    pub version: Option<String>,

    /// Build kube-apiserver and etcd with Go from the module proxy instead of downloading
    /// (needs Go 1.25+; 10-25 minutes on 2 cores the first time). Only missing binaries are built.
    #[arg(long)]
    pub from_source: bool,

    /// What to print.
    #[arg(short = 'p', long = "print", value_enum, default_value = "overview")]
    pub print: PrintMode,

    /// Store root (setup-envtest's --bin-dir); versions go in <DIR>/k8s/.
    #[arg(long, value_name = "DIR")]
    pub bin_dir: Option<PathBuf>,

    /// Envtest releases index: an http(s) URL, file:// URL or path (for air-gapped mirrors).
    #[arg(long, value_name = "URL", default_value = DEFAULT_INDEX_URL)]
    pub index: String,

    /// Use only what is installed; never download or build.
    #[arg(short = 'i', long)]
    pub installed_only: bool,

    /// Target OS (Go spelling). Default: this machine's.
    #[arg(long)]
    pub os: Option<String>,

    /// Target architecture (Go spelling: amd64, arm64). Default: this machine's.
    #[arg(long)]
    pub arch: Option<String>,

    /// etcd version for --from-source.
    #[arg(long, default_value = DEFAULT_ETCD_VERSION)]
    pub etcd_version: String,

    /// The Go program for --from-source.
    #[arg(long, value_name = "PATH", default_value = "go")]
    pub go: PathBuf,
}

#[derive(Debug, Clone, clap::Args)]
pub struct ListArgs {
    /// Store root (setup-envtest's --bin-dir).
    #[arg(long, value_name = "DIR")]
    pub bin_dir: Option<PathBuf>,
}

/// How a version became available.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// Everything was already in the store.
    Reused,
    Downloaded,
    Built,
}

#[derive(Debug, Clone)]
pub struct Installed {
    pub version: Version,
    pub platform: Platform,
    pub dir: PathBuf,
    pub origin: Origin,
}

pub fn run(args: EnvtestArgs) -> Result<()> {
    match args.command {
        EnvtestCommand::Use(args) => {
            let installed = use_version(&args, &mut std::io::stderr())?;
            if installed.origin != Origin::Reused {
                eprintln!(
                    "installed Kubernetes {} ({:?}) into {}",
                    installed.version,
                    installed.origin,
                    installed.dir.display()
                );
            }
            print!("{}", render(&installed, args.print));
            Ok(())
        }
        EnvtestCommand::List(args) => {
            let store = Store::new(root(args.bin_dir.as_ref())?);
            let platform = Platform::host();
            let versions = store.installed(&platform);
            if versions.is_empty() {
                eprintln!(
                    "no complete version for {platform} in {}",
                    store.k8s_dir().display()
                );
            }
            for (v, dir) in versions {
                println!("{v}\t{platform}\t{}", dir.display());
            }
            Ok(())
        }
    }
}

fn root(bin_dir: Option<&PathBuf>) -> Result<PathBuf> {
    match bin_dir {
        Some(d) => Ok(d.clone()),
        None => Store::default_root(),
    }
}

/// The text `use` prints for `mode`.
pub fn render(installed: &Installed, mode: PrintMode) -> String {
    let dir = installed.dir.display().to_string();
    match mode {
        PrintMode::Path => format!("{dir}\n"),
        PrintMode::Env => format!(
            "export KUBEBUILDER_ASSETS='{}'\n",
            dir.replace('\'', r"'\''")
        ),
        PrintMode::Overview => format!(
            "Version: {}\nOS/Arch: {}/{}\nPath: {dir}\n",
            installed.version, installed.platform.os, installed.platform.arch
        ),
    }
}

/// Makes `args.version` available in the store and says where. Progress goes to `progress`.
pub fn use_version(args: &UseArgs, progress: &mut dyn Write) -> Result<Installed> {
    let store = Store::new(root(args.bin_dir.as_ref())?);
    let host = Platform::host();
    let platform = Platform {
        os: args.os.clone().unwrap_or(host.os),
        arch: args.arch.clone().unwrap_or(host.arch),
    };
    let installed = store.installed(&platform);
    let found = |version: Version, dir: PathBuf| Installed {
        version,
        platform: platform.clone(),
        dir,
        origin: Origin::Reused,
    };

    let Some(wanted) = args.version.as_deref() else {
        return match installed.into_iter().next() {
            Some((v, dir)) => Ok(found(v, dir)),
            None => bail!(
                "no version installed for {platform} in {}; install one with \
                 `krb envtest use {} --from-source` or `krb envtest use <released version>`",
                store.k8s_dir().display(),
                source::DEFAULT_KUBERNETES_VERSION
            ),
        };
    };
    let wanted = Version::parse(wanted)?;
    if let Some((v, dir)) = installed.into_iter().find(|(v, _)| wanted.matches(v)) {
        return Ok(found(v, dir));
    }
    if args.installed_only {
        bail!(
            "Kubernetes {wanted} for {platform} is not installed in {} (--installed-only)",
            store.k8s_dir().display()
        );
    }

    if args.from_source {
        let dest = store.version_dir(&wanted, &platform);
        let build = SourceBuild {
            go: args.go.clone().into_os_string(),
            kubernetes: wanted.clone(),
            etcd: args.etcd_version.clone(),
            platform: platform.clone(),
            dest: dest.clone(),
        };
        let built = build.build_missing(progress)?;
        let lacking = store::missing(&dest);
        if !lacking.is_empty() {
            bail!("{} still lacks {}", dest.display(), lacking.join(", "));
        }
        return Ok(Installed {
            version: wanted,
            platform,
            dir: dest,
            origin: if built.is_empty() {
                Origin::Reused
            } else {
                Origin::Built
            },
        });
    }

    let index = store::fetch_index(&args.index)?;
    let selected = index.select(&wanted, &platform, &args.index)?;
    let dir = store.version_dir(&selected.version, &platform);
    if store::missing(&dir).is_empty() {
        return Ok(found(selected.version, dir));
    }
    let _ = writeln!(
        progress,
        "downloading {} from {}",
        selected.name, selected.archive.self_link
    );
    let dir = store::install(&store, &selected, &platform)
        .with_context(|| format!("installing Kubernetes {} for {platform}", selected.version))?;
    Ok(Installed {
        version: selected.version,
        platform,
        dir,
        origin: Origin::Downloaded,
    })
}
