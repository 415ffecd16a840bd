//! Free loopback ports that stay ours until the environment stops.
//!
//! Binding `127.0.0.1:0` and closing the socket only suggests a port: another test binary
//! running at the same time (cargo runs them in parallel) can get the same suggestion before
//! etcd or kube-apiserver binds it. As controller-runtime's `addr.Suggest` does, each port is
//! also claimed by an exclusive `flock` on `<user cache dir>/kubebuilder-envtest/<port>.port`,
//! so Go envtest and krb tests on one machine also respect each other's claims. Unlike envtest
//! we hold the lock only while the environment runs, not until the process exits.

use std::fs::{File, OpenOptions, TryLockError};
use std::net::{Ipv4Addr, TcpListener};
use std::path::PathBuf;

use super::error::{Error, Result};

#[derive(Debug)]
pub(crate) struct ReservedPort {
    pub(crate) port: u16,
    // Held for its lock; closing the file releases it.
    _lock: Option<File>,
}

fn lock_dir() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CACHE_HOME")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            let home = PathBuf::from(std::env::var_os("HOME").filter(|h| !h.is_empty())?);
            Some(if cfg!(target_os = "macos") {
                home.join("Library/Caches")
            } else {
                home.join(".cache")
            })
        })?;
    let dir = base.join("kubebuilder-envtest");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir)
}

/// A port nobody else listens on or has claimed.
pub(crate) fn reserve() -> Result<ReservedPort> {
    // Without a writable cache dir we still work, only without cross-process protection.
    let dir = lock_dir();
    for _ in 0..100 {
        let port = {
            let l = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
                .map_err(|e| Error::io("binding 127.0.0.1:0 to find a free port", e))?;
            l.local_addr()
                .map_err(|e| Error::io("reading the address of a bound socket", e))?
                .port()
        };
        let Some(dir) = &dir else {
            return Ok(ReservedPort { port, _lock: None });
        };
        let path = dir.join(format!("{port}.port"));
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
        match file.try_lock() {
            Ok(()) => {
                return Ok(ReservedPort {
                    port,
                    _lock: Some(file),
                });
            }
            Err(TryLockError::WouldBlock) => continue,
            Err(TryLockError::Error(e)) => {
                return Err(Error::io(format!("locking {}", path.display()), e));
            }
        }
    }
    Err(Error::io(
        "finding a free port",
        std::io::Error::other("100 suggested ports were all claimed by other envtest runs"),
    ))
}

#[cfg(test)]
mod tests {
    #[test]
    fn reserved_ports_are_distinct_while_held() {
        let ports: Vec<_> = (0..20).map(|_| super::reserve().unwrap()).collect();
        let mut numbers: Vec<u16> = ports.iter().map(|p| p.port).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), 20);
    }
}
