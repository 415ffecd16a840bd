//! A real control plane for tests: etcd and kube-apiserver on free loopback ports, like
//! controller-runtime's `envtest`.
//!
//! ```no_run
//! # async fn t() -> Result<(), krb::envtest::Error> {
//! use krb::envtest::Environment;
//!
//! let Some(env) = Environment::builder().crd_dir("config/crd/bases").build().start_or_skip().await
//! else {
//!     return Ok(()); // binaries missing outside CI: a SKIP line was printed
//! };
//! let client = env.client(); // admin (system:masters)
//! # let _ = client; Ok(()) }
//! ```
//!
//! What runs is kube-apiserver (with the embedded apiextensions server) and etcd, started with
//! envtest's flags: RBAC authorization, no `ServiceAccount` admission plugin (no
//! kube-controller-manager creates `default` ServiceAccounts), a service-account issuer and
//! signing key so TokenRequest works, and client-certificate authentication. There is no
//! controller-manager, scheduler or kubelet: Jobs get no pods, nothing is garbage-collected and
//! deleted namespaces stay `Terminating`. Delete Jobs with `DeleteParams::background()` (the
//! batch/v1 default orphans, which leaves an `orphan` finalizer nobody removes here).
//!
//! Binaries: `TEST_ASSET_ETCD` / `TEST_ASSET_KUBE_APISERVER`, else `KUBEBUILDER_ASSETS`, else the
//! newest version in the setup-envtest store (where `krb envtest use` installs them). Also
//! honoured: `KUBEBUILDER_CONTROLPLANE_START_TIMEOUT`, `KUBEBUILDER_CONTROLPLANE_STOP_TIMEOUT`,
//! `KUBEBUILDER_ATTACH_CONTROL_PLANE_OUTPUT` and `USE_EXISTING_CLUSTER`.

mod binaries;
mod certs;
mod crd;
mod error;
mod ports;
mod process;
mod settings;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use base64::Engine as _;
use k8s_openapi::api::core::v1::Namespace;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::config::{AuthInfo, KubeConfigOptions, Kubeconfig};

pub use binaries::{DEFAULT_VERSION, find_binary, newest_store_version, platform, store_dir};
pub use crd::{parse_crds, read_crds};
pub use error::{Error, Result};
pub use settings::parse_go_duration;

use certs::Pki;
use ports::ReservedPort;
use process::Process;

const POLL: Duration = Duration::from_millis(50);

/// How to start a control plane. Cheap to build; nothing happens until [`Environment::start`].
#[derive(Debug, Clone, Default)]
pub struct Environment {
    crd_paths: Vec<PathBuf>,
    crds: Vec<CustomResourceDefinition>,
    binary_assets_dir: Option<PathBuf>,
    start_timeout: Option<Duration>,
    stop_timeout: Option<Duration>,
    attach_output: Option<bool>,
    use_existing_cluster: Option<bool>,
    apiserver_args: Vec<(String, Option<String>)>,
    etcd_args: Vec<(String, Option<String>)>,
}

/// Builder of an [`Environment`]; settings left unset come from the environment variables.
#[derive(Debug, Clone, Default)]
pub struct EnvironmentBuilder {
    env: Environment,
}

impl EnvironmentBuilder {
    /// A directory of CRD YAML files (or one file) to install before `start` returns. A path
    /// that does not exist is an error: a typo must not turn into "no CRDs".
    pub fn crd_dir(mut self, path: impl Into<PathBuf>) -> Self {
        self.env.crd_paths.push(path.into());
        self
    }

    /// A CRD object to install, e.g. `MyKind::crd()` from `#[derive(CustomResource)]`.
    pub fn crd(mut self, crd: CustomResourceDefinition) -> Self {
        self.env.crds.push(crd);
        self
    }

    /// Where etcd and kube-apiserver are; overrides `KUBEBUILDER_ASSETS` but not
    /// `TEST_ASSET_*` (controller-runtime's precedence).
    pub fn binary_assets_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.env.binary_assets_dir = Some(dir.into());
        self
    }

    /// Overrides `KUBEBUILDER_CONTROLPLANE_START_TIMEOUT` (default 60 s).
    pub fn start_timeout(mut self, timeout: Duration) -> Self {
        self.env.start_timeout = Some(timeout);
        self
    }

    /// Overrides `KUBEBUILDER_CONTROLPLANE_STOP_TIMEOUT` (default 20 s).
    pub fn stop_timeout(mut self, timeout: Duration) -> Self {
        self.env.stop_timeout = Some(timeout);
        self
    }

    /// Overrides `KUBEBUILDER_ATTACH_CONTROL_PLANE_OUTPUT`: show etcd and apiserver output
    /// instead of writing it to log files in the temp dir.
    pub fn attach_output(mut self, attach: bool) -> Self {
        self.env.attach_output = Some(attach);
        self
    }

    /// Overrides `USE_EXISTING_CLUSTER`: talk to the current kubeconfig's cluster instead.
    pub fn use_existing_cluster(mut self, existing: bool) -> Self {
        self.env.use_existing_cluster = Some(existing);
        self
    }

    /// Sets or replaces a kube-apiserver flag, e.g. `("--feature-gates", Some("X=true"))`;
    /// `None` value passes the bare flag.
    pub fn apiserver_arg(mut self, flag: impl Into<String>, value: Option<&str>) -> Self {
        self.env
            .apiserver_args
            .push((flag.into(), value.map(str::to_owned)));
        self
    }

    /// Sets or replaces an etcd flag.
    pub fn etcd_arg(mut self, flag: impl Into<String>, value: Option<&str>) -> Self {
        self.env
            .etcd_args
            .push((flag.into(), value.map(str::to_owned)));
        self
    }

    pub fn build(self) -> Environment {
        self.env
    }
}

/// Binaries are present (`true`), or — when they are missing — the test must stop here:
/// outside CI a `SKIP` line naming the test and how to get the binaries is printed and `false`
/// returned; with `CI=true` it panics, so a CI run without binaries fails instead of passing
/// silently. The line goes straight to the process's stderr so `cargo test`'s capture does not
/// hide it.
pub fn require_or_skip() -> bool {
    let missing = ["etcd", "kube-apiserver"]
        .into_iter()
        .find_map(|b| find_binary(b, None).err());
    match missing {
        None => true,
        Some(e) => skip_or_fail(&e),
    }
}

fn skip_or_fail(err: &Error) -> bool {
    let test = std::thread::current()
        .name()
        .unwrap_or("envtest")
        .to_owned();
    if in_ci() {
        panic!("{test}: CI is set, so missing control-plane binaries fail the test:\n{err}");
    }
    let _ = writeln!(
        std::io::stderr().lock(),
        "SKIP {test}: no control plane (set CI=true to make this a failure)\n{err}"
    );
    false
}

/// `CI` set to anything but empty or a false value (CI systems spell "true" differently).
fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| {
        !matches!(
            v.trim(),
            "" | "0" | "f" | "F" | "false" | "False" | "FALSE" | "no"
        )
    })
}

impl Environment {
    pub fn builder() -> EnvironmentBuilder {
        EnvironmentBuilder::default()
    }

    /// [`Environment::start`], with [`require_or_skip`]'s policy for missing binaries:
    /// `None` (after printing SKIP) outside CI, a panic under `CI=true`. Any other start
    /// failure panics, since it is a real test failure.
    pub async fn start_or_skip(&self) -> Option<TestEnv> {
        match self.start().await {
            Ok(env) => Some(env),
            Err(e) if e.is_missing_binaries() => {
                skip_or_fail(&e);
                None
            }
            Err(e) => panic!("{e}"),
        }
    }

    /// Starts etcd and kube-apiserver, waits until the apiserver is ready and namespace
    /// `default` exists, installs the CRDs and waits until they are served.
    pub async fn start(&self) -> Result<TestEnv> {
        let start_timeout = match self.start_timeout {
            Some(t) => t,
            None => settings::duration_var(
                settings::ENV_START_TIMEOUT,
                settings::DEFAULT_START_TIMEOUT,
            )?,
        };
        let stop_timeout = match self.stop_timeout {
            Some(t) => t,
            None => {
                settings::duration_var(settings::ENV_STOP_TIMEOUT, settings::DEFAULT_STOP_TIMEOUT)?
            }
        };
        let attach = match self.attach_output {
            Some(a) => a,
            None => settings::bool_var(settings::ENV_ATTACH_OUTPUT)?,
        };
        let existing = match self.use_existing_cluster {
            Some(e) => e,
            None => settings::bool_var(settings::ENV_USE_EXISTING_CLUSTER)?,
        };

        // Read CRDs first: a bad path should fail before seconds of startup.
        let mut crds = self.crds.clone();
        for path in &self.crd_paths {
            crds.extend(read_crds(path)?);
        }

        let mut env = if existing {
            TestEnv::existing(start_timeout).await?
        } else {
            self.spawn(start_timeout, stop_timeout, attach).await?
        };
        if !crds.is_empty() {
            crd::install(&env.client(), &crds, start_timeout).await?;
        }
        env.start_timeout = start_timeout;
        Ok(env)
    }

    async fn spawn(
        &self,
        start_timeout: Duration,
        stop_timeout: Duration,
        attach: bool,
    ) -> Result<TestEnv> {
        let assets = self.binary_assets_dir.as_deref();
        let etcd_bin = find_binary("etcd", assets)?;
        let apiserver_bin = find_binary("kube-apiserver", assets)?;
        let deadline = Instant::now() + start_timeout;

        let dir = tempfile::Builder::new()
            .prefix("krb-envtest-")
            .tempdir()
            .map_err(|e| Error::io("creating a temp dir", e))?;
        let certs_dir = dir.path().join("certs");
        mkdir(&certs_dir)?;
        let etcd_port = ports::reserve()?;
        let peer_port = ports::reserve()?;
        let api_port = ports::reserve()?;
        let etcd_url = format!("http://127.0.0.1:{}", etcd_port.port);
        let server = format!("https://127.0.0.1:{}", api_port.port);

        let pki = Pki::new()?;
        let serving = pki.serving()?;
        let (sa_pub, sa_key) = certs::service_account_key()?;
        let ca_file = certs_dir.join("client-ca.crt");
        write(&ca_file, &pki.ca_pem())?;
        write(&certs_dir.join("apiserver.crt"), &serving.cert_pem)?;
        write(&certs_dir.join("apiserver.key"), &serving.key_pem)?;
        write(&certs_dir.join("sa-signer.pub"), &sa_pub)?;
        write(&certs_dir.join("sa-signer.key"), &sa_key)?;

        // Processes are owned by `env` from the moment they exist, so an error below (or a
        // panic in the caller) stops them through Drop.
        let mut env = TestEnv {
            client: None,
            config: None,
            kubeconfig: Kubeconfig::default(),
            kubeconfig_path: dir.path().join("kubeconfig"),
            server: server.clone(),
            pki: Some(pki),
            apiserver: None,
            etcd: None,
            stop_timeout,
            start_timeout,
            ports: vec![etcd_port, peer_port, api_port],
            dir: Some(dir),
        };
        let dir = env
            .dir
            .as_ref()
            .map(|d| d.path().to_owned())
            .unwrap_or_default();

        let mut etcd_args = vec![
            (
                "--data-dir".to_owned(),
                Some(dir.join("etcd").display().to_string()),
            ),
            ("--listen-client-urls".to_owned(), Some(etcd_url.clone())),
            ("--advertise-client-urls".to_owned(), Some(etcd_url.clone())),
            (
                "--listen-peer-urls".to_owned(),
                Some(format!("http://127.0.0.1:{}", env.ports[1].port)),
            ),
        ];
        if supports_unsafe_no_fsync(&etcd_bin) {
            // Test data is thrown away; fsync only costs time.
            etcd_args.push(("--unsafe-no-fsync".to_owned(), Some("true".to_owned())));
        }
        let etcd_args = merge_args(etcd_args, &self.etcd_args);
        env.etcd = Some(Process::spawn("etcd", &etcd_bin, &etcd_args, &dir, attach)?);
        let etcd_port = env.ports[0].port;
        wait_etcd(&mut env, etcd_port, deadline, start_timeout).await?;

        let c = |f: &str| Some(certs_dir.join(f).display().to_string());
        let s = |v: &str| Some(v.to_owned());
        let api_args = merge_args(
            vec![
                ("--etcd-servers".to_owned(), s(&etcd_url)),
                (
                    "--cert-dir".to_owned(),
                    Some(certs_dir.display().to_string()),
                ),
                ("--tls-cert-file".to_owned(), c("apiserver.crt")),
                ("--tls-private-key-file".to_owned(), c("apiserver.key")),
                (
                    "--secure-port".to_owned(),
                    Some(env.ports[2].port.to_string()),
                ),
                ("--bind-address".to_owned(), s("127.0.0.1")),
                ("--service-cluster-ip-range".to_owned(), s("10.0.0.0/24")),
                ("--allow-privileged".to_owned(), s("true")),
                (
                    "--disable-admission-plugins".to_owned(),
                    s("ServiceAccount"),
                ),
                ("--authorization-mode".to_owned(), s("RBAC")),
                (
                    "--service-account-issuer".to_owned(),
                    Some(format!("{server}/")),
                ),
                ("--service-account-key-file".to_owned(), c("sa-signer.pub")),
                (
                    "--service-account-signing-key-file".to_owned(),
                    c("sa-signer.key"),
                ),
                ("--client-ca-file".to_owned(), c("client-ca.crt")),
            ],
            &self.apiserver_args,
        );
        env.apiserver = Some(Process::spawn(
            "kube-apiserver",
            &apiserver_bin,
            &api_args,
            &dir,
            attach,
        )?);

        let admin = env.user_kubeconfig("admin", &["system:masters"])?;
        let config =
            kube::Config::from_custom_kubeconfig(admin.clone(), &KubeConfigOptions::default())
                .await?;
        let client = kube::Client::try_from(config.clone())?;
        env.client = Some(client.clone());
        env.config = Some(config);
        write(
            &env.kubeconfig_path,
            &serde_yaml_ng::to_string(&admin).map_err(|e| Error::Unsupported(e.to_string()))?,
        )?;
        env.kubeconfig = admin;

        wait_ready(&mut env, &client, deadline, start_timeout).await?;
        Ok(env)
    }
}

fn mkdir(p: &Path) -> Result<()> {
    std::fs::create_dir_all(p).map_err(|e| Error::io(format!("creating {}", p.display()), e))
}

fn write(p: &Path, text: &str) -> Result<()> {
    std::fs::write(p, text).map_err(|e| Error::io(format!("writing {}", p.display()), e))
}

/// Defaults overridden per flag name by the user's arguments, in order, as `--flag=value`.
fn merge_args(
    mut defaults: Vec<(String, Option<String>)>,
    user: &[(String, Option<String>)],
) -> Vec<String> {
    for (flag, value) in user {
        match defaults.iter_mut().find(|(f, _)| f == flag) {
            Some(slot) => slot.1 = value.clone(),
            None => defaults.push((flag.clone(), value.clone())),
        }
    }
    defaults
        .into_iter()
        .map(|(f, v)| match v {
            Some(v) => format!("{f}={v}"),
            None => f,
        })
        .collect()
}

/// envtest passes `--unsafe-no-fsync` only to etcds that list it in `--help`; the answer is
/// cached per binary because every start would otherwise pay for an extra process.
fn supports_unsafe_no_fsync(etcd: &Path) -> bool {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<PathBuf, bool>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(&known) = cache
        .lock()
        .ok()
        .and_then(|c| c.get(etcd).copied())
        .as_ref()
    {
        return known;
    }
    let supported = std::process::Command::new(etcd)
        .arg("--help")
        .output()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout).contains("--unsafe-no-fsync")
                || String::from_utf8_lossy(&o.stderr).contains("--unsafe-no-fsync")
        })
        .unwrap_or(false);
    if let Ok(mut c) = cache.lock() {
        c.insert(etcd.to_owned(), supported);
    }
    supported
}

/// Polls etcd's `/health` (plain HTTP on loopback, so a few bytes over a socket suffice).
async fn wait_etcd(env: &mut TestEnv, port: u16, deadline: Instant, after: Duration) -> Result<()> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    loop {
        if let Some(p) = env.etcd.as_mut() {
            p.check_running()?;
        }
        let healthy = async {
            let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .ok()?;
            s.write_all(b"GET /health HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")
                .await
                .ok()?;
            let mut buf = Vec::new();
            s.read_to_end(&mut buf).await.ok()?;
            let text = String::from_utf8_lossy(&buf);
            Some(text.starts_with("HTTP/1.") && text.contains(" 200 ") && text.contains("true"))
        };
        let healthy = tokio::time::timeout(Duration::from_secs(2), healthy)
            .await
            .ok()
            .flatten()
            .unwrap_or(false);
        if healthy {
            return Ok(());
        }
        if Instant::now() >= deadline {
            return Err(Error::Timeout {
                what: "etcd /health".to_owned(),
                after,
                log_tail: env
                    .etcd
                    .as_ref()
                    .map(|p| format!("\n{}", p.log_tail()))
                    .unwrap_or_default(),
            });
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Polls `/readyz`, then waits for namespace `default`, which the apiserver creates shortly
/// after it reports ready (envtest waits for it too: tests create objects there at once).
async fn wait_ready(
    env: &mut TestEnv,
    client: &kube::Client,
    deadline: Instant,
    after: Duration,
) -> Result<()> {
    let timeout = |env: &TestEnv, what: &str| Error::Timeout {
        what: what.to_owned(),
        after,
        log_tail: env
            .apiserver
            .as_ref()
            .map(|p| format!("\n{}", p.log_tail()))
            .unwrap_or_default(),
    };
    loop {
        for p in [env.etcd.as_mut(), env.apiserver.as_mut()]
            .into_iter()
            .flatten()
        {
            p.check_running()?;
        }
        let req = http::Request::get("/readyz")
            .body(Vec::new())
            .map_err(|e| Error::Unsupported(e.to_string()))?;
        if let Ok(Ok(body)) =
            tokio::time::timeout(Duration::from_secs(5), client.request_text(req)).await
            && body.trim() == "ok"
        {
            break;
        }
        if Instant::now() >= deadline {
            return Err(timeout(env, "kube-apiserver /readyz"));
        }
        tokio::time::sleep(POLL).await;
    }
    let namespaces: kube::Api<Namespace> = kube::Api::all(client.clone());
    loop {
        match namespaces.get_opt("default").await {
            Ok(Some(_)) => return Ok(()),
            Ok(None) => {}
            Err(e) if Instant::now() >= deadline => return Err(e.into()),
            Err(_) => {}
        }
        if Instant::now() >= deadline {
            return Err(timeout(env, "namespace default"));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// A running control plane (or, with `USE_EXISTING_CLUSTER=true`, a connection to an existing
/// cluster). Dropping it stops kube-apiserver and etcd and removes the temp dir, also when the
/// test panics.
pub struct TestEnv {
    client: Option<kube::Client>,
    config: Option<kube::Config>,
    kubeconfig: Kubeconfig,
    kubeconfig_path: PathBuf,
    server: String,
    /// `None` for an existing cluster: we cannot issue certificates there.
    pki: Option<Pki>,
    apiserver: Option<Process>,
    etcd: Option<Process>,
    stop_timeout: Duration,
    start_timeout: Duration,
    // Released after the processes stopped (field order = drop order after `drop`).
    ports: Vec<ReservedPort>,
    dir: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for TestEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestEnv")
            .field("server", &self.server)
            .field("kubeconfig_path", &self.kubeconfig_path)
            .field("existing_cluster", &self.is_existing_cluster())
            .finish_non_exhaustive()
    }
}

/// A user added with [`TestEnv::add_user`]: authenticated by a client certificate, authorized
/// by whatever RBAC binds to its name or groups.
#[derive(Clone)]
pub struct User {
    client: kube::Client,
    kubeconfig: Kubeconfig,
    kubeconfig_path: PathBuf,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("kubeconfig_path", &self.kubeconfig_path)
            .finish_non_exhaustive()
    }
}

impl User {
    pub fn client(&self) -> kube::Client {
        self.client.clone()
    }

    pub fn kubeconfig(&self) -> &Kubeconfig {
        &self.kubeconfig
    }

    /// A kubeconfig file for this user, for `kubectl --kubeconfig` or a spawned manager.
    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig_path
    }
}

impl TestEnv {
    async fn existing(timeout: Duration) -> Result<TestEnv> {
        let config = kube::Config::infer().await?;
        let client = kube::Client::try_from(config.clone())?;
        let kubeconfig_path = std::env::var_os("KUBECONFIG")
            .and_then(|v| std::env::split_paths(&v).next())
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".kube/config")))
            .unwrap_or_default();
        let kubeconfig = Kubeconfig::read_from(&kubeconfig_path).unwrap_or_default();
        Ok(TestEnv {
            client: Some(client),
            server: config.cluster_url.to_string(),
            config: Some(config),
            kubeconfig,
            kubeconfig_path,
            pki: None,
            apiserver: None,
            etcd: None,
            stop_timeout: Duration::ZERO,
            start_timeout: timeout,
            ports: Vec::new(),
            dir: None,
        })
    }

    /// The admin client (`system:masters`).
    pub fn client(&self) -> kube::Client {
        self.client.clone().expect("a started TestEnv has a client")
    }

    /// The admin client configuration, to derive clients with other settings.
    pub fn config(&self) -> kube::Config {
        self.config.clone().expect("a started TestEnv has a config")
    }

    /// The admin kubeconfig (cluster, user and context all named `envtest`).
    pub fn kubeconfig(&self) -> &Kubeconfig {
        &self.kubeconfig
    }

    /// The admin kubeconfig as a file in the temp dir (for an existing cluster: the
    /// kubeconfig in use).
    pub fn kubeconfig_path(&self) -> &Path {
        &self.kubeconfig_path
    }

    /// `https://127.0.0.1:<port>`.
    pub fn server_url(&self) -> &str {
        &self.server
    }

    pub fn is_existing_cluster(&self) -> bool {
        self.pki.is_none()
    }

    /// The temp dir holding certificates, etcd data, process logs and kubeconfigs.
    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_ref().map(|d| d.path())
    }

    /// Installs CRDs from a file or directory of YAML and waits until they are served.
    pub async fn install_crds(
        &self,
        path: impl AsRef<Path>,
    ) -> Result<Vec<CustomResourceDefinition>> {
        let crds = read_crds(path.as_ref())?;
        crd::install(&self.client(), &crds, self.start_timeout).await?;
        Ok(crds)
    }

    /// Installs CRD objects and waits until they are served.
    pub async fn install_crd_objects(&self, crds: &[CustomResourceDefinition]) -> Result<()> {
        crd::install(&self.client(), crds, self.start_timeout).await
    }

    /// A user authenticated by a client certificate with CN=`name`, O=`groups` (at most two),
    /// and a kubeconfig file `<name>.kubeconfig` for it. No RBAC is created: a new user can do
    /// nothing until the test binds roles (or passes `system:masters`).
    pub async fn add_user(&self, name: &str, groups: &[&str]) -> Result<User> {
        let kubeconfig = self.user_kubeconfig(name, groups)?;
        let config =
            kube::Config::from_custom_kubeconfig(kubeconfig.clone(), &KubeConfigOptions::default())
                .await?;
        let client = kube::Client::try_from(config)?;
        let file = sanitize(name);
        let kubeconfig_path = self
            .dir
            .as_ref()
            .map(|d| d.path().join(format!("{file}.kubeconfig")))
            .unwrap_or_default();
        write(
            &kubeconfig_path,
            &serde_yaml_ng::to_string(&kubeconfig)
                .map_err(|e| Error::Unsupported(e.to_string()))?,
        )?;
        Ok(User {
            client,
            kubeconfig,
            kubeconfig_path,
        })
    }

    /// A client that authenticates with a bearer token, e.g. a ServiceAccount token from the
    /// TokenRequest API, against the same server and CA as the admin client.
    pub fn client_for_token(&self, token: &str) -> Result<kube::Client> {
        let mut config = self.config();
        config.auth_info = auth_info(serde_json::json!({ "token": token }))?;
        Ok(kube::Client::try_from(config)?)
    }

    fn user_kubeconfig(&self, name: &str, groups: &[&str]) -> Result<Kubeconfig> {
        let pki = self.pki.as_ref().ok_or_else(|| {
            Error::Unsupported(
                "add_user needs the control plane's CA; with USE_EXISTING_CLUSTER=true use \
                 client_for_token or impersonation instead"
                    .to_owned(),
            )
        })?;
        let cert = pki.client(name, groups)?;
        let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
        let value = serde_json::json!({
            "apiVersion": "v1",
            "kind": "Config",
            "clusters": [{"name": "envtest", "cluster": {
                "server": self.server,
                "certificate-authority-data": b64(&pki.ca_pem()),
            }}],
            "users": [{"name": "envtest", "user": {
                "client-certificate-data": b64(&cert.cert_pem),
                "client-key-data": b64(&cert.key_pem),
            }}],
            "contexts": [{"name": "envtest", "context": {"cluster": "envtest", "user": "envtest"}}],
            "current-context": "envtest",
        });
        serde_json::from_value(value)
            .map_err(|e| Error::Unsupported(format!("building a kubeconfig: {e}")))
    }

    /// Stops the control plane now (also what Drop does).
    pub fn stop(mut self) {
        self.stop_processes();
    }

    fn stop_processes(&mut self) {
        // Our idle keep-alive connections would otherwise be part of what the apiserver's
        // graceful shutdown waits for.
        self.client = None;
        self.config = None;
        // The apiserver first: stopping etcd under it makes it log errors and slows its exit.
        if let Some(mut p) = self.apiserver.take() {
            p.stop(self.stop_timeout);
        }
        if let Some(mut p) = self.etcd.take() {
            p.stop(self.stop_timeout);
        }
    }
}

impl Drop for TestEnv {
    fn drop(&mut self) {
        self.stop_processes();
    }
}

fn auth_info(value: serde_json::Value) -> Result<AuthInfo> {
    serde_json::from_value(value)
        .map_err(|e| Error::Unsupported(format!("building credentials: {e}")))
}

fn sanitize(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_args_replace_defaults_by_flag() {
        let d = vec![
            ("--a".to_owned(), Some("1".to_owned())),
            ("--b".to_owned(), Some("2".to_owned())),
        ];
        let u = vec![
            ("--b".to_owned(), Some("3".to_owned())),
            ("--c".to_owned(), None),
        ];
        assert_eq!(merge_args(d, &u), ["--a=1", "--b=3", "--c"]);
    }
}
