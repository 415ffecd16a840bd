//! Edits of a generated project's Cargo.toml, through toml_edit so that the user's
//! formatting, comments and ordering survive.

use toml_edit::{DocumentMut, InlineTable, Item, Table, Value};

/// One edit of a Cargo manifest. Every edit is idempotent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TomlEdit {
    /// Ensure `[workspace.dependencies] name = <spec>` exists (an existing entry is kept: the
    /// user may have pinned another version) and that the root package depends on it with
    /// `name.workspace = true`.
    WorkspaceDependency { name: String, spec: DependencySpec },
    /// Ensure a path is listed in `[workspace] members`.
    WorkspaceMember(String),
}

/// A dependency as written in `[workspace.dependencies]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DependencySpec {
    pub version: String,
    pub features: Vec<String>,
    pub default_features: bool,
}

impl DependencySpec {
    pub fn version(v: &str) -> Self {
        Self {
            version: v.to_string(),
            features: Vec::new(),
            default_features: true,
        }
    }

    fn to_item(&self) -> Item {
        if self.features.is_empty() && self.default_features {
            return toml_edit::value(self.version.as_str());
        }
        let mut t = InlineTable::new();
        t.insert("version", self.version.as_str().into());
        if !self.default_features {
            t.insert("default-features", false.into());
        }
        if !self.features.is_empty() {
            let arr: toml_edit::Array = self.features.iter().map(String::as_str).collect();
            t.insert("features", Value::Array(arr));
        }
        Item::Value(Value::InlineTable(t))
    }
}

/// Parse a manifest, naming the line of the first syntax error.
pub fn parse(text: &str) -> Result<DocumentMut, String> {
    text.parse::<DocumentMut>().map_err(|e| {
        let line = e
            .span()
            .map(|s| text[..s.start].matches('\n').count() + 1)
            .unwrap_or(1);
        let msg = e.message().trim().to_string();
        format!("line {line}: invalid TOML: {msg}")
    })
}

impl TomlEdit {
    pub fn apply(&self, text: &str) -> Result<String, String> {
        let mut doc = parse(text)?;
        match self {
            TomlEdit::WorkspaceDependency { name, spec } => {
                let ws = table_mut(doc.as_table_mut(), "workspace")?;
                let deps = table_mut(ws, "dependencies")?;
                if !deps.contains_key(name) {
                    deps.insert(name, spec.to_item());
                }
                let pkg_deps = table_mut(doc.as_table_mut(), "dependencies")?;
                if !pkg_deps.contains_key(name) {
                    let mut t = InlineTable::new();
                    t.insert("workspace", true.into());
                    // Dotted form `name.workspace = true`, as cargo writes it.
                    t.set_dotted(true);
                    pkg_deps.insert(name, Item::Value(Value::InlineTable(t)));
                }
            }
            TomlEdit::WorkspaceMember(member) => {
                let ws = table_mut(doc.as_table_mut(), "workspace")?;
                let members = ws
                    .entry("members")
                    .or_insert_with(|| toml_edit::value(toml_edit::Array::new()))
                    .as_array_mut()
                    .ok_or("`workspace.members` is not an array")?;
                if !members.iter().any(|v| v.as_str() == Some(member.as_str())) {
                    members.push(member.as_str());
                }
            }
        }
        Ok(doc.to_string())
    }
}

fn table_mut<'a>(parent: &'a mut Table, key: &str) -> Result<&'a mut Table, String> {
    let item = parent.entry(key).or_insert_with(|| {
        let mut t = Table::new();
        t.set_implicit(true);
        Item::Table(t)
    });
    item.as_table_mut()
        .ok_or_else(|| format!("`{key}` is not a table"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "\
[workspace]
members = [\"api\"]

[workspace.dependencies]
# pinned by me
anyhow = \"1\"

[package]
name = \"p\"

[dependencies]
anyhow.workspace = true
";

    #[test]
    fn dependency_is_added_once_and_comments_survive() {
        let edit = TomlEdit::WorkspaceDependency {
            name: "thiserror".into(),
            spec: DependencySpec::version("2"),
        };
        let once = edit.apply(MANIFEST).unwrap();
        assert!(once.contains("# pinned by me"));
        assert!(once.contains("thiserror = \"2\""));
        assert!(once.contains("thiserror.workspace = true"));
        assert_eq!(edit.apply(&once).unwrap(), once);
    }

    #[test]
    fn existing_pin_is_kept() {
        let edit = TomlEdit::WorkspaceDependency {
            name: "anyhow".into(),
            spec: DependencySpec::version("2"),
        };
        assert_eq!(edit.apply(MANIFEST).unwrap(), MANIFEST);
    }

    #[test]
    fn member_is_added_once() {
        let edit = TomlEdit::WorkspaceMember("other".into());
        let once = edit.apply(MANIFEST).unwrap();
        assert!(once.contains("members = [\"api\", \"other\"]"), "{once}");
        assert_eq!(edit.apply(&once).unwrap(), once);
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = parse("[a]\nb = \n").unwrap_err();
        assert!(err.starts_with("line 2: invalid TOML"), "{err}");
    }
}
