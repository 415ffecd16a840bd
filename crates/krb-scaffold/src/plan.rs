//! A plan is a pure list of file operations; [`Plan::apply`] carries it out all or nothing.
//!
//! Every operation is first resolved against an in-memory view of the tree, so a plan that
//! fails anywhere (a missing marker, a file that must not exist, an unparsable Cargo.toml)
//! fails before a single byte is written. Writes go to temporary files that are renamed into
//! place only once all of them exist, and a file is rewritten only when its bytes change.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::cargo_toml::TomlEdit;

/// What to do when a file a plan creates already exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfExists {
    /// Keep the existing file (shared files a user may have edited).
    Skip,
    /// Refuse the whole plan.
    Error,
    /// Replace it (krb-owned files, or `--force`).
    Overwrite,
}

/// One file operation; paths are relative to the project root.
#[derive(Debug, Clone)]
pub enum Op {
    /// Write a whole file.
    Create {
        path: PathBuf,
        contents: String,
        if_exists: IfExists,
    },
    /// Insert `fragment` immediately above the line holding `marker`, indented like the
    /// marker. Skipped when the fragment's lines are already there, so re-running is a no-op.
    Insert {
        path: PathBuf,
        marker: String,
        fragment: String,
        /// Place a one-line fragment in version order among the lines right above the marker
        /// (`mod` and `use` lists, which rustfmt keeps sorted), instead of last.
        sorted: bool,
    },
    /// Edit a Cargo manifest with toml_edit, keeping the user's formatting and comments.
    EditToml { path: PathBuf, edit: TomlEdit },
}

impl Op {
    pub fn path(&self) -> &Path {
        match self {
            Op::Create { path, .. } | Op::Insert { path, .. } | Op::EditToml { path, .. } => path,
        }
    }
}

/// Errors found while resolving or applying a plan. Nothing is written when one occurs.
#[derive(Debug, thiserror::Error)]
pub enum PlanError {
    #[error("{path}: already exists (use --force to overwrite)")]
    Exists { path: PathBuf },
    #[error(
        "{path}: scaffold marker `{marker}` not found; restore the marker line to let krb edit this file"
    )]
    MissingMarker { path: PathBuf, marker: String },
    #[error("{path}: file not found, but krb needs to edit it")]
    Missing { path: PathBuf },
    #[error("{path}: {message}")]
    Toml { path: PathBuf, message: String },
    #[error("{path}: directory is read-only")]
    ReadOnly { path: PathBuf },
    #[error("{path}: {error}")]
    Io {
        path: PathBuf,
        error: std::io::Error,
    },
}

/// How a file changed when a plan was applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Change {
    Created,
    Updated,
    Unchanged,
}

impl fmt::Display for Change {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(match self {
            Change::Created => "create",
            Change::Updated => "update",
            Change::Unchanged => "unchanged",
        })
    }
}

/// The outcome of a plan: each touched path and how it changed, in plan order.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Report {
    pub files: Vec<(PathBuf, Change)>,
}

impl Report {
    /// The files that were written (created or updated).
    pub fn written(&self) -> impl Iterator<Item = &(PathBuf, Change)> {
        self.files.iter().filter(|(_, c)| *c != Change::Unchanged)
    }
}

/// An ordered list of operations.
#[derive(Debug, Default, Clone)]
pub struct Plan {
    pub ops: Vec<Op>,
}

/// A file's state while the plan is resolved: what was on disk and what it will become.
struct Pending {
    original: Option<String>,
    current: Option<String>,
}

impl Plan {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, op: Op) {
        self.ops.push(op);
    }

    pub fn extend(&mut self, other: Plan) {
        self.ops.extend(other.ops);
    }

    /// Resolve every operation in memory; returns the final contents of each touched file.
    pub fn resolve(
        &self,
        root: &Path,
    ) -> Result<Vec<(PathBuf, Option<String>, String)>, PlanError> {
        let mut files: BTreeMap<PathBuf, Pending> = BTreeMap::new();
        let mut order: Vec<PathBuf> = Vec::new();
        for op in &self.ops {
            let rel = op.path().to_path_buf();
            if !files.contains_key(&rel) {
                let original = read_optional(&root.join(&rel))?;
                files.insert(
                    rel.clone(),
                    Pending {
                        current: original.clone(),
                        original,
                    },
                );
                order.push(rel.clone());
            }
            let pending = files.get_mut(&rel).expect("inserted above");
            match op {
                Op::Create {
                    contents,
                    if_exists,
                    ..
                } => match (&pending.current, if_exists) {
                    (Some(_), IfExists::Skip) => {}
                    (Some(_), IfExists::Error) => return Err(PlanError::Exists { path: rel }),
                    _ => pending.current = Some(contents.clone()),
                },
                Op::Insert {
                    marker,
                    fragment,
                    sorted,
                    ..
                } => {
                    let text = pending
                        .current
                        .as_deref()
                        .ok_or_else(|| PlanError::Missing { path: rel.clone() })?;
                    pending.current = Some(
                        insert_at_marker(text, marker, fragment, *sorted).ok_or_else(|| {
                            PlanError::MissingMarker {
                                path: rel.clone(),
                                marker: marker.clone(),
                            }
                        })?,
                    );
                }
                Op::EditToml { edit, .. } => {
                    let text = pending
                        .current
                        .as_deref()
                        .ok_or_else(|| PlanError::Missing { path: rel.clone() })?;
                    let edited = edit.apply(text).map_err(|message| PlanError::Toml {
                        path: rel.clone(),
                        message,
                    })?;
                    pending.current = Some(edited);
                }
            }
        }
        Ok(order
            .into_iter()
            .filter_map(|rel| {
                let p = files.remove(&rel).expect("tracked");
                p.current.map(|c| (rel, p.original, c))
            })
            .collect())
    }

    /// Apply the plan under `root`: all files are written, or none.
    pub fn apply(&self, root: &Path) -> Result<Report, PlanError> {
        let resolved = self.resolve(root)?;
        let mut report = Report::default();
        let mut writes: Vec<(PathBuf, String)> = Vec::new();
        for (rel, original, contents) in resolved {
            let change = match original {
                None => Change::Created,
                Some(ref o) if *o == contents => Change::Unchanged,
                Some(_) => Change::Updated,
            };
            if change != Change::Unchanged {
                writes.push((rel.clone(), contents));
            }
            report.files.push((rel, change));
        }
        write_all(root, &writes)?;
        Ok(report)
    }
}

fn read_optional(path: &Path) -> Result<Option<String>, PlanError> {
    match fs::read_to_string(path) {
        Ok(s) => Ok(Some(s)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(error) => Err(PlanError::Io {
            path: path.to_path_buf(),
            error,
        }),
    }
}

/// Insert `fragment` above the marker line. Returns `None` when the marker is missing.
///
/// Each fragment line gets the marker's indentation. When every fragment line is already
/// present, in order, anywhere in the file, the text is returned unchanged: inserts are
/// idempotent. With `sorted`, the fragment goes into the run of non-blank, non-comment lines
/// right above the marker at its version-sorted position.
pub fn insert_at_marker(text: &str, marker: &str, fragment: &str, sorted: bool) -> Option<String> {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let idx = lines.iter().position(|l| l.trim() == marker)?;
    let indent: String = lines[idx]
        .chars()
        .take_while(|c| c.is_whitespace())
        .collect();
    let frag: Vec<String> = fragment
        .lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{indent}{l}")
            }
        })
        .collect();
    if contains_block(&lines, &frag) {
        return Some(text.to_string());
    }
    let mut at = idx;
    if sorted && let [only] = frag.as_slice() {
        let mut start = idx;
        while start > 0 {
            let t = lines[start - 1].trim();
            if t.is_empty() || t.starts_with("//") || t.starts_with('#') {
                break;
            }
            start -= 1;
        }
        at = (start..idx)
            .find(|&i| version_cmp(lines[i].trim(), only.trim()) == std::cmp::Ordering::Greater)
            .unwrap_or(idx);
    }
    let mut out = String::with_capacity(text.len() + fragment.len() + 16);
    for l in &lines[..at] {
        out.push_str(l);
    }
    for l in &frag {
        out.push_str(l);
        out.push('\n');
    }
    for l in &lines[at..] {
        out.push_str(l);
    }
    Some(out)
}

/// Compare strings with runs of digits compared as numbers (`v2` < `v10`), as rustfmt's
/// 2024 style sorts `mod` and `use` items.
pub fn version_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    fn chunks(s: &str) -> Vec<(bool, &str)> {
        let mut out = Vec::new();
        let mut start = 0;
        let bytes = s.as_bytes();
        for i in 1..=bytes.len() {
            if i == bytes.len() || bytes[i].is_ascii_digit() != bytes[start].is_ascii_digit() {
                out.push((bytes[start].is_ascii_digit(), &s[start..i]));
                start = i;
            }
        }
        out
    }
    let (ca, cb) = (chunks(a), chunks(b));
    for ((da, xa), (db, xb)) in ca.iter().zip(&cb) {
        let ord = if *da && *db {
            let (na, nb) = (xa.trim_start_matches('0'), xb.trim_start_matches('0'));
            na.len().cmp(&nb.len()).then(na.cmp(nb))
        } else {
            xa.cmp(xb)
        };
        if ord.is_ne() {
            return ord;
        }
    }
    ca.len().cmp(&cb.len())
}

/// Whether the fragment's lines appear consecutively (ignoring trailing whitespace).
fn contains_block(lines: &[&str], frag: &[String]) -> bool {
    let frag: Vec<&str> = frag.iter().map(|l| l.trim_end()).collect();
    if frag.iter().all(|l| l.is_empty()) {
        return true;
    }
    lines
        .windows(frag.len())
        .any(|w| w.iter().zip(&frag).all(|(a, b)| a.trim_end() == *b))
}

/// Write every file through a temporary sibling, then rename them all into place.
fn write_all(root: &Path, writes: &[(PathBuf, String)]) -> Result<(), PlanError> {
    // Refuse read-only directories up front: permissions bits state the owner's intent even
    // when we run as root, who could otherwise write anyway.
    for (rel, _) in writes {
        if let Some(dir) = existing_ancestor(&root.join(rel))
            && let Ok(meta) = fs::metadata(&dir)
            && meta.permissions().readonly()
        {
            let rel = dir.strip_prefix(root).unwrap_or(&dir);
            let path = if rel.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                rel.to_path_buf()
            };
            return Err(PlanError::ReadOnly { path });
        }
    }
    let mut created_dirs: Vec<PathBuf> = Vec::new();
    let mut staged: Vec<(tempfile::TempPath, PathBuf)> = Vec::new();
    let result = (|| {
        for (rel, contents) in writes {
            let dest = root.join(rel);
            let dir = dest.parent().unwrap_or(root).to_path_buf();
            create_dirs(&dir, &mut created_dirs)?;
            let io = |error| PlanError::Io {
                path: dest.clone(),
                error,
            };
            let mut tmp = tempfile::Builder::new()
                .prefix(".krb-")
                .tempfile_in(&dir)
                .map_err(io)?;
            tmp.write_all(contents.as_bytes()).map_err(io)?;
            tmp.as_file().sync_all().map_err(io)?;
            staged.push((tmp.into_temp_path(), dest));
        }
        Ok(())
    })();
    if let Err(e) = result {
        drop(staged); // removes the temporary files
        for dir in created_dirs.iter().rev() {
            let _ = fs::remove_dir(dir);
        }
        return Err(e);
    }
    for (tmp, dest) in staged {
        tmp.persist(&dest).map_err(|e| PlanError::Io {
            path: dest.clone(),
            error: e.error,
        })?;
    }
    Ok(())
}

fn existing_ancestor(path: &Path) -> Option<PathBuf> {
    let mut cur = path.parent();
    while let Some(p) = cur {
        if p.exists() {
            return Some(p.to_path_buf());
        }
        cur = p.parent();
    }
    None
}

fn create_dirs(dir: &Path, created: &mut Vec<PathBuf>) -> Result<(), PlanError> {
    let mut missing = Vec::new();
    let mut cur = Some(dir);
    while let Some(p) = cur {
        if p.as_os_str().is_empty() || p.exists() {
            break;
        }
        missing.push(p.to_path_buf());
        cur = p.parent();
    }
    for p in missing.into_iter().rev() {
        fs::create_dir(&p).map_err(|error| PlanError::Io {
            path: p.clone(),
            error,
        })?;
        created.push(p);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_goes_above_marker_with_its_indent() {
        let text = "resources:\n  - a.yaml\n  # +krb:scaffold:x\n";
        let out = insert_at_marker(text, "# +krb:scaffold:x", "- b.yaml\n", false).unwrap();
        assert_eq!(
            out,
            "resources:\n  - a.yaml\n  - b.yaml\n  # +krb:scaffold:x\n"
        );
    }

    #[test]
    fn insert_is_idempotent() {
        let text = "a\n// +krb:scaffold:m\nb\n";
        let once = insert_at_marker(text, "// +krb:scaffold:m", "x();\ny();\n", false).unwrap();
        let twice = insert_at_marker(&once, "// +krb:scaffold:m", "x();\ny();\n", false).unwrap();
        assert_eq!(once, "a\nx();\ny();\n// +krb:scaffold:m\nb\n");
        assert_eq!(once, twice);
    }

    #[test]
    fn sorted_insert_keeps_rustfmt_order() {
        let text = "pub mod v1;\npub mod v10;\n// +krb:scaffold:versions\n";
        let out = insert_at_marker(text, "// +krb:scaffold:versions", "pub mod v2;", true).unwrap();
        assert_eq!(
            out,
            "pub mod v1;\npub mod v2;\npub mod v10;\n// +krb:scaffold:versions\n"
        );
        let out = insert_at_marker(&out, "// +krb:scaffold:versions", "pub mod v9;", true).unwrap();
        assert!(out.contains("pub mod v2;\npub mod v9;\npub mod v10;"));
        let first = insert_at_marker(
            "//! doc\n\n// +krb:scaffold:versions\n",
            "// +krb:scaffold:versions",
            "pub mod v1;",
            true,
        )
        .unwrap();
        assert_eq!(first, "//! doc\n\npub mod v1;\n// +krb:scaffold:versions\n");
    }

    #[test]
    fn version_order() {
        use std::cmp::Ordering::*;
        assert_eq!(version_cmp("v2", "v10"), Less);
        assert_eq!(version_cmp("v1", "v1beta1"), Less);
        assert_eq!(version_cmp("v1beta1", "v1beta2"), Less);
        assert_eq!(version_cmp("abc", "abc"), Equal);
    }

    #[test]
    fn insert_without_marker_fails() {
        assert_eq!(
            insert_at_marker("a\n", "// +krb:scaffold:m", "x\n", false),
            None
        );
    }

    #[test]
    fn apply_twice_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut plan = Plan::new();
        plan.push(Op::Create {
            path: "a/b.txt".into(),
            contents: "hello\n# +krb:scaffold:m\n".into(),
            if_exists: IfExists::Skip,
        });
        plan.push(Op::Insert {
            path: "a/b.txt".into(),
            marker: "# +krb:scaffold:m".into(),
            fragment: "world\n".into(),
            sorted: false,
        });
        let first = plan.apply(dir.path()).unwrap();
        assert_eq!(first.files, vec![("a/b.txt".into(), Change::Created)]);
        let second = plan.apply(dir.path()).unwrap();
        assert_eq!(second.files, vec![("a/b.txt".into(), Change::Unchanged)]);
        assert_eq!(
            fs::read_to_string(dir.path().join("a/b.txt")).unwrap(),
            "hello\nworld\n# +krb:scaffold:m\n"
        );
    }

    #[test]
    fn failing_plan_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let mut plan = Plan::new();
        plan.push(Op::Create {
            path: "new/file.txt".into(),
            contents: "x".into(),
            if_exists: IfExists::Error,
        });
        plan.push(Op::Insert {
            path: "missing.txt".into(),
            marker: "# m".into(),
            fragment: "y".into(),
            sorted: false,
        });
        let err = plan.apply(dir.path()).unwrap_err();
        assert!(matches!(err, PlanError::Missing { .. }), "{err}");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn create_error_policy_refuses_existing_file() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("f"), "old").unwrap();
        let mut plan = Plan::new();
        plan.push(Op::Create {
            path: "f".into(),
            contents: "new".into(),
            if_exists: IfExists::Error,
        });
        assert!(matches!(
            plan.apply(dir.path()),
            Err(PlanError::Exists { .. })
        ));
        assert_eq!(fs::read_to_string(dir.path().join("f")).unwrap(), "old");
    }
}
