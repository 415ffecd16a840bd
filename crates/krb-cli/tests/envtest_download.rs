//! `krb envtest use` against a local HTTP server serving a fixture index and tarballs built
//! here, and `--from-source` against a fake `go` that records what it was asked to do.
//! No network, no real Go build.

#![cfg(unix)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use clap::Parser;
use sha2::{Digest, Sha512};

// The command module itself (the CLI has no library target); dead code is whatever only `krb`
// itself calls.
#[allow(dead_code)]
#[path = "../src/envtest/mod.rs"]
mod envtest;

use envtest::store::Platform;
use envtest::{EnvtestArgs, EnvtestCommand, Origin, PrintMode, UseArgs};

#[derive(Parser)]
struct Cli {
    #[command(flatten)]
    envtest: EnvtestArgs,
}

fn use_args(args: &[&str]) -> UseArgs {
    let cli = Cli::try_parse_from(["krb", "use"].iter().chain(args)).unwrap();
    match cli.envtest.command {
        EnvtestCommand::Use(u) => u,
        other => panic!("{other:?}"),
    }
}

/// Routes: path -> (body, bytes actually sent). Sending fewer bytes than the body while
/// announcing its full Content-Length simulates a dropped connection.
#[derive(Default)]
struct Server {
    routes: Mutex<HashMap<String, (Vec<u8>, usize)>>,
    hits: Mutex<HashMap<String, usize>>,
}

impl Server {
    fn start() -> (Arc<Server>, String) {
        let server = Arc::new(Server::default());
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let s = server.clone();
        std::thread::spawn(move || {
            for conn in listener.incoming() {
                let Ok(mut conn) = conn else { continue };
                let mut req = Vec::new();
                let mut byte = [0u8; 1];
                while !req.ends_with(b"\r\n\r\n") && conn.read(&mut byte).unwrap_or(0) == 1 {
                    req.push(byte[0]);
                }
                let req = String::from_utf8_lossy(&req);
                let path = req.split_whitespace().nth(1).unwrap_or("/").to_owned();
                *s.hits.lock().unwrap().entry(path.clone()).or_default() += 1;
                let route = s.routes.lock().unwrap().get(&path).cloned();
                let _ = match route {
                    Some((body, send)) => conn
                        .write_all(
                            format!(
                                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                                body.len()
                            )
                            .as_bytes(),
                        )
                        .and_then(|_| conn.write_all(&body[..send])),
                    None => conn.write_all(
                        b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                    ),
                };
            }
        });
        (server, base)
    }

    fn serve(&self, path: &str, body: Vec<u8>) {
        let n = body.len();
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_owned(), (body, n));
    }

    fn serve_cut(&self, path: &str, body: Vec<u8>, send: usize) {
        self.routes
            .lock()
            .unwrap()
            .insert(path.to_owned(), (body, send));
    }

    fn hits(&self, path: &str) -> usize {
        self.hits.lock().unwrap().get(path).copied().unwrap_or(0)
    }
}

/// A tar.gz shaped like the released ones: `controller-tools/envtest/<binary>`.
fn tarball(binaries: &[&str]) -> Vec<u8> {
    let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut tar = tar::Builder::new(gz);
    let mut dir = tar::Header::new_gnu();
    dir.set_entry_type(tar::EntryType::Directory);
    dir.set_mode(0o755);
    dir.set_size(0);
    tar.append_data(&mut dir, "controller-tools/envtest/", std::io::empty())
        .unwrap();
    for b in binaries {
        let body = format!("#!/bin/sh\necho fake {b}\n");
        let mut h = tar::Header::new_gnu();
        h.set_mode(0o755);
        h.set_size(body.len() as u64);
        tar.append_data(
            &mut h,
            format!("controller-tools/envtest/{b}"),
            body.as_bytes(),
        )
        .unwrap();
    }
    tar.into_inner().unwrap().finish().unwrap()
}

fn sha512(data: &[u8]) -> String {
    hex::encode(Sha512::digest(data))
}

struct Fixture {
    server: Arc<Server>,
    index: String,
    store: tempfile::TempDir,
    platform: Platform,
}

const ALL: [&str; 3] = ["kube-apiserver", "etcd", "kubectl"];

/// An index with a good 1.36.2 and 1.36.0, a pre-release, and broken versions:
/// 1.35.1 wrong hash, 1.35.2 truncated archive (hash of the truncated bytes), 1.35.3 cut off
/// by the server, 1.35.4 without kubectl.
fn fixture() -> Fixture {
    let (server, base) = Server::start();
    let platform = Platform::host();
    let good = tarball(&ALL);
    let truncated = good[..good.len() / 2].to_vec();
    let mut index = String::from("releases:\n");
    let mut add = |version: &str, body: Vec<u8>, hash: String, cut: Option<usize>| {
        let name = format!("envtest-v{version}-{platform}.tar.gz");
        let path = format!("/download/{name}");
        index.push_str(&format!(
            "  v{version}:\n    {name}:\n      hash: {hash}\n      selfLink: {base}{path}\n"
        ));
        match cut {
            Some(n) => server.serve_cut(&path, body, n),
            None => server.serve(&path, body),
        }
    };
    add("1.36.0", good.clone(), sha512(&good), None);
    add("1.36.2", good.clone(), sha512(&good), None);
    add("1.37.0-alpha.1", good.clone(), sha512(&good), None);
    add("1.35.1", good.clone(), sha512(b"something else"), None);
    add("1.35.2", truncated.clone(), sha512(&truncated), None);
    add("1.35.3", good.clone(), sha512(&good), Some(good.len() / 3));
    let no_kubectl = tarball(&["kube-apiserver", "etcd"]);
    add("1.35.4", no_kubectl.clone(), sha512(&no_kubectl), None);
    server.serve("/envtest-releases.yaml", index.into_bytes());
    Fixture {
        server,
        index: format!("{base}/envtest-releases.yaml"),
        store: tempfile::tempdir().unwrap(),
        platform,
    }
}

impl Fixture {
    fn args(&self, version: &str, extra: &[&str]) -> UseArgs {
        let bin = self.store.path().to_str().unwrap().to_owned();
        let mut a = vec![version, "--index", &self.index, "--bin-dir", &bin];
        a.extend(extra);
        use_args(&a)
    }

    fn run(&self, version: &str) -> anyhow::Result<envtest::Installed> {
        envtest::use_version(&self.args(version, &[]), &mut Vec::new())
    }

    fn k8s(&self) -> PathBuf {
        self.store.path().join("k8s")
    }

    /// Entries of the store's k8s dir, hidden staging dirs included.
    fn store_entries(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.k8s())
            .map(|d| {
                d.map(|e| e.unwrap().file_name().into_string().unwrap())
                    .collect()
            })
            .unwrap_or_default();
        v.sort();
        v
    }

    fn version_dir(&self, v: &str) -> PathBuf {
        self.k8s().join(format!("{v}-{}", self.platform))
    }
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn download_installs_flat_read_only_binaries_and_reuses_them() {
    let f = fixture();
    let got = f.run("1.36.2").unwrap();
    assert_eq!(got.origin, Origin::Downloaded);
    assert_eq!(got.dir, f.version_dir("1.36.2"));
    for b in ALL {
        let p = got.dir.join(b);
        assert_eq!(
            std::fs::read_to_string(&p).unwrap(),
            format!("#!/bin/sh\necho fake {b}\n")
        );
        assert_eq!(mode(&p), 0o555, "{b}");
    }
    assert_eq!(f.store_entries(), [format!("1.36.2-{}", f.platform)]);

    let archive = format!("/download/envtest-v1.36.2-{}.tar.gz", f.platform);
    assert_eq!(f.server.hits(&archive), 1);
    let again = f.run("v1.36.2").unwrap();
    assert_eq!(again.origin, Origin::Reused);
    assert_eq!(f.server.hits(&archive), 1, "reuse must not download again");
}

#[test]
fn a_minor_line_picks_the_newest_stable_release() {
    let f = fixture();
    assert_eq!(f.run("1.36").unwrap().version.to_string(), "1.36.2");
    // 1.37 has only a pre-release: not chosen by a minor line.
    let err = f.run("1.37").unwrap_err().to_string();
    assert!(err.contains("not in the envtest index"), "{err}");
    // but an exact pre-release is.
    assert_eq!(
        f.run("1.37.0-alpha.1").unwrap().dir,
        f.version_dir("1.37.0-alpha.1")
    );
}

#[test]
fn wrong_hash_is_refused_and_nothing_is_written() {
    let f = fixture();
    let err = format!("{:#}", f.run("1.35.1").unwrap_err());
    assert!(err.contains("sha512 mismatch"), "{err}");
    assert!(err.contains("nothing was installed"), "{err}");
    assert_eq!(f.store_entries(), Vec::<String>::new());
}

#[test]
fn truncated_archive_is_refused_and_nothing_is_written() {
    let f = fixture();
    let err = format!("{:#}", f.run("1.35.2").unwrap_err());
    assert!(err.contains("truncated or corrupt"), "{err}");
    assert_eq!(f.store_entries(), Vec::<String>::new());
}

#[test]
fn connection_cut_mid_download_is_an_error_and_nothing_is_written() {
    let f = fixture();
    let err = format!("{:#}", f.run("1.35.3").unwrap_err());
    assert!(err.contains("downloading http://127.0.0.1:"), "{err}");
    assert_eq!(f.store_entries(), Vec::<String>::new());
}

#[test]
fn archive_without_kubectl_is_refused() {
    let f = fixture();
    let err = format!("{:#}", f.run("1.35.4").unwrap_err());
    assert!(err.contains("lacks kubectl"), "{err}");
    assert_eq!(f.store_entries(), Vec::<String>::new());
}

#[test]
fn missing_version_lists_what_the_index_has() {
    let f = fixture();
    let err = format!("{:#}", f.run("1.99.0").unwrap_err());
    assert!(err.contains("1.99.0 is not in the envtest index"), "{err}");
    assert!(err.contains("1.36.2"), "{err}");
    assert!(err.contains("--from-source"), "{err}");
    assert_eq!(f.store_entries(), Vec::<String>::new());
}

#[test]
fn a_partial_version_dir_is_completed_without_touching_what_is_there() {
    let f = fixture();
    let dir = f.version_dir("1.36.2");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("etcd"), "#!/bin/sh\necho my own etcd\n").unwrap();
    std::fs::set_permissions(dir.join("etcd"), std::fs::Permissions::from_mode(0o755)).unwrap();
    let got = f.run("1.36.2").unwrap();
    assert_eq!(got.origin, Origin::Downloaded);
    assert_eq!(
        std::fs::read_to_string(dir.join("etcd")).unwrap(),
        "#!/bin/sh\necho my own etcd\n"
    );
    assert!(dir.join("kube-apiserver").is_file() && dir.join("kubectl").is_file());
    assert_eq!(f.store_entries(), [format!("1.36.2-{}", f.platform)]);
}

#[test]
fn installed_only_never_downloads() {
    let f = fixture();
    let err = envtest::use_version(&f.args("1.36.2", &["-i"]), &mut Vec::new())
        .unwrap_err()
        .to_string();
    assert!(err.contains("not installed"), "{err}");
    assert_eq!(f.server.hits("/envtest-releases.yaml"), 0);
    f.run("1.36.2").unwrap();
    let got = envtest::use_version(&f.args("1.36", &["-i"]), &mut Vec::new()).unwrap();
    assert_eq!(got.origin, Origin::Reused);
    // No version at all: the newest installed.
    let bin = f.store.path().to_str().unwrap();
    let newest = envtest::use_version(&use_args(&["--bin-dir", bin]), &mut Vec::new()).unwrap();
    assert_eq!(newest.version.to_string(), "1.36.2");
}

#[test]
fn print_modes() {
    let f = fixture();
    let got = f.run("1.36.2").unwrap();
    let dir = got.dir.display().to_string();
    assert_eq!(envtest::render(&got, PrintMode::Path), format!("{dir}\n"));
    assert_eq!(
        envtest::render(&got, PrintMode::Env),
        format!("export KUBEBUILDER_ASSETS='{dir}'\n")
    );
    let overview = envtest::render(&got, PrintMode::Overview);
    assert!(
        overview.starts_with("Version: 1.36.2\nOS/Arch: "),
        "{overview}"
    );
    assert!(overview.ends_with(&format!("Path: {dir}\n")), "{overview}");
    assert_eq!(
        use_args(&["1.36.2", "-p", "env"]).print,
        PrintMode::Env,
        "-p env parses"
    );
}

/// A fake `go` logging every call (arguments and the environment that matters) and
/// producing executables for `go build -o`. With `fail_on` set, that build writes a partial
/// output and fails.
fn fake_go(dir: &Path, fail_on: Option<&str>) -> (PathBuf, PathBuf) {
    let log = dir.join("go-calls.log");
    let go_mod = dir.join("kubernetes.go.mod");
    std::fs::write(
        &go_mod,
        "module k8s.io/kubernetes\n\nreplace (\n\tk8s.io/api => ./staging/src/k8s.io/api\n\
         \tk8s.io/apiserver => ./staging/src/k8s.io/apiserver\n\
         \tk8s.io/client-go => ./staging/src/k8s.io/client-go\n)\n",
    )
    .unwrap();
    let fail = match fail_on {
        Some(pkg) => format!(
            "case \"$*\" in *{pkg}*) echo partial > \"$out\"; echo 'compile error: boom' >&2; exit 2;; esac"
        ),
        None => String::new(),
    };
    let script = format!(
        r#"#!/bin/sh
echo "GOFLAGS=$GOFLAGS CGO_ENABLED=$CGO_ENABLED GOWORK=$GOWORK :: $*" >> '{log}'
case "$1" in
  version) echo "go version go1.26.8 fake";;
  mod) case "$2" in
         init) echo "module $3" > go.mod;;
         download) echo '{{"Path": "k8s.io/kubernetes", "GoMod": "{go_mod}"}}';;
       esac;;
  build)
    out=""; prev=""
    for a in "$@"; do [ "$prev" = "-o" ] && out="$a"; prev="$a"; done
    {fail}
    printf '#!/bin/sh\necho built\n' > "$out"; chmod +x "$out";;
esac
"#,
        log = log.display(),
        go_mod = go_mod.display(),
    );
    let go = dir.join("go");
    std::fs::write(&go, script).unwrap();
    std::fs::set_permissions(&go, std::fs::Permissions::from_mode(0o755)).unwrap();
    (go, log)
}

#[test]
fn from_source_builds_only_what_is_missing_with_the_staging_replaces() {
    let tools = tempfile::tempdir().unwrap();
    let (go, log) = fake_go(tools.path(), None);
    let store = tempfile::tempdir().unwrap();
    let bin = store.path().to_str().unwrap();
    let args = use_args(&[
        "1.37.2",
        "--from-source",
        "--bin-dir",
        bin,
        "--go",
        go.to_str().unwrap(),
    ]);
    let mut progress = Vec::new();
    let got = envtest::use_version(&args, &mut progress).unwrap();
    assert_eq!(got.origin, Origin::Built);
    for b in ALL {
        assert!(got.dir.join(b).exists(), "{b}");
    }
    let calls = std::fs::read_to_string(&log).unwrap();
    assert!(
        calls.contains(":: get go.etcd.io/etcd/server/v3@v3.6.16"),
        "{calls}"
    );
    assert!(
        calls.contains("-replace=k8s.io/api=k8s.io/api@v0.37.2")
            && calls.contains("-replace=k8s.io/client-go=k8s.io/client-go@v0.37.2")
            && !calls.contains("-require=k8s.io/client-go")
            && calls.contains("-require=k8s.io/kubernetes@v1.37.2"),
        "{calls}"
    );
    let build = calls
        .lines()
        .find(|l| l.contains("k8s.io/kubernetes/cmd/kube-apiserver"))
        .unwrap();
    assert!(
        build.starts_with("GOFLAGS=-mod=mod CGO_ENABLED=0 GOWORK=off :: build -trimpath"),
        "{build}"
    );
    assert!(
        build.contains("-X k8s.io/component-base/version.gitVersion=v1.37.2"),
        "{build}"
    );
    let progress = String::from_utf8(progress).unwrap();
    assert!(
        progress.contains("kube-apiserver: go build k8s.io/kubernetes/cmd/kube-apiserver"),
        "{progress}"
    );
    assert!(progress.contains(" done in "), "{progress}");
    // Nothing temporary is left next to the binaries.
    let mut names: Vec<String> = std::fs::read_dir(&got.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["etcd", "kube-apiserver", "kubectl"]);

    // Second run: everything is there, go is not even asked for its version.
    let before = calls.lines().count();
    let again = envtest::use_version(&args, &mut Vec::new()).unwrap();
    assert_eq!(again.origin, Origin::Reused);
    let after = std::fs::read_to_string(&log).unwrap().lines().count();
    assert_eq!(before, after);
}

#[test]
fn from_source_failure_leaves_no_partial_binary() {
    let tools = tempfile::tempdir().unwrap();
    let (go, _) = fake_go(tools.path(), Some("cmd/kube-apiserver"));
    let store = tempfile::tempdir().unwrap();
    let bin = store.path().to_str().unwrap();
    let args = use_args(&[
        "1.37.2",
        "--from-source",
        "--bin-dir",
        bin,
        "--go",
        go.to_str().unwrap(),
    ]);
    let err = format!(
        "{:#}",
        envtest::use_version(&args, &mut Vec::new()).unwrap_err()
    );
    assert!(err.contains("kube-apiserver: go build"), "{err}");
    assert!(err.contains("compile error: boom"), "{err}");
    let dir = store
        .path()
        .join(format!("k8s/1.37.2-{}", Platform::host()));
    let names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(
        !names.iter().any(|n| n.contains("kube-apiserver")),
        "{names:?}"
    );
    // etcd, built before the failure, is complete and kept.
    assert!(names.contains(&"etcd".to_owned()), "{names:?}");
}

#[test]
fn from_source_without_go_says_what_is_needed() {
    let store = tempfile::tempdir().unwrap();
    let bin = store.path().to_str().unwrap();
    let args = use_args(&[
        "1.37.2",
        "--from-source",
        "--bin-dir",
        bin,
        "--go",
        "/nonexistent/go",
    ]);
    let err = envtest::use_version(&args, &mut Vec::new())
        .unwrap_err()
        .to_string();
    assert!(err.contains("needs Go"), "{err}");
    let err = envtest::use_version(
        &use_args(&["1.37", "--from-source", "--bin-dir", bin]),
        &mut Vec::new(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("exact released version"), "{err}");
}
