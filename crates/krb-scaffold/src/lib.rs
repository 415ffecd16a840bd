//! Scaffolding for krb: the project model, template rendering and file plans.
//!
//! Each command is a pure function from options and the current tree to a [`plan::Plan`];
//! the CLI prints or applies it. Nothing here writes to disk except [`plan::Plan::apply`].

pub mod api;
pub mod cargo_toml;
pub mod context;
pub mod init;
pub mod naming;
pub mod plan;
pub mod project;
pub mod templates;
pub mod webhook;

use std::path::PathBuf;

/// Everything that stops a scaffold before any file is written.
#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("invalid value for {flag}: {reason}")]
    Flag {
        flag: &'static str,
        reason: naming::NameError,
    },
    #[error("{0}")]
    Invalid(String),
    #[error(
        "{path}: this directory already holds a krb project; `krb init` refuses to overwrite it"
    )]
    AlreadyInitialized { path: PathBuf },
    #[error(transparent)]
    Project(#[from] project::ProjectError),
    #[error(transparent)]
    Plan(#[from] plan::PlanError),
    #[error(transparent)]
    Template(#[from] templates::TemplateError),
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// A plan ready to apply, with what to tell the user.
#[derive(Debug)]
pub struct Prepared {
    pub plan: plan::Plan,
    /// Printed before applying (non-fatal problems).
    pub warnings: Vec<String>,
    /// Printed after applying, like kubebuilder's "Next:" hints.
    pub next: String,
}
