//! `--from-source`: kube-apiserver and etcd built with Go from the module proxy, for versions
//! (or machines) without a released envtest archive. No registry ships kube-apiserver; the Go
//! module proxy has its source.
//!
//! * `k8s.io/kubernetes` cannot be `go install`ed: its go.mod requires the 30-odd staging
//!   modules (`k8s.io/api`, …) at the non-existent `v0.0.0` and maps them to `./staging/…`
//!   with `replace`, which only the main module may do. A throw-away main module requiring
//!   `k8s.io/kubernetes@v1.X.Y` and replacing every staging module with its published
//!   `v0.X.Y` tag builds it. The list comes from the kubernetes go.mod itself, never a copy.
//! * etcd's `package main` is the module root `go.etcd.io/etcd/server/v3`, whose go.mod has local
//!   replaces too but also requires real sibling versions, so a consumer needs no replaces.
//! * The two builds use separate modules: minimal version selection would otherwise mix their
//!   grpc/otel versions.
//!
//! Flags follow upstream `hack/lib/golang.sh` and `version.sh`: static (`CGO_ENABLED=0`),
//! `-trimpath`, `-s -w`, the version stamped with `-X` so `/version` reports it.

use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use super::store::{Platform, Version, is_executable};

/// The version named in hints: the one built and tested with this krb.
pub const DEFAULT_KUBERNETES_VERSION: &str = "1.37.2";

/// etcd paired with Kubernetes 1.34+ upstream is 3.6.x; this is the newest patch we build.
pub const DEFAULT_ETCD_VERSION: &str = "3.6.16";

/// Go build tags of upstream release builds (optional for kube-apiserver, harmless).
const TAGS: &str = "selinux,notest,grpcnotrace";

/// How long a silent Go step may run before we print that it is still going.
const HEARTBEAT: Duration = Duration::from_secs(60);

#[derive(Debug, Clone)]
pub struct SourceBuild {
    /// The `go` program (a path or a name looked up in PATH).
    pub go: OsString,
    pub kubernetes: Version,
    pub etcd: String,
    pub platform: Platform,
    pub dest: PathBuf,
}

/// Progress on stderr: each step's name when it starts, and its elapsed seconds when it ends.
struct Progress<'a> {
    out: &'a mut dyn Write,
    started: Instant,
}

impl std::fmt::Debug for Progress<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Progress").finish_non_exhaustive()
    }
}

impl Progress<'_> {
    fn line(&mut self, text: &str) {
        let _ = writeln!(
            self.out,
            "[envtest {:>6.1}s] {text}",
            self.started.elapsed().as_secs_f64()
        );
    }
}

impl SourceBuild {
    /// Builds the binaries `dest` lacks. Binaries already there are never rebuilt; `kubectl`
    /// is linked from PATH when one is installed (it is only a client), else built too.
    /// Each binary is linked to a temporary name in `dest` and renamed when complete.
    pub fn build_missing(&self, progress: &mut dyn Write) -> Result<Vec<&'static str>> {
        if !self.kubernetes.is_exact() || self.kubernetes.pre.is_some() {
            bail!(
                "--from-source needs an exact released version such as 1.37.2, not {}",
                self.kubernetes
            );
        }
        let mut p = Progress {
            out: progress,
            started: Instant::now(),
        };
        std::fs::create_dir_all(&self.dest)
            .with_context(|| format!("creating {}", self.dest.display()))?;
        let lacks = |name: &str| !is_executable(&self.dest.join(name));
        let mut built = Vec::new();

        if lacks("kubectl")
            && self.platform == Platform::host()
            && let Some(found) = find_in_path("kubectl")
        {
            link(&found, &self.dest.join("kubectl"))?;
            p.line(&format!("kubectl: linked {}", found.display()));
        }
        let todo: Vec<&str> = ["etcd", "kube-apiserver", "kubectl"]
            .into_iter()
            .filter(|b| lacks(b))
            .collect();
        if todo.is_empty() {
            p.line(&format!("all binaries present in {}", self.dest.display()));
            return Ok(built);
        }
        let go_version = self.go_version()?;
        p.line(&format!(
            "building {} with {go_version} into {}",
            todo.join(", "),
            self.dest.display()
        ));

        if todo.contains(&"etcd") {
            let m = GoModule::new(self, "envtest-etcd")?;
            let module = format!("go.etcd.io/etcd/server/v3@v{}", self.etcd);
            m.go(&mut p, &format!("etcd: go get {module}"), &["get", &module])?;
            let pkg = "go.etcd.io/etcd/server/v3";
            self.go_build(&m, &mut p, "etcd", pkg, &["-s", "-w"], None)?;
            built.push("etcd");
        }

        let k8s_todo: Vec<&str> = todo.iter().copied().filter(|b| *b != "etcd").collect();
        if !k8s_todo.is_empty() {
            let m = GoModule::new(self, "envtest-kube-apiserver")?;
            let k8s = format!("k8s.io/kubernetes@v{}", self.kubernetes);
            let json = m.go_output(
                &mut p,
                &format!("kube-apiserver: go mod download {k8s}"),
                &["mod", "download", "-json", &k8s],
            )?;
            let go_mod = downloaded_go_mod(&json)?;
            let text = std::fs::read_to_string(&go_mod)
                .with_context(|| format!("reading {}", go_mod.display()))?;
            let staging = staging_modules(&text);
            if staging.is_empty() {
                bail!(
                    "{} has no `k8s.io/… => ./staging/…` replace lines; cannot build {k8s}",
                    go_mod.display()
                );
            }
            let tag = format!(
                "v0.{}.{}",
                self.kubernetes.minor,
                self.kubernetes.patch.unwrap_or(0)
            );
            let mut edit = vec![
                "mod".to_owned(),
                "edit".to_owned(),
                format!("-require={k8s}"),
            ];
            // Only replaces, no requires: a require would make Go load every staging module,
            // including ones kube-apiserver never imports and the proxy may not serve (seen:
            // k8s.io/sample-cli-plugin@v0.37.2 403). Build info then reads
            // `k8s.io/api v0.0.0 => v0.37.2`; the code is the same.
            edit.extend(staging.iter().map(|m| format!("-replace={m}={m}@{tag}")));
            let edit: Vec<&str> = edit.iter().map(String::as_str).collect();
            m.go(
                &mut p,
                &format!(
                    "kube-apiserver: replace {} staging modules with {tag}",
                    staging.len()
                ),
                &edit,
            )?;
            let ldflags = version_ldflags(&self.kubernetes);
            let ldflags: Vec<&str> = ldflags.iter().map(String::as_str).collect();
            for bin in k8s_todo {
                let pkg = format!("k8s.io/kubernetes/cmd/{bin}");
                self.go_build(&m, &mut p, bin, &pkg, &ldflags, Some(TAGS))?;
                built.push(bin);
            }
        }
        p.line("done");
        Ok(built)
    }

    fn go_version(&self) -> Result<String> {
        let out = Command::new(&self.go)
            .arg("version")
            .output()
            .ok()
            .filter(|o| o.status.success());
        match out {
            Some(o) => Ok(String::from_utf8_lossy(&o.stdout).trim().to_owned()),
            None => bail!(
                "`{} version` failed: --from-source needs Go (1.25 or newer) and access to the \
                 Go module proxy (GOPROXY); or drop --from-source to download a released version",
                self.go.to_string_lossy()
            ),
        }
    }

    fn go_build(
        &self,
        m: &GoModule,
        p: &mut Progress<'_>,
        bin: &'static str,
        pkg: &str,
        ldflags: &[&str],
        tags: Option<&str>,
    ) -> Result<()> {
        let out = self.dest.join(bin);
        let tmp = self
            .dest
            .join(format!(".{bin}.partial-{}", std::process::id()));
        let ld = format!("-ldflags={}", ldflags.join(" "));
        let o = tmp.display().to_string();
        let tags = tags.map(|t| format!("-tags={t}"));
        let mut args = vec!["build", "-trimpath"];
        args.extend(tags.as_deref());
        args.extend([ld.as_str(), "-o", &o, pkg]);
        // The one long step: ~10-20 min for kube-apiserver on 2 cold cores, seconds when warm.
        let step = format!("{bin}: go build {pkg}");
        let result = m.go(p, &step, &args);
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result?;
        std::fs::rename(&tmp, &out)
            .with_context(|| format!("moving {} to {}", tmp.display(), out.display()))?;
        Ok(())
    }
}

/// A throw-away main module in a temp dir, removed when dropped.
struct GoModule<'a> {
    build: &'a SourceBuild,
    dir: tempfile::TempDir,
}

impl<'a> GoModule<'a> {
    fn new(build: &'a SourceBuild, name: &str) -> Result<Self> {
        let dir = tempfile::Builder::new()
            .prefix(&format!("krb-{name}-"))
            .tempdir()
            .context("creating a temp dir for the Go module")?;
        let m = GoModule { build, dir };
        let module = format!("local/{name}");
        let mut sink = Vec::new();
        let mut quiet = Progress {
            out: &mut sink,
            started: Instant::now(),
        };
        m.go(&mut quiet, "go mod init", &["mod", "init", &module])?;
        Ok(m)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.build.go);
        cmd.args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            // -mod=mod lets `go build` add the requirements and go.sum lines it needs.
            .env("GOFLAGS", "-mod=mod")
            .env("CGO_ENABLED", "0")
            // A go.work in a parent directory must not take over the throw-away module.
            .env("GOWORK", "off")
            .env("GOOS", &self.build.platform.os)
            .env("GOARCH", &self.build.platform.arch);
        cmd
    }

    /// Runs go with output to a log file in the module dir (quoted on failure), printing a
    /// heartbeat while it runs long.
    fn go(&self, p: &mut Progress<'_>, step: &str, args: &[&str]) -> Result<()> {
        self.run(p, step, args).map(|_| ())
    }

    /// Like [`Self::go`], returning stdout.
    fn go_output(&self, p: &mut Progress<'_>, step: &str, args: &[&str]) -> Result<String> {
        self.run(p, step, args)
    }

    fn run(&self, p: &mut Progress<'_>, step: &str, args: &[&str]) -> Result<String> {
        let log_path = self.dir.path().join("go.log");
        let out_path = self.dir.path().join("go.stdout");
        let log =
            File::create(&log_path).with_context(|| format!("creating {}", log_path.display()))?;
        let out =
            File::create(&out_path).with_context(|| format!("creating {}", out_path.display()))?;
        p.line(&format!("{step} ..."));
        let started = Instant::now();
        let mut child = self
            .command(args)
            .stdout(out)
            .stderr(log)
            .spawn()
            .with_context(|| format!("running {}", self.build.go.to_string_lossy()))?;
        let mut next_beat = HEARTBEAT;
        let status = loop {
            if let Some(status) = child.try_wait().context("waiting for go")? {
                break status;
            }
            if started.elapsed() >= next_beat {
                p.line(&format!(
                    "{step}: still running ({:.0}s)",
                    started.elapsed().as_secs_f64()
                ));
                next_beat += HEARTBEAT;
            }
            std::thread::sleep(Duration::from_millis(200));
        };
        let took = started.elapsed().as_secs_f64();
        if !status.success() {
            let log = std::fs::read_to_string(&log_path).unwrap_or_default();
            let lines: Vec<&str> = log.lines().collect();
            let tail = lines[lines.len().saturating_sub(30)..].join("\n");
            bail!(
                "{step} failed after {took:.1}s ({status}): go {}\n{tail}",
                args.join(" ")
            );
        }
        p.line(&format!("{step} done in {took:.1}s"));
        std::fs::read_to_string(&out_path)
            .with_context(|| format!("reading {}", out_path.display()))
    }
}

/// The `GoMod` path from `go mod download -json` output.
fn downloaded_go_mod(json: &str) -> Result<PathBuf> {
    #[derive(serde::Deserialize)]
    struct Download {
        #[serde(rename = "GoMod")]
        go_mod: Option<String>,
        #[serde(rename = "Error")]
        error: Option<String>,
    }
    let d: Download = serde_json::from_str(json)
        .with_context(|| format!("parsing `go mod download -json` output: {json}"))?;
    if let Some(e) = d.error {
        bail!("go mod download: {e}");
    }
    d.go_mod
        .map(PathBuf::from)
        .context("`go mod download -json` reported no GoMod file")
}

/// The modules kubernetes' go.mod maps to `./staging/…`: exactly the ones that need a replace.
pub fn staging_modules(go_mod: &str) -> Vec<String> {
    let mut mods: Vec<String> = go_mod
        .lines()
        .filter_map(|line| {
            let line = line.trim().strip_prefix("replace ").unwrap_or(line.trim());
            let (module, target) = line.split_once("=>")?;
            let module = module.split_whitespace().next()?;
            (module.starts_with("k8s.io/") && target.trim().starts_with("./staging/"))
                .then(|| module.to_owned())
        })
        .collect();
    mods.sort();
    mods.dedup();
    mods
}

/// `-X` stamps of upstream's `hack/lib/version.sh`; without them `/version` says
/// `v0.0.0-master`. Only the module's own version is ever stamped: feature-gate emulation
/// keys off it.
pub fn version_ldflags(v: &Version) -> Vec<String> {
    let mut flags = vec!["-s".to_owned(), "-w".to_owned()];
    for pkg in [
        "k8s.io/component-base/version",
        "k8s.io/client-go/pkg/version",
    ] {
        flags.push(format!("-X {pkg}.gitVersion=v{v}"));
        flags.push(format!("-X {pkg}.gitMajor={}", v.major));
        flags.push(format!("-X {pkg}.gitMinor={}", v.minor));
        flags.push(format!("-X {pkg}.gitTreeState=clean"));
        flags.push(format!("-X {pkg}.buildDate={}", utc_now_rfc3339()));
    }
    flags
}

/// `YYYY-MM-DDTHH:MM:SSZ` now, without a date crate (days-to-civil, Howard Hinnant).
fn utc_now_rfc3339() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let (days, rem) = (secs / 86_400, secs % 86_400);
    let z = days as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

fn find_in_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn link(target: &Path, at: &Path) -> Result<()> {
    #[cfg(unix)]
    let r = std::os::unix::fs::symlink(target, at);
    #[cfg(not(unix))]
    let r = std::fs::copy(target, at).map(|_| ());
    r.with_context(|| format!("linking {} to {}", at.display(), target.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staging_modules_come_from_the_replace_block() {
        let go_mod = "module k8s.io/kubernetes\n\nrequire (\n\tk8s.io/api v0.0.0\n)\n\n\
            replace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n\
            \tk8s.io/apiserver => ./staging/src/k8s.io/apiserver\n\
            \tgithub.com/x/y => github.com/x/z v1.0.0\n)\n\
            replace k8s.io/kms => ./staging/src/k8s.io/kms\n";
        assert_eq!(
            staging_modules(go_mod),
            ["k8s.io/api", "k8s.io/apiserver", "k8s.io/kms"]
        );
    }

    #[test]
    fn rfc3339_shape() {
        let s = utc_now_rfc3339();
        assert_eq!(s.len(), 20, "{s}");
        assert!(s.starts_with("20") && s.ends_with('Z'), "{s}");
    }
}
