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
