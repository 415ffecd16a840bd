//! The setup-envtest store and its download path: versions under
//! `<root>/k8s/<version>-<os>-<arch>/` holding `kube-apiserver`, `etcd` and `kubectl` flat, filled
//! from controller-tools' envtest releases index (sha512-checked tar.gz archives).
//!
//! Nothing is ever half-written: archives are downloaded and unpacked in a hidden staging
//! directory next to the version directories (same file system), then renamed into place.

use std::collections::BTreeMap;
use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha512};

/// controller-runtime's `DefaultBinaryAssetsIndexURL`.
pub const DEFAULT_INDEX_URL: &str =
    "https://raw.githubusercontent.com/kubernetes-sigs/controller-tools/HEAD/envtest-releases.yaml";

/// What a complete version directory holds.
pub const BINARIES: [&str; 3] = ["kube-apiserver", "etcd", "kubectl"];

/// The path prefix of the binaries inside the released archives.
const ARCHIVE_PREFIX: &str = "controller-tools/envtest/";

/// A Kubernetes version: exact (`1.37.2`, `v1.38.0-alpha.1`) or a minor line (`1.37`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u64,
    pub minor: u64,
    /// `None` for a minor line: "the newest stable patch".
    pub patch: Option<u64>,
    /// Sorts stable releases above their pre-releases.
    stable: bool,
    pub pre: Option<String>,
}

impl Version {
    pub fn parse(s: &str) -> Result<Self> {
        let t = s.trim();
        let t = t.strip_prefix('v').unwrap_or(t);
        let (core, pre) = match t.split_once('-') {
            Some((c, p)) => (c, Some(p.to_owned())),
            None => (t, None),
        };
        let parts: Vec<&str> = core.split('.').collect();
        let num = |p: &str| p.parse::<u64>().ok();
        let bad = || {
            anyhow::anyhow!("invalid Kubernetes version {s:?}: expected 1.37.2, v1.37.2 or 1.37")
        };
        let (major, minor, patch) = match parts.as_slice() {
            [a, b] if pre.is_none() => (num(a), num(b), None),
            [a, b, c] => (num(a), num(b), Some(num(c).ok_or_else(bad)?)),
            _ => return Err(bad()),
        };
        Ok(Version {
            major: major.ok_or_else(bad)?,
            minor: minor.ok_or_else(bad)?,
            patch,
            stable: pre.is_none(),
            pre,
        })
    }

    pub fn is_exact(&self) -> bool {
        self.patch.is_some()
    }

    /// `1.37` matches `1.37.x` stable releases; an exact version matches only itself.
    pub fn matches(&self, other: &Version) -> bool {
        if self.is_exact() {
            return self == other;
        }
        other.stable && other.major == self.major && other.minor == self.minor
    }
}

impl fmt::Display for Version {
    /// Without the `v`: the spelling of store directory names.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)?;
        if let Some(p) = self.patch {
            write!(f, ".{p}")?;
        }
        if let Some(pre) = &self.pre {
            write!(f, "-{pre}")?;
        }
        Ok(())
    }
}

/// `<os>-<arch>` in Go's spelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Platform {
    pub os: String,
    pub arch: String,
}

impl Platform {
    pub fn host() -> Self {
        let os = match std::env::consts::OS {
            "macos" => "darwin",
            o => o,
        };
        let arch = match std::env::consts::ARCH {
            "x86_64" => "amd64",
            "aarch64" => "arm64",
            "powerpc64" => "ppc64le",
            a => a,
        };
        Platform {
            os: os.to_owned(),
            arch: arch.to_owned(),
        }
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.os, self.arch)
    }
}

/// The store rooted at `root` (setup-envtest's `--bin-dir`).
#[derive(Debug, Clone)]
pub struct Store {
    pub root: PathBuf,
}

impl Store {
    /// `${XDG_DATA_HOME:-~/.local/share}/kubebuilder-envtest` (macOS:
    /// `~/Library/Application Support/io.kubebuilder.envtest`), shared with setup-envtest.
    pub fn default_root() -> Result<PathBuf> {
        let home = || {
            std::env::var_os("HOME")
                .filter(|h| !h.is_empty())
                .map(PathBuf::from)
        };
        if cfg!(target_os = "macos") {
            let home = home().context("HOME is not set; pass --bin-dir")?;
            return Ok(home.join("Library/Application Support/io.kubebuilder.envtest"));
        }
        let data = std::env::var_os("XDG_DATA_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| home().map(|h| h.join(".local/share")))
            .context("neither XDG_DATA_HOME nor HOME is set; pass --bin-dir")?;
        Ok(data.join("kubebuilder-envtest"))
    }

    pub fn new(root: impl Into<PathBuf>) -> Self {
        Store { root: root.into() }
    }

    pub fn k8s_dir(&self) -> PathBuf {
        self.root.join("k8s")
    }

    pub fn version_dir(&self, version: &Version, platform: &Platform) -> PathBuf {
        self.k8s_dir().join(format!("{version}-{platform}"))
    }

    /// Installed exact versions for `platform` with all binaries, newest first.
    pub fn installed(&self, platform: &Platform) -> Vec<(Version, PathBuf)> {
        let suffix = format!("-{platform}");
        let mut found: Vec<(Version, PathBuf)> = std::fs::read_dir(self.k8s_dir())
            .into_iter()
            .flatten()
            .filter_map(|e| {
                let e = e.ok()?;
                let name = e.file_name().into_string().ok()?;
                let v = Version::parse(name.strip_suffix(&suffix)?).ok()?;
                let dir = e.path();
                (v.is_exact() && missing(&dir).is_empty()).then_some((v, dir))
            })
            .collect();
        found.sort_by(|a, b| b.0.cmp(&a.0));
        found
    }
}

/// The binaries `dir` lacks (not present as executable files).
pub fn missing(dir: &Path) -> Vec<&'static str> {
    BINARIES
        .into_iter()
        .filter(|b| !is_executable(&dir.join(b)))
        .collect()
}

pub fn is_executable(path: &Path) -> bool {
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

/// controller-tools' `envtest-releases.yaml`:
/// `releases: {v1.36.2: {envtest-v1.36.2-linux-amd64.tar.gz: {hash, selfLink}}}`.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Index {
    #[serde(default)]
    pub releases: BTreeMap<String, BTreeMap<String, Archive>>,
}

#[derive(Debug, Clone, serde::Deserialize)]
pub struct Archive {
    /// sha512 of the archive, hex.
    pub hash: String,
    #[serde(rename = "selfLink")]
    pub self_link: String,
}

/// An archive chosen from the index.
#[derive(Debug, Clone)]
pub struct Selected {
    pub version: Version,
    pub name: String,
    pub archive: Archive,
}

impl Index {
    pub fn parse(text: &str, source: &str) -> Result<Self> {
        serde_yaml_ng::from_str(text)
            .with_context(|| format!("{source} is not an envtest releases index"))
    }

    /// The newest release matching `wanted` with an archive for `platform`.
    pub fn select(&self, wanted: &Version, platform: &Platform, source: &str) -> Result<Selected> {
        let file = |v: &str| format!("envtest-v{v}-{platform}.tar.gz");
        let mut candidates: Vec<(Version, &BTreeMap<String, Archive>)> = self
            .releases
            .iter()
            .filter_map(|(k, files)| Some((Version::parse(k).ok()?, files)))
            .filter(|(v, _)| wanted.matches(v))
            .collect();
        candidates.sort_by(|a, b| b.0.cmp(&a.0));
        for (version, files) in &candidates {
            let name = file(&version.to_string());
            if let Some(archive) = files.get(&name) {
                return Ok(Selected {
                    version: version.clone(),
                    name,
                    archive: archive.clone(),
                });
            }
        }
        let mut known: Vec<Version> = self
            .releases
            .keys()
            .filter_map(|k| Version::parse(k).ok())
            .collect();
        known.sort();
        let known: Vec<String> = known.iter().rev().take(8).map(|v| v.to_string()).collect();
        if candidates.is_empty() {
            bail!(
                "Kubernetes {wanted} is not in the envtest index {source} (newest there: {}); \
                 for versions not released as envtest archives build them with \
                 `krb envtest use <version> --from-source`",
                known.join(", ")
            );
        }
        bail!(
            "Kubernetes {wanted} has no envtest archive for {platform} in {source} \
             (looked for {})",
            file(&candidates[0].0.to_string())
        )
    }
}

/// An `http(s)://` URL, a `file://` URL or a plain path, as a reader.
fn open(location: &str) -> Result<Box<dyn Read>> {
    if location.starts_with("http://") || location.starts_with("https://") {
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(std::time::Duration::from_secs(30)))
            .build()
            .new_agent();
        let response = agent
            .get(location)
            .call()
            .with_context(|| format!("downloading {location}"))?;
        return Ok(Box::new(response.into_body().into_reader()));
    }
    let path = location.strip_prefix("file://").unwrap_or(location);
    let file = File::open(path).with_context(|| format!("opening {path}"))?;
    Ok(Box::new(file))
}

pub fn fetch_index(location: &str) -> Result<Index> {
    let mut text = String::new();
    open(location)?
        // The index is a few hundred KiB; a cap keeps a wrong URL from filling memory.
        .take(64 << 20)
        .read_to_string(&mut text)
        .with_context(|| format!("reading the envtest index {location}"))?;
    Index::parse(&text, location)
}

/// Downloads `selected`, checks its sha512, unpacks its binaries flat and moves the ones
/// `dest` lacks into it (creating it). Returns `dest`. On any error the store is unchanged.
pub fn install(store: &Store, selected: &Selected, platform: &Platform) -> Result<PathBuf> {
    let k8s = store.k8s_dir();
    std::fs::create_dir_all(&k8s).with_context(|| format!("creating {}", k8s.display()))?;
    // Hidden and not named `<version>-<os>-<arch>`: never mistaken for an installed version,
    // and removed when this function returns, whatever happens.
    let staging = tempfile::Builder::new()
        .prefix(&format!(".download-{}-", selected.version))
        .tempdir_in(&k8s)
        .with_context(|| format!("creating a staging dir in {}", k8s.display()))?;

    let url = &selected.archive.self_link;
    let archive_path = staging.path().join(&selected.name);
    let digest = {
        let mut reader = open(url)?;
        let mut out = File::create(&archive_path)
            .with_context(|| format!("creating {}", archive_path.display()))?;
        let mut hasher = Sha512::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = reader
                .read(&mut buf)
                .with_context(|| format!("downloading {url}"))?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
            out.write_all(&buf[..n])
                .with_context(|| format!("writing {}", archive_path.display()))?;
        }
        hex::encode(hasher.finalize())
    };
    if !digest.eq_ignore_ascii_case(selected.archive.hash.trim()) {
        bail!(
            "sha512 mismatch for {url}: the index says {}, the download is {digest}; \
             nothing was installed",
            selected.archive.hash.trim()
        );
    }

    let unpacked = staging.path().join("bin");
    std::fs::create_dir(&unpacked).with_context(|| format!("creating {}", unpacked.display()))?;
    unpack(&archive_path, &unpacked)
        .with_context(|| format!("unpacking {url}; nothing was installed"))?;
    let lacking = missing(&unpacked);
    if !lacking.is_empty() {
        bail!(
            "{url} lacks {} under {ARCHIVE_PREFIX}; nothing was installed",
            lacking.join(", ")
        );
    }

    let dest = store.version_dir(&selected.version, platform);
    if std::fs::rename(&unpacked, &dest).is_err() {
        // `dest` exists (partly filled, e.g. by --from-source, or by a concurrent run): add
        // what it lacks, file by file, each rename atomic; keep what is there.
        std::fs::create_dir_all(&dest).with_context(|| format!("creating {}", dest.display()))?;
        for name in missing(&dest) {
            let to = dest.join(name);
            std::fs::rename(unpacked.join(name), &to)
                .with_context(|| format!("moving {name} into {}", dest.display()))?;
        }
    }
    Ok(dest)
}

/// Unpacks the regular files of a tar.gz flat into `into`, read-only and executable like
/// setup-envtest (0555). Only the last path component is used, so entries cannot escape.
fn unpack(archive: &Path, into: &Path) -> Result<()> {
    let file = File::open(archive).with_context(|| format!("opening {}", archive.display()))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(BufReader::new(file)));
    let mut files = 0;
    for entry in tar.entries().context("reading the tar stream")? {
        let mut entry = entry.context("reading a tar entry (truncated or corrupt archive?)")?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let path = entry
            .path()
            .context("reading a tar entry name")?
            .into_owned();
        let Some(name) = path.file_name() else {
            continue;
        };
        let to = into.join(name);
        let mut out = File::create(&to).with_context(|| format!("creating {}", to.display()))?;
        std::io::copy(&mut entry, &mut out).with_context(|| {
            format!(
                "extracting {} (truncated or corrupt archive?)",
                path.display()
            )
        })?;
        drop(out);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&to, std::fs::Permissions::from_mode(0o555))
                .with_context(|| format!("making {} executable", to.display()))?;
        }
        files += 1;
    }
    if files == 0 {
        bail!("the archive holds no files");
    }
    Ok(())
}
