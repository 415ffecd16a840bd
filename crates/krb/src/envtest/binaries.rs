//! Where the control-plane binaries are, following controller-runtime's `BinPathFinder` and the
//! setup-envtest store layout, so binaries installed by `setup-envtest` or `krb envtest use` are
//! found without configuration.

use std::path::{Path, PathBuf};

use super::error::{Error, Result};

/// The Kubernetes version `krb envtest use` builds by default; named in error messages.
pub const DEFAULT_VERSION: &str = "1.37.2";

/// Directory holding all three binaries (flat), as in controller-runtime.
pub const ENV_ASSETS: &str = "KUBEBUILDER_ASSETS";
/// controller-runtime's last-resort directory.
const DEFAULT_ASSETS_DIR: &str = "/usr/local/kubebuilder/bin";

/// The setup-envtest store: `${XDG_DATA_HOME:-~/.local/share}/kubebuilder-envtest/k8s` on Linux,
/// `~/Library/Application Support/io.kubebuilder.envtest/k8s` on macOS. Each version lives in
/// `<version>-<os>-<arch>/`.
pub fn store_dir() -> Option<PathBuf> {
    let home = || {
        std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
    };
    if cfg!(target_os = "macos") {
        return home().map(|h| h.join("Library/Application Support/io.kubebuilder.envtest/k8s"));
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| home().map(|h| h.join(".local/share")))?;
    Some(data.join("kubebuilder-envtest").join("k8s"))
}

/// `<os>-<arch>` in Go's spelling, the suffix of store directory names.
pub fn platform() -> String {
    let os = match std::env::consts::OS {
        "macos" => "darwin",
        other => other,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        "powerpc64" => "ppc64le",
        other => other,
    };
    format!("{os}-{arch}")
}

/// The newest `<version>-<os>-<arch>` directory of the store for this platform that holds
/// `binary`; stable versions sort above pre-releases of the same number.
pub fn newest_store_version(store: &Path, binary: &str) -> Option<PathBuf> {
    let suffix = format!("-{}", platform());
    let entries = std::fs::read_dir(store).ok()?;
    entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            let version = name.strip_suffix(&suffix)?;
            let key = version_key(version)?;
            let dir = e.path();
            is_executable(&dir.join(binary)).then_some((key, dir))
        })
        .max_by(|a, b| a.0.cmp(&b.0))
        .map(|(_, dir)| dir)
}

/// Sort key of `1.37.2`, `v1.36.0`, `1.38.0-alpha.1`: numbers first, then "is stable".
fn version_key(v: &str) -> Option<(u64, u64, u64, bool, String)> {
    let v = v.strip_prefix('v').unwrap_or(v);
    let (core, pre) = match v.split_once('-') {
        Some((c, p)) => (c, Some(p)),
        None => (v, None),
    };
    let mut nums = core.split('.').map(|n| n.parse::<u64>());
    let major = nums.next()?.ok()?;
    let minor = nums.next().unwrap_or(Ok(0)).ok()?;
    let patch = nums.next().unwrap_or(Ok(0)).ok()?;
    Some((
        major,
        minor,
        patch,
        pre.is_none(),
        pre.unwrap_or("").to_owned(),
    ))
}

pub(crate) fn is_executable(path: &Path) -> bool {
    let Ok(meta) = std::fs::metadata(path) else {
        return false;
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        meta.is_file() && meta.permissions().mode() & 0o111 != 0
    }
    #[cfg(not(unix))]
    {
        meta.is_file()
    }
}

/// Finds `binary` (`etcd`, `kube-apiserver`, `kubectl`) in controller-runtime's order:
/// `TEST_ASSET_<NAME>`, the directory given to the builder, `KUBEBUILDER_ASSETS`, then — our
/// addition — the newest version in the setup-envtest store, then `/usr/local/kubebuilder/bin`.
/// An explicitly configured place that lacks the binary is an error, not a reason to look
/// elsewhere: silently testing against other binaries than the ones asked for is worse.
pub fn find_binary(binary: &'static str, explicit_dir: Option<&Path>) -> Result<PathBuf> {
    let var = format!(
        "TEST_ASSET_{}",
        binary.to_ascii_uppercase().replace('-', "_")
    );
    let not_found = |searched: String| Error::BinaryNotFound { binary, searched };
    if let Some(p) = std::env::var_os(&var).filter(|p| !p.is_empty()) {
        let p = PathBuf::from(p);
        return if is_executable(&p) {
            Ok(p)
        } else {
            Err(not_found(format!("{var}={}", p.display())))
        };
    }
    let configured = explicit_dir
        .map(|d| {
            (
                d.to_path_buf(),
                "the directory given to Environment::builder()",
            )
        })
        .or_else(|| {
            std::env::var_os(ENV_ASSETS)
                .filter(|d| !d.is_empty())
                .map(|d| (PathBuf::from(d), ENV_ASSETS))
        });
    if let Some((dir, source)) = configured {
        let p = dir.join(binary);
        return if is_executable(&p) {
            Ok(p)
        } else {
            Err(not_found(format!("{} (from {source})", p.display())))
        };
    }
    let mut searched = Vec::new();
    match store_dir() {
        Some(store) => {
            if let Some(dir) = newest_store_version(&store, binary) {
                return Ok(dir.join(binary));
            }
            searched.push(format!(
                "{}/<version>-{}/{binary}",
                store.display(),
                platform()
            ));
        }
        None => searched.push("the setup-envtest store (HOME is not set)".to_owned()),
    }
    let p = Path::new(DEFAULT_ASSETS_DIR).join(binary);
    if is_executable(&p) {
        return Ok(p);
    }
    searched.push(p.display().to_string());
    Err(not_found(format!(
        "{var}, {ENV_ASSETS} (both unset), {}",
        searched.join(", ")
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_sort_numerically_and_stable_above_prerelease() {
        let mut v = [
            "1.9.0",
            "1.37.2",
            "1.37.10",
            "1.38.0-alpha.1",
            "v1.36.2",
            "1.38.0",
        ];
        v.sort_by_key(|s| version_key(s).unwrap());
        assert_eq!(
            v,
            [
                "1.9.0",
                "v1.36.2",
                "1.37.2",
                "1.37.10",
                "1.38.0-alpha.1",
                "1.38.0"
            ]
        );
        assert!(version_key("x.1").is_none());
    }

    #[test]
    fn newest_version_dir_must_hold_the_binary() {
        let store = tempfile::tempdir().unwrap();
        let p = platform();
        for v in ["1.36.2", "1.37.2", "1.38.0"] {
            std::fs::create_dir(store.path().join(format!("{v}-{p}"))).unwrap();
        }
        std::fs::create_dir(store.path().join("1.99.0-plan9-mips")).unwrap();
        for v in ["1.36.2", "1.37.2"] {
            let bin = store.path().join(format!("{v}-{p}/etcd"));
            std::fs::write(&bin, "#!/bin/sh\n").unwrap();
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&bin, std::fs::Permissions::from_mode(0o755)).unwrap();
            }
        }
        let found = newest_store_version(store.path(), "etcd").unwrap();
        assert_eq!(found, store.path().join(format!("1.37.2-{p}")));
        assert!(newest_store_version(store.path(), "kube-apiserver").is_none());
    }
}
