//! The HTTPS server: rustls (ring) with the reloading certificate, HTTP/1.1 unless HTTP/2 is
//! enabled, graceful shutdown.

use std::{
    future::Future,
    net::{IpAddr, Ipv4Addr, SocketAddr},
    path::PathBuf,
    sync::Arc,
    time::Duration,
};

use axum::Router;
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::{conn::auto, graceful::GracefulShutdown},
    service::TowerToHyperService,
};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::{CertWatcher, Error, Webhooks};

/// How long a client may take to finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Where and how the webhook server listens; [`ServerOptions::default`] is controller-runtime's
/// (port 9443 on every interface, `tls.crt`/`tls.key` in
/// `<temp dir>/k8s-webhook-server/serving-certs`, HTTP/1.1 only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerOptions {
    /// The listen address.
    pub addr: SocketAddr,
    /// The directory holding the certificate and key.
    pub cert_dir: PathBuf,
    /// The certificate's file name in `cert_dir` (PEM, the chain with the leaf first).
    pub cert_name: String,
    /// The key's file name in `cert_dir` (PEM).
    pub key_name: String,
    /// Offer HTTP/2 through ALPN. Off by default, as in kubebuilder's main.go: HTTP/2 stream
    /// cancellation and rapid reset (CVE-2023-44487, CVE-2023-39325) attack servers through it.
    pub enable_http2: bool,
}

impl Default for ServerOptions {
    fn default() -> Self {
        Self {
            addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::UNSPECIFIED), 9443),
            cert_dir: default_cert_dir(),
            cert_name: "tls.crt".to_owned(),
            key_name: "tls.key".to_owned(),
            enable_http2: false,
        }
    }
}

/// controller-runtime's default certificate directory, `<temp dir>/k8s-webhook-server/serving-certs`.
pub fn default_cert_dir() -> PathBuf {
    std::env::temp_dir()
        .join("k8s-webhook-server")
        .join("serving-certs")
}

/// A bound webhook server: the certificate is loaded and the port is open. Run it with
/// [`Server::serve`].
pub struct Server {
    listener: TcpListener,
    acceptor: TlsAcceptor,
    router: Router,
    certs: Arc<CertWatcher>,
    paths: Vec<String>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("addr", &self.listener.local_addr().ok())
            .field("certs", &self.certs)
            .field("paths", &self.paths)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Loads the certificate and binds the port; fails on a missing or bad certificate (as
    /// controller-runtime does) or a port in use.
    pub async fn bind(options: &ServerOptions, webhooks: &Webhooks) -> Result<Self, Error> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let certs = Arc::new(CertWatcher::new(
            options.cert_dir.join(&options.cert_name),
            options.cert_dir.join(&options.key_name),
            provider.clone(),
        )?);
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Error::Tls(e.to_string()))?
            .with_no_client_auth()
            .with_cert_resolver(certs.clone());
        config.alpn_protocols = if options.enable_http2 {
            vec![b"h2".to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        let listener = TcpListener::bind(options.addr)
            .await
            .map_err(|source| Error::Bind {
                addr: options.addr,
                source,
            })?;
        Ok(Self {
            listener,
            acceptor: TlsAcceptor::from(Arc::new(config)),
            router: webhooks.router(),
            certs,
            paths: webhooks.paths().into_iter().map(str::to_owned).collect(),
        })
    }

    /// The address the server listens on (the real port when bound to port 0).
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// The certificate source, e.g. to look at what is served.
    pub fn certificates(&self) -> &Arc<CertWatcher> {
        &self.certs
    }

    /// Serves until `shutdown` resolves, then stops accepting, asks open connections to
    /// finish their requests and waits for them.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send) {
        let addr = self
            .listener
            .local_addr()
            .map_or_else(|_| "?".to_owned(), |a| a.to_string());
        tracing::info!(address = %addr, paths = ?self.paths, "serving webhooks");
        let graceful = GracefulShutdown::new();
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            let (tcp, peer) = tokio::select! {
                accepted = self.listener.accept() => match accepted {
                    Ok(accepted) => accepted,
                    Err(error) => {
                        // Out of file descriptors and the like: back off instead of spinning.
                        tracing::warn!(%error, "webhook server: accept failed");
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                },
                () = &mut shutdown => break,
            };
            let acceptor = self.acceptor.clone();
            let router = self.router.clone();
            let watcher = graceful.watcher();
            tokio::spawn(async move {
                let tls = match tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(tcp)).await
                {
                    Ok(Ok(tls)) => tls,
                    Ok(Err(error)) => {
                        tracing::debug!(%peer, %error, "webhook server: TLS handshake failed");
                        return;
                    }
                    Err(_) => {
                        tracing::debug!(%peer, "webhook server: TLS handshake timed out");
                        return;
                    }
                };
                let h2 = tls.get_ref().1.alpn_protocol() == Some(b"h2");
                let builder = auto::Builder::new(TokioExecutor::new());
                let builder = if h2 {
                    builder.http2_only()
                } else {
                    builder.http1_only()
                };
                let connection = builder
                    .serve_connection(TokioIo::new(tls), TowerToHyperService::new(router))
                    .into_owned();
                if let Err(error) = watcher.watch(connection).await {
                    tracing::debug!(%peer, %error, "webhook server: connection error");
                }
            });
        }
        drop(self.listener);
        graceful.shutdown().await;
        tracing::info!(address = %addr, "webhook server stopped");
    }
}
