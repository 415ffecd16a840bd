//! Helpers shared by the CLI tests: running krb in a directory, and hashing a tree.

#![allow(dead_code)] // each test binary uses a different subset

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The krb binary under test.
pub fn krb() -> &'static str {
    env!("CARGO_BIN_EXE_krb")
}

/// The repository root.
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("crates/krb-cli is two levels down")
        .to_path_buf()
}

/// Run krb with `args` in `dir`, without a terminal on stdin.
pub fn run_krb(dir: &Path, args: &[&str]) -> Output {
    Command::new(krb())
        .args(args)
        .current_dir(dir)
        .env_remove("KRB_DEV_CRATES")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("krb runs")
}

/// Every file under `root` (relative path -> bytes), skipping build output.
pub fn read_tree(root: &Path) -> BTreeMap<String, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for path in entries {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            if rel == "target" || rel == "Cargo.lock" {
                continue;
            }
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = BTreeMap::new();
    if root.exists() {
        walk(root, root, &mut out);
    }
    out
}

/// A digest of a tree: paths, contents and permission bits, to prove nothing changed.
pub fn tree_hash(root: &Path) -> String {
    use std::hash::{DefaultHasher, Hash, Hasher};
    use std::os::unix::fs::PermissionsExt;
    let mut h = DefaultHasher::new();
    for (rel, bytes) in read_tree(root) {
        rel.hash(&mut h);
        bytes.hash(&mut h);
        let mode = std::fs::metadata(root.join(&rel))
            .unwrap()
            .permissions()
            .mode();
        mode.hash(&mut h);
    }
    let mut dirs = Vec::new();
    collect_dirs(root, &mut dirs);
    dirs.hash(&mut h);
    format!("{:016x}", h.finish())
}

fn collect_dirs(dir: &Path, out: &mut Vec<String>) {
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut paths: Vec<_> = entries.map(|e| e.unwrap().path()).collect();
        paths.sort();
        for p in paths {
            if p.is_dir() {
                out.push(p.to_string_lossy().into_owned());
                collect_dirs(&p, out);
            }
        }
    }
}

/// A fresh project directory `<tmp>/<name>` initialised with the tutorial's flags.
pub fn init_project(tmp: &Path, name: &str) -> PathBuf {
    let dir = tmp.join(name);
    std::fs::create_dir_all(&dir).unwrap();
    let out = run_krb(
        &dir,
        &[
            "init",
            "--domain",
            "tutorial.kubebuilder.io",
            "--repo",
            "tutorial.kubebuilder.io/project",
        ],
    );
    assert!(out.status.success(), "init failed: {out:?}");
    dir
}

/// A file tree as [`read_tree`] returns it.
pub type Tree = std::collections::BTreeMap<String, Vec<u8>>;

/// A temporary directory for transcript tests. Its canonical path is redacted as `[ROOT]` in
/// every snapshot, so the snapshots do not depend on where the temporary directory lives.
pub struct Sandbox {
    _tmp: tempfile::TempDir,
    root: PathBuf,
}

impl Default for Sandbox {
    fn default() -> Self {
        Self::new()
    }
}

impl Sandbox {
    pub fn new() -> Self {
        let tmp = tempfile::tempdir().expect("temporary directory");
        // krb prints paths from `current_dir()`, which resolves symlinks.
        let root = tmp.path().canonicalize().expect("canonical temp dir");
        Sandbox { _tmp: tmp, root }
    }

    /// `[ROOT]`, unredacted.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// An empty directory `[ROOT]/<name>`.
    pub fn dir(&self, name: &str) -> PathBuf {
        let dir = self.root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// `[ROOT]/<name>`, initialised with the tutorial's flags (see [`init_project`]).
    pub fn project(&self, name: &str) -> PathBuf {
        init_project(&self.root, name)
    }

    /// `krb <args>` in `dir`, ready for snapbox assertions: stdin is an empty pipe (not a
    /// terminal), the environment cannot change the output, and `[ROOT]` is redacted.
    pub fn krb(&self, dir: &Path, args: &[&str]) -> snapbox::cmd::Command {
        // No path normalization: it would turn the `\d` of a printed regex into `/d`.
        let assert = snapbox::Assert::new()
            .action_env(snapbox::assert::DEFAULT_ACTION_ENV)
            .normalize_paths(false);
        let mut redactions = assert.redactions().clone();
        redactions
            .insert("[ROOT]", self.root.clone())
            .expect("valid placeholder");
        snapbox::cmd::Command::new(krb())
            .args(args)
            .current_dir(dir)
            .env_remove("KRB_DEV_CRATES")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("COLUMNS")
            .stdin("")
            .with_assert(assert.redact_with(redactions))
    }
}

/// Run a setup step (`krb <args>` in `dir`) that must succeed.
pub fn krb_ok(dir: &Path, args: &[&str]) {
    let out = run_krb(dir, args);
    assert!(
        out.status.success(),
        "krb {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The `create`/`update`/`unchanged` lines krb printed: (change, path).
pub fn printed_changes(stdout: &[u8]) -> Vec<(String, String)> {
    String::from_utf8_lossy(stdout)
        .lines()
        .filter_map(|line| {
            let (change, path) = line.trim_start().split_once("  ")?;
            ["create", "update", "unchanged"]
                .contains(&change)
                .then(|| (change.to_string(), path.trim().to_string()))
        })
        .collect()
}

/// The files krb printed as created or updated are exactly the files that changed between
/// `before` and `after`, and each one changed the way krb said; `unchanged` files did not.
pub fn assert_printed_changes(stdout: &[u8], before: &Tree, after: &Tree) {
    let printed = printed_changes(stdout);
    assert!(!printed.is_empty(), "krb printed no file list");
    let mut listed = std::collections::BTreeSet::new();
    for (change, path) in &printed {
        let (b, a) = (before.get(path), after.get(path));
        match change.as_str() {
            "create" => assert!(
                b.is_none() && a.is_some(),
                "{path}: printed `create`, but it existed before or is missing now"
            ),
            "update" => assert!(
                b.is_some() && a.is_some() && b != a,
                "{path}: printed `update`, but it did not change"
            ),
            _ => assert_eq!(b, a, "{path}: printed `unchanged`, but it changed"),
        }
        if change != "unchanged" {
            listed.insert(path.as_str());
        }
    }
    let changed: std::collections::BTreeSet<&str> = before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .map(String::as_str)
        .collect();
    assert_eq!(
        changed, listed,
        "the files that changed on disk differ from the files krb listed"
    );
}

/// `chmod -R a-w` on a directory; dropping it restores every original mode.
pub struct ReadOnly {
    modes: Vec<(PathBuf, u32)>,
}

impl ReadOnly {
    pub fn new(dir: &Path) -> Self {
        use std::os::unix::fs::PermissionsExt;
        fn walk(p: &Path, out: &mut Vec<(PathBuf, u32)>) {
            let mode = std::fs::symlink_metadata(p).unwrap().permissions().mode();
            out.push((p.to_path_buf(), mode));
            if std::fs::symlink_metadata(p).unwrap().is_dir() {
                let mut entries: Vec<_> = std::fs::read_dir(p)
                    .unwrap()
                    .map(|e| e.unwrap().path())
                    .collect();
                entries.sort();
                for e in entries {
                    walk(&e, out);
                }
            }
        }
        let mut modes = Vec::new();
        walk(dir, &mut modes);
        // Children first, so a directory is still writable while its entries change.
        for (p, mode) in modes.iter().rev() {
            std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode & !0o222)).unwrap();
        }
        ReadOnly { modes }
    }
}

impl Drop for ReadOnly {
    fn drop(&mut self) {
        use std::os::unix::fs::PermissionsExt;
        for (p, mode) in &self.modes {
            let _ = std::fs::set_permissions(p, std::fs::Permissions::from_mode(*mode));
        }
    }
}
