//! Integration tests of krb live in tests/tests/; this library holds what they share.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Removes the variables cargo sets for a running test (`CARGO_MANIFEST_DIR`, `CARGO_PKG_*`,
/// ...) from a command that runs cargo on another workspace. Build scripts track some of them
/// (ring's tracks `CARGO_MANIFEST_DIR`), so inheriting them makes the next build outside the
/// test rebuild those crates, and that build makes the test's build rebuild them again.
pub fn scrub_cargo_env(cmd: &mut Command) -> &mut Command {
    const SET_BY_CARGO: [&str; 6] = [
        "CARGO_BIN_NAME",
        "CARGO_CRATE_NAME",
        "CARGO_PRIMARY_PACKAGE",
        "CARGO_RUSTC_CURRENT_DIR",
        "CARGO_TARGET_TMPDIR",
        "OUT_DIR",
    ];
    for (name, _) in std::env::vars_os() {
        let Some(name) = name.to_str() else { continue };
        if SET_BY_CARGO.contains(&name)
            || name.starts_with("CARGO_PKG_")
            || name.starts_with("CARGO_MANIFEST_")
        {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// The root of this repository (tests/ is one of its folders).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ is inside the repository")
        .to_path_buf()
}

/// The target dir the golden projects share: tests/generated.rs, tests/e2e.rs and
/// tests/e2e_webhook.rs (KRB_GENERATED_TARGET_DIR, default target/generated).
pub fn generated_target_dir() -> PathBuf {
    std::env::var_os("KRB_GENERATED_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/generated"))
}

/// What the end-to-end tiers (tests/e2e.rs, tests/e2e_webhook.rs) share: the binaries they
/// build, the tools they run, and the manager as a process.
pub mod e2e {
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, ExitStatus, Stdio};
    use std::sync::OnceLock;
    use std::time::{Duration, Instant};

    use anyhow::{Context as _, Result, bail, ensure};
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    use krb::envtest::TestEnv;
    use kube::api::{Api, ApiResource, GroupVersionKind};
    use kube::runtime::wait::{await_condition, conditions};

    pub use super::{generated_target_dir, repo_root};

    /// Bound of every wait for the API server or the manager.
    pub const WAIT: Duration = Duration::from_secs(30);
    /// Pause between polls of something that cannot be watched (a log file, an HTTP
    /// endpoint): the default of [`ManagerProcess`].
    pub const POLL: Duration = Duration::from_millis(100);

    pub const GROUP: &str = "batch.tutorial.kubebuilder.io";
    pub const CRD: &str = "cronjobs.batch.tutorial.kubebuilder.io";

    pub fn project_dir() -> PathBuf {
        repo_root().join("testdata/project")
    }

    /// Cargo, for another build than the one running this test.
    pub fn cargo() -> Command {
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        crate::scrub_cargo_env(&mut cmd);
        cmd
    }

    /// Runs a command to completion; its stdout, or an error quoting both streams.
    pub fn run(cmd: &mut Command) -> Result<String> {
        let what = format!("{cmd:?}");
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("starting {what} (is it installed?)"))?;
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        ensure!(
            out.status.success(),
            "{what} failed ({}):\n{stdout}\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        Ok(stdout)
    }

    /// Builds once per test process and shares the result (or the error) with every test.
    fn built(
        cell: &'static OnceLock<Result<PathBuf, String>>,
        build: fn() -> Result<PathBuf>,
    ) -> Result<PathBuf> {
        cell.get_or_init(|| build().map_err(|e| format!("{e:#}")))
            .clone()
            .map_err(anyhow::Error::msg)
    }

    /// The `krb` binary of this checkout, built with this test's profile into this test's
    /// target dir, so the e2e tiers never run a stale CLI. Built once per test process.
    pub fn krb_binary() -> Result<PathBuf> {
        static KRB: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        built(&KRB, || {
            // The running test binary (this library is linked into it):
            // <target>/<profile dir>/deps/<test>-<hash>
            let exe = std::env::current_exe().context("locating the test binary")?;
            let profile_dir = exe
                .parent()
                .and_then(Path::parent)
                .context("the test binary is not in <target>/<profile>/deps")?;
            let target = profile_dir.parent().context("no target dir")?;
            let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
                Some("debug") | None => "dev",
                Some(other) => other,
            };
            run(cargo()
                .args(["build", "--quiet", "-p", "krb-cli", "--bin", "krb"])
                .args(["--profile", profile, "--target-dir"])
                .arg(target)
                .current_dir(repo_root()))?;
            Ok(profile_dir.join("krb"))
        })
    }

    /// testdata/project's manager binary, in the shared target dir. Built once per test
    /// process: this is the slow part of the tiers, and the shared target dir makes it cheap
    /// after tests/generated.rs ran.
    pub fn manager_binary() -> Result<PathBuf> {
        static MANAGER: OnceLock<Result<PathBuf, String>> = OnceLock::new();
        built(&MANAGER, || {
            let target = generated_target_dir();
            run(cargo()
                .args(["build", "--quiet", "--bin", "manager"])
                .current_dir(project_dir())
                .env("CARGO_TARGET_DIR", &target))?;
            Ok(target.join("debug/manager"))
        })
    }

    /// Environment for kubectl and krb: the harness's admin kubeconfig, and a discovery cache
    /// of this control plane's own (never the user's ~/.kube/cache).
    pub fn kube_env(env: &TestEnv) -> Vec<(&'static str, PathBuf)> {
        let dir = env.dir().unwrap_or_else(|| Path::new("."));
        vec![
            ("KUBECONFIG", env.kubeconfig_path().to_owned()),
            ("KUBECACHEDIR", dir.join("kubectl-cache")),
        ]
    }

    pub fn kubectl(env: &TestEnv, dir: &Path, args: &[&str]) -> Result<String> {
        run(Command::new("kubectl")
            .args(args)
            .current_dir(dir)
            .envs(kube_env(env)))
    }

    pub fn cronjob_resource() -> ApiResource {
        let gvk = GroupVersionKind::gvk(GROUP, "v1", "CronJob");
        ApiResource::from_gvk_with_plural(&gvk, "cronjobs")
    }

    pub async fn wait_established(env: &TestEnv, name: &str) -> Result<()> {
        let crds = Api::<CustomResourceDefinition>::all(env.client());
        let waited = tokio::time::timeout(
            WAIT,
            await_condition(crds, name, conditions::is_crd_established()),
        )
        .await;
        ensure!(
            matches!(waited, Ok(Ok(Some(_)))),
            "CRD {name} not Established within {WAIT:?}: {waited:?}"
        );
        Ok(())
    }

    /// A loopback port nobody listens on right now (the manager binds it a moment later).
    pub fn free_port() -> Result<u16> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").context("finding a free port")?;
        Ok(listener.local_addr()?.port())
    }

    /// The manager running as its own process, as in a pod: output to a log file, stopped
    /// with SIGTERM. Dropped before [`ManagerProcess::passed`], it prints its log (a failing
    /// test's output then shows what the manager saw) and kills the process.
    #[derive(Debug)]
    pub struct ManagerProcess {
        child: Child,
        log: PathBuf,
        passed: bool,
        poll: Duration,
    }

    impl ManagerProcess {
        /// Starts `binary` with `args` and the kubeconfig; `unset` names further variables
        /// it must not inherit. It polls every [`POLL`] unless told otherwise
        /// ([`ManagerProcess::with_poll`]).
        pub fn start(
            binary: &Path,
            kubeconfig: &Path,
            log: PathBuf,
            args: &[String],
            unset: &[&str],
        ) -> Result<Self> {
            let mut cmd = Command::new(binary);
            cmd.args(args);
            for name in unset {
                cmd.env_remove(name);
            }
            Self::spawn(cmd, kubeconfig, log)
        }

        /// Starts a prepared command (e.g. `krb make run -- ...` in a project) the same way:
        /// the kubeconfig, plain-text logs to `log`, no inherited POD_NAMESPACE.
        pub fn spawn(mut cmd: Command, kubeconfig: &Path, log: PathBuf) -> Result<Self> {
            let out = std::fs::File::create(&log)
                .with_context(|| format!("creating {}", log.display()))?;
            let err = out.try_clone()?;
            cmd.env("KUBECONFIG", kubeconfig)
                // Plain text for the assertions: no colors, default verbosity.
                .env("NO_COLOR", "1")
                .env("RUST_LOG", "info")
                .env_remove("POD_NAMESPACE");
            let what = format!("{cmd:?}");
            let child = cmd
                .stdin(Stdio::null())
                .stdout(out)
                .stderr(err)
                .spawn()
                .with_context(|| format!("starting {what}"))?;
            Ok(ManagerProcess {
                child,
                log,
                passed: false,
                poll: POLL,
            })
        }

        /// The pause between polls of its log and of its exit.
        pub fn with_poll(mut self, poll: Duration) -> Self {
            self.poll = poll;
            self
        }

        pub fn log(&self) -> String {
            std::fs::read_to_string(&self.log).unwrap_or_default()
        }

        pub fn is_running(&mut self) -> bool {
            matches!(self.child.try_wait(), Ok(None))
        }

        /// Whether it still runs, and its log: the context of every failure involving it.
        pub fn state(&mut self) -> String {
            let status = match self.child.try_wait() {
                Ok(None) => "running".to_owned(),
                Ok(Some(status)) => format!("exited ({status})"),
                Err(e) => format!("unknown ({e})"),
            };
            format!("{status}, log {}:\n{}", self.log.display(), self.log())
        }

        /// The first log line `matches` accepts, waiting for it up to [`WAIT`].
        pub async fn wait_for_line(
            &mut self,
            what: &str,
            matches: impl Fn(&str) -> bool,
        ) -> Result<String> {
            let deadline = Instant::now() + WAIT;
            loop {
                if let Some(line) = self.log().lines().find(|l| matches(l)) {
                    return Ok(line.to_owned());
                }
                if let Some(status) = self.child.try_wait()? {
                    bail!("the manager exited ({status}) before logging {what}");
                }
                if Instant::now() >= deadline {
                    bail!("the manager logged no {what} within {WAIT:?}");
                }
                tokio::time::sleep(self.poll).await;
            }
        }

        /// SIGTERM, as the kubelet stops a pod, and the exit status (bounded by [`WAIT`]).
        pub async fn terminate(&mut self) -> Result<ExitStatus> {
            let pid = rustix::process::Pid::from_child(&self.child);
            rustix::process::kill_process(pid, rustix::process::Signal::TERM)
                .context("sending SIGTERM to the manager")?;
            let deadline = Instant::now() + WAIT;
            loop {
                if let Some(status) = self.child.try_wait()? {
                    return Ok(status);
                }
                if Instant::now() >= deadline {
                    bail!("the manager did not exit within {WAIT:?} of SIGTERM");
                }
                tokio::time::sleep(self.poll).await;
            }
        }

        /// The test passed: no log dump on drop.
        pub fn passed(mut self) {
            self.passed = true;
        }
    }

    impl Drop for ManagerProcess {
        fn drop(&mut self) {
            if self.is_running() {
                let _ = self.child.kill();
                let _ = self.child.wait();
            }
            if !self.passed {
                eprintln!(
                    "--- manager log {} ---\n{}--- end of manager log ---",
                    self.log.display(),
                    self.log()
                );
            }
        }
    }
}
