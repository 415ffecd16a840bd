//! The serving certificate, re-read from disk when its files change, like controller-runtime's
//! `certwatcher`.
//!
//! Every TLS handshake asks [`CertWatcher`] for the certificate. It compares the files'
//! modification time, size and inode with those it loaded from (one `stat` per file, no read)
//! and loads them again when they differ. New connections therefore get a rotated certificate
//! (cert-manager renewing the Secret, the kubelet swapping the mounted files) without a
//! restart; open connections keep theirs. A pair that does not load (the key is not yet
//! written, or does not match the certificate) is logged once and the previous certificate
//! stays in use until the files change again.

use std::{
    fmt,
    path::{Path, PathBuf},
    sync::{Arc, Mutex, PoisonError},
    time::SystemTime,
};

use rustls::{
    crypto::CryptoProvider,
    pki_types::{CertificateDer, PrivateKeyDer, pem::PemObject},
    server::{ClientHello, ResolvesServerCert},
    sign::CertifiedKey,
};

use super::Error;

/// What a file looked like when it was read: a change to any part means it was replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Stamp {
    modified: Option<SystemTime>,
    len: u64,
    inode: u64,
}

fn stamp(path: &Path) -> std::io::Result<Stamp> {
    // Follows symlinks: a mounted Secret's files are links into a directory swapped as a whole.
    let meta = std::fs::metadata(path)?;
    #[cfg(unix)]
    let inode = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let inode = 0;
    Ok(Stamp {
        modified: meta.modified().ok(),
        len: meta.len(),
        inode,
    })
}

struct Loaded {
    stamps: [Stamp; 2],
    key: Arc<CertifiedKey>,
    /// Stamps of a pair that failed to load, so the failure is logged once, not per handshake.
    failed: Option<[Stamp; 2]>,
}

/// A certificate and key file pair, reloaded when the files change; a rustls certificate
/// resolver.
pub struct CertWatcher {
    cert_path: PathBuf,
    key_path: PathBuf,
    provider: Arc<CryptoProvider>,
    loaded: Mutex<Loaded>,
}

impl fmt::Debug for CertWatcher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CertWatcher")
            .field("cert_path", &self.cert_path)
            .field("key_path", &self.key_path)
            .finish_non_exhaustive()
    }
}

impl CertWatcher {
    /// Loads the PEM certificate chain at `cert_path` and the PEM private key at `key_path`
    /// (PKCS#8, PKCS#1 or SEC1). Fails when they cannot be read, parsed or do not match.
    pub fn new(
        cert_path: impl Into<PathBuf>,
        key_path: impl Into<PathBuf>,
        provider: Arc<CryptoProvider>,
    ) -> Result<Self, Error> {
        let (cert_path, key_path) = (cert_path.into(), key_path.into());
        let stamps = stamps(&cert_path, &key_path).map_err(|source| Error::Certificate {
            cert: cert_path.clone(),
            key: key_path.clone(),
            reason: source.to_string(),
        })?;
        let key = load(&cert_path, &key_path, &provider).map_err(|reason| Error::Certificate {
            cert: cert_path.clone(),
            key: key_path.clone(),
            reason,
        })?;
        Ok(Self {
            cert_path,
            key_path,
            provider,
            loaded: Mutex::new(Loaded {
                stamps,
                key: Arc::new(key),
                failed: None,
            }),
        })
    }

    /// The certificate to serve, reloaded first if the files changed.
    pub fn current(&self) -> Arc<CertifiedKey> {
        let mut loaded = self.loaded.lock().unwrap_or_else(PoisonError::into_inner);
        let Ok(now) = stamps(&self.cert_path, &self.key_path) else {
            // Mid-rotation the files may briefly be missing: keep serving what we have.
            return loaded.key.clone();
        };
        if now == loaded.stamps || loaded.failed == Some(now) {
            return loaded.key.clone();
        }
        match load(&self.cert_path, &self.key_path, &self.provider) {
            Ok(key) => {
                tracing::info!(
                    cert = %self.cert_path.display(),
                    key = %self.key_path.display(),
                    "reloaded the webhook serving certificate"
                );
                loaded.key = Arc::new(key);
                loaded.stamps = now;
                loaded.failed = None;
            }
            Err(reason) => {
                tracing::warn!(
                    cert = %self.cert_path.display(),
                    key = %self.key_path.display(),
                    %reason,
                    "the webhook certificate files changed but do not load; still serving the previous certificate"
                );
                loaded.failed = Some(now);
            }
        }
        loaded.key.clone()
    }
}

impl ResolvesServerCert for CertWatcher {
    fn resolve(&self, _hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        Some(self.current())
    }
}

fn stamps(cert: &Path, key: &Path) -> std::io::Result<[Stamp; 2]> {
    Ok([stamp(cert)?, stamp(key)?])
}

fn load(
    cert_path: &Path,
    key_path: &Path,
    provider: &CryptoProvider,
) -> Result<CertifiedKey, String> {
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("reading {}: {e}", p.display()));
    let cert_pem = read(cert_path)?;
    let key_pem = read(key_path)?;
    let chain = CertificateDer::pem_slice_iter(&cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("{}: {e}", cert_path.display()))?;
    if chain.is_empty() {
        return Err(format!(
            "{}: no certificate in the file",
            cert_path.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_slice(&key_pem)
        .map_err(|e| format!("{}: {e}", key_path.display()))?;
    CertifiedKey::from_der(chain, key, provider)
        .map_err(|e| format!("the key does not fit the certificate: {e}"))
}
