//! The embedded template tree and its rendering.
//!
//! `templates/init/**` is rendered by `krb init`, `templates/api/**` by `krb create api`. The
//! tree mirrors the generated project: a template's path is its output path, with `.tera`
//! stripped and `__kind__`, `__group__`, `__version__` replaced.

use include_dir::{Dir, DirEntry, include_dir};
use serde::Serialize;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// Errors from rendering a template; they are bugs in krb's templates, not user errors.
#[derive(Debug, thiserror::Error)]
#[error("template {name}: {message}")]
pub struct TemplateError {
    pub name: String,
    pub message: String,
}

/// One rendered file.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Output path relative to the project root.
    pub path: String,
    pub contents: String,
    /// The template's path under `templates/`, to pick file policies.
    pub template: String,
}

/// Values substituted into template file names.
#[derive(Debug, Clone, Default)]
pub struct PathVars<'a> {
    pub kind: &'a str,
    pub group: &'a str,
    pub version: &'a str,
}

/// Render every template under `set` (`"init"` or `"api"`), sorted by output path.
pub fn render_set<C: Serialize>(
    set: &str,
    ctx: &C,
    vars: &PathVars<'_>,
) -> Result<Vec<Rendered>, TemplateError> {
    let dir = TEMPLATES.get_dir(set).ok_or_else(|| TemplateError {
        name: set.to_string(),
        message: "template set missing from the binary".into(),
    })?;
    let context = tera::Context::from_serialize(ctx).map_err(|e| TemplateError {
        name: set.to_string(),
        message: error_chain(&e),
    })?;
    let mut files = Vec::new();
    collect(dir, &mut files);
    let mut out = Vec::with_capacity(files.len());
    for file in files {
        let name = file.path().to_string_lossy().into_owned();
        let source = file.contents_utf8().ok_or_else(|| TemplateError {
            name: name.clone(),
            message: "not UTF-8".into(),
        })?;
        let contents = tera::Tera::one_off(source, &context, false).map_err(|e| TemplateError {
            name: name.clone(),
            message: error_chain(&e),
        })?;
        let rel = name
            .strip_prefix(&format!("{set}/"))
            .unwrap_or(&name)
            .to_string();
        out.push(Rendered {
            path: output_path(&rel, vars),
            contents,
            template: rel,
        });
    }
    out.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(out)
}

fn collect<'a>(dir: &'a Dir<'a>, out: &mut Vec<&'a include_dir::File<'a>>) {
    for entry in dir.entries() {
        match entry {
            DirEntry::Dir(d) => collect(d, out),
            DirEntry::File(f) => out.push(f),
        }
    }
}

fn output_path(rel: &str, vars: &PathVars<'_>) -> String {
    let rel = rel.strip_suffix(".tera").unwrap_or(rel);
    rel.replace("__kind__", vars.kind)
        .replace("__group__", vars.group)
        .replace("__version__", vars.version)
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut msg = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        cur = s.source();
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_substitute_placeholders() {
        let vars = PathVars {
            kind: "cronjob",
            group: "batch",
            version: "v1",
        };
        assert_eq!(
            output_path("config/samples/__group_____version_____kind__.yaml", &vars),
            "config/samples/batch_v1_cronjob.yaml"
        );
        assert_eq!(output_path("api/Cargo.toml.tera", &vars), "api/Cargo.toml");
    }
}
