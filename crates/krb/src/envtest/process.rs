//! One control-plane process: spawned with its output in a log file (or attached to ours),
//! stopped with SIGTERM, then SIGKILL after the stop timeout.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::error::{Error, Result};

/// Lines of a process log quoted in errors: enough for the fatal message, short enough to read.
const LOG_TAIL_LINES: usize = 25;

#[derive(Debug)]
pub(crate) struct Process {
    name: &'static str,
    child: Option<Child>,
    /// `None` when the output is attached to the test's own stdout/stderr.
    log: Option<PathBuf>,
}

impl Process {
    pub(crate) fn spawn(
        name: &'static str,
        binary: &Path,
        args: &[String],
        log_dir: &Path,
        attach: bool,
    ) -> Result<Self> {
        let mut cmd = Command::new(binary);
        cmd.args(args).stdin(Stdio::null());
        let log = if attach {
            None
        } else {
            let path = log_dir.join(format!("{name}.log"));
            let out = File::create(&path)
                .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
            let err = out
                .try_clone()
                .map_err(|e| Error::io(format!("duplicating {}", path.display()), e))?;
            cmd.stdout(out).stderr(err);
            Some(path)
        };
        let child = cmd
            .spawn()
            .map_err(|e| Error::io(format!("starting {}", binary.display()), e))?;
        Ok(Process {
            name,
            child: Some(child),
            log,
        })
    }

    /// An error if the process already exited: waiting for readiness is then pointless.
    pub(crate) fn check_running(&mut self) -> Result<()> {
        let Some(child) = self.child.as_mut() else {
            return Ok(());
        };
        match child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => Err(self.exited(status)),
            Err(e) => Err(Error::io(format!("waiting for {}", self.name), e)),
        }
    }

    fn exited(&self, status: ExitStatus) -> Error {
        Error::ProcessExited {
            name: self.name,
            status: status.to_string(),
            log_tail: self.log_tail(),
        }
    }

    /// The end of the process log, or a note where the output went.
    pub(crate) fn log_tail(&self) -> String {
        let Some(path) = &self.log else {
            return format!("({} output was attached to the test output)", self.name);
        };
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let lines: Vec<&str> = text.lines().collect();
                let start = lines.len().saturating_sub(LOG_TAIL_LINES);
                format!(
                    "--- last lines of {} ---\n{}",
                    path.display(),
                    lines[start..].join("\n")
                )
            }
            Err(e) => format!("(could not read {}: {e})", path.display()),
        }
    }

    /// SIGTERM, wait up to `timeout`, then SIGKILL; idempotent. Never fails: it runs in Drop.
    pub(crate) fn stop(&mut self, timeout: Duration) {
        let Some(mut child) = self.child.take() else {
            return;
        };
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        #[cfg(unix)]
        {
            let pid = rustix::process::Pid::from_child(&child);
            if rustix::process::kill_process(pid, rustix::process::Signal::TERM).is_ok() {
                let deadline = Instant::now() + timeout;
                while Instant::now() < deadline {
                    if let Ok(Some(_)) = child.try_wait() {
                        return;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
            }
        }
        #[cfg(not(unix))]
        let _ = timeout;
        let _ = child.kill();
        let _ = child.wait();
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        // The owner stops processes with its configured timeout first; this is the backstop.
        self.stop(Duration::ZERO);
    }
}
