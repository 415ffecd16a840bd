//! `krb init`: a new operator workspace.

use std::path::Path;

use crate::context::{self, Ctx, ProjectCtx};
use crate::plan::{IfExists, Op, Plan};
use crate::project::{self, ProjectConfig};
use crate::templates::{self, PathVars};
use crate::{Prepared, ScaffoldError, naming};

/// License header choices, as kubebuilder's `--license`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum License {
    Apache2,
    None,
}

impl License {
    pub fn key(self) -> &'static str {
        match self {
            License::Apache2 => "apache2",
            License::None => "none",
        }
    }
}

#[derive(Debug, Clone)]
pub struct InitOptions {
    pub domain: String,
    /// Defaults to `<domain>/<project-name>`.
    pub repo: Option<String>,
    /// Defaults to the directory name.
    pub project_name: Option<String>,
    pub owner: String,
    pub license: License,
    /// A local `crates/` directory to patch krb from (krb's own tests).
    pub dev_crates: Option<String>,
}

/// Files whose presence means the directory already holds a project.
const PROJECT_FILES: [&str; 2] = [project::FILE, "src/main.rs"];

/// Files a user may already have in a fresh repository; krb keeps theirs.
const KEEP_EXISTING: [&str; 2] = ["README.md", ".gitignore"];

/// Plan the new project in `root`.
pub fn plan(root: &Path, opts: &InitOptions) -> Result<Prepared, ScaffoldError> {
    refuse_existing_project(root)?;

    naming::validate_domain(&opts.domain).map_err(|reason| ScaffoldError::Flag {
        flag: "--domain",
        reason,
    })?;
    let name = match &opts.project_name {
        Some(n) => {
            naming::validate_project_name(n).map_err(|reason| ScaffoldError::Flag {
                flag: "--project-name",
                reason,
            })?;
            n.clone()
        }
        None => default_project_name(root)?,
    };
    let repo = opts
        .repo
        .clone()
        .unwrap_or_else(|| format!("{}/{name}", opts.domain));
    if repo.trim().is_empty() || repo.chars().any(char::is_whitespace) {
        return Err(ScaffoldError::Invalid(format!(
            "invalid value for --repo: {repo:?} must be a non-empty path without spaces, e.g. example.com/my-operator"
        )));
    }

    let ctx = Ctx {
        project: ProjectCtx::new(&name, &opts.domain, &repo, &opts.owner, opts.license.key()),
        krb_version: context::KRB_VERSION,
        rust_version: context::RUST_VERSION,
        boilerplate: String::new(),
        dev_crates: opts.dev_crates.clone(),
        resource: None,
    };
    let rendered = templates::render_set("init", &ctx, &PathVars::default())?;
    let boilerplate = rendered
        .iter()
        .find(|r| r.path == context::BOILERPLATE)
        .map(|r| r.contents.clone())
        .unwrap_or_default();
    // Rust files carry the license header; render again with it.
    let ctx = Ctx {
        boilerplate: header(&boilerplate),
        ..ctx
    };
    let rendered = templates::render_set("init", &ctx, &PathVars::default())?;

    let mut plan = Plan::new();
    for file in rendered {
        // An empty rendering means the file does not apply (the header with --license none).
        if file.contents.trim().is_empty() {
            continue;
        }
        let if_exists = if KEEP_EXISTING.contains(&file.path.as_str()) {
            IfExists::Skip
        } else {
            IfExists::Error
        };
        plan.push(Op::Create {
            path: file.path.into(),
            contents: file.contents,
            if_exists,
        });
    }
    let config = ProjectConfig {
        cli_version: context::KRB_VERSION.to_string(),
        domain: opts.domain.clone(),
        layout: vec![project::LAYOUT.to_string()],
        project_name: name,
        repo,
        resources: Vec::new(),
        version: "3".to_string(),
    };
    plan.push(Op::Create {
        path: project::FILE.into(),
        contents: config.render(),
        if_exists: IfExists::Error,
    });

    let mut warnings = Vec::new();
    if !is_effectively_empty(root)? {
        warnings.push(format!(
            "{} is not empty; krb will add its files and keep yours (README.md and .gitignore are kept as they are)",
            root.display()
        ));
    }
    Ok(Prepared {
        plan,
        warnings,
        next: "Next: define a resource with:\n$ krb create api".to_string(),
    })
}

/// The license header as it opens a Rust file: the boilerplate and one blank line.
pub fn header(boilerplate: &str) -> String {
    let trimmed = boilerplate.trim_end();
    if trimmed.is_empty() {
        String::new()
    } else {
        format!("{trimmed}\n\n")
    }
}

fn refuse_existing_project(root: &Path) -> Result<(), ScaffoldError> {
    for f in PROJECT_FILES {
        if root.join(f).exists() {
            return Err(ScaffoldError::AlreadyInitialized { path: f.into() });
        }
    }
    let manifest = root.join("Cargo.toml");
    if let Ok(text) = std::fs::read_to_string(&manifest) {
        let doc = crate::cargo_toml::parse(&text)
            .map_err(|m| ScaffoldError::Invalid(format!("Cargo.toml: {m}")))?;
        let what = if doc.contains_key("workspace") {
            "a Cargo workspace"
        } else {
            "a Cargo package"
        };
        return Err(ScaffoldError::Invalid(format!(
            "Cargo.toml: this directory already holds {what}; run `krb init` in an empty directory (or one holding only README.md, .gitignore and dot-files)"
        )));
    }
    Ok(())
}

fn default_project_name(root: &Path) -> Result<String, ScaffoldError> {
    let abs = std::path::absolute(root).map_err(|error| ScaffoldError::Io {
        path: root.to_path_buf(),
        error,
    })?;
    let base = abs
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    naming::validate_project_name(&base).map_err(|e| {
        ScaffoldError::Invalid(format!(
            "the directory name {base:?} is not a valid project name ({e}); pass --project-name"
        ))
    })?;
    Ok(base)
}

/// Empty but for dot-entries such as `.git`, as kubebuilder's check.
fn is_effectively_empty(root: &Path) -> Result<bool, ScaffoldError> {
    let entries = match std::fs::read_dir(root) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(error) => {
            return Err(ScaffoldError::Io {
                path: root.to_path_buf(),
                error,
            });
        }
    };
    for entry in entries.flatten() {
        if !entry.file_name().to_string_lossy().starts_with('.') {
            return Ok(false);
        }
    }
    Ok(true)
}
