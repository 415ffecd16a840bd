//! `krb init`

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use krb_scaffold::init::{self, InitOptions, License};

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Domain for groups: group `batch` becomes `batch.<domain>`.
    #[arg(long, default_value = "my.domain")]
    domain: String,
    /// Repository of the project, recorded in PROJECT and Cargo.toml [default: <domain>/<project-name>]
    #[arg(long)]
    repo: Option<String>,
    /// Name of the project, a DNS-1123 label [default: the directory name]
    #[arg(long)]
    project_name: Option<String>,
    /// Copyright owner for the license header.
    #[arg(long, default_value = "")]
    owner: String,
    /// License header of the generated Rust files.
    #[arg(long, value_enum, default_value_t = LicenseArg::Apache2)]
    license: LicenseArg,
    /// Print the files that would be written, and write nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum LicenseArg {
    Apache2,
    None,
}

pub fn run(args: InitArgs) -> anyhow::Result<()> {
    let root = std::env::current_dir().context("reading the current directory")?;
    let opts = InitOptions {
        domain: args.domain,
        repo: args.repo,
        project_name: args.project_name,
        owner: args.owner,
        license: match args.license {
            LicenseArg::Apache2 => License::Apache2,
            LicenseArg::None => License::None,
        },
        // krb's own tests build generated projects against this checkout.
        dev_crates: std::env::var("KRB_DEV_CRATES")
            .ok()
            .filter(|s| !s.is_empty()),
    };
    let prepared = init::plan(&root, &opts)?;
    crate::output::apply(&root, prepared, args.dry_run)
}
