//! `krb`: kubebuilder for Rust.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod commands;
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
    /// Scaffold a Kubernetes API or webhook.
    #[command(subcommand)]
    Create(commands::create::CreateCommand),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Init(args) => commands::init::run(args),
        Command::Create(cmd) => commands::create::run(cmd),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
