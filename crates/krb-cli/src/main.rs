//! `krb`: kubebuilder for Rust.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod commands;
mod envtest;
mod output;

#[derive(Debug, Parser)]
#[command(
    name = "krb",
    version,
    about = "kubebuilder for Rust: scaffold kube-rs operators and generate their manifests",
    long_about = None,
    after_help = "Quick start:\n  krb init --domain my.domain --repo my.domain/guestbook\n  krb create api --group webapp --version v1 --kind Guestbook\n  krb make manifests"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Initialize a new operator project in the current directory.
    Init(commands::init::InitArgs),
    /// Scaffold a Kubernetes API.
    #[command(subcommand)]
    Create(commands::create::CreateCommand),
    /// Run a target of kubebuilder's Makefile: manifests, build, run, test, install, deploy...
    #[command(subcommand)]
    Make(commands::make::MakeCommand),
    /// Install and locate the envtest control plane (kube-apiserver, etcd) for tests.
    Envtest(envtest::EnvtestArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init(args) => commands::init::run(args),
        Command::Create(cmd) => commands::create::run(cmd),
        Command::Make(cmd) => commands::make::run(cmd),
        Command::Envtest(args) => envtest::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
