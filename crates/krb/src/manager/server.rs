//! The health probe and metrics HTTP servers.

use std::{
    future::Future,
    io,
    sync::{
        Arc,
        atomic::{AtomicU8, Ordering},
    },
};

use axum::{Router, extract::State, http::StatusCode, http::header, routing::get};
use tokio::net::TcpListener;

use crate::metrics::{CONTENT_TYPE, Registry};

/// Where the manager is in its life, as `/readyz` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub(crate) enum Phase {
    Starting = 0,
    Running = 1,
    Stopping = 2,
}

/// State shared between the manager and the probe server.
#[derive(Debug)]
pub(crate) struct Health {
    phase: AtomicU8,
}

impl Health {
    pub(crate) fn new() -> Self {
        Self {
            phase: AtomicU8::new(Phase::Starting as u8),
        }
    }

    pub(crate) fn set(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::SeqCst);
    }

    pub(crate) fn phase(&self) -> Phase {
        match self.phase.load(Ordering::SeqCst) {
            0 => Phase::Starting,
            1 => Phase::Running,
            _ => Phase::Stopping,
        }
    }
}

/// `/healthz` (200 while the process serves) and `/readyz` (200 only while running).
pub(crate) fn probe_router(health: Arc<Health>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { (StatusCode::OK, "ok") }))
        .route("/readyz", get(readyz))
        .with_state(health)
}

async fn readyz(State(health): State<Arc<Health>>) -> (StatusCode, &'static str) {
    match health.phase() {
        Phase::Running => (StatusCode::OK, "ok"),
        Phase::Starting => (StatusCode::INTERNAL_SERVER_ERROR, "starting"),
        Phase::Stopping => (StatusCode::INTERNAL_SERVER_ERROR, "shutting down"),
    }
}

/// `/metrics` in the Prometheus text format.
pub(crate) fn metrics_router(registry: &'static Registry) -> Router {
    Router::new().route(
        "/metrics",
        get(move || async move { ([(header::CONTENT_TYPE, CONTENT_TYPE)], registry.encode()) }),
    )
}

/// Serves `router` on `listener` until `shutdown` resolves and open requests are answered.
pub(crate) async fn serve(
    listener: TcpListener,
    router: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::metrics::CounterVec;
    use std::{net::SocketAddr, sync::LazyLock};
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    /// A plain HTTP/1.1 GET over a fresh TCP connection: (status, content type, body).
    pub(crate) async fn get(addr: SocketAddr, path: &str) -> (u16, String, String) {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        let content_type = head
            .lines()
            .find_map(|l| l.strip_prefix("content-type: "))
            .unwrap_or_default()
            .to_owned();
        (status, content_type, body.to_owned())
    }

    #[tokio::test]
    async fn probes_and_metrics_answer_over_tcp() {
        static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::new);
        let hits = Arc::new(CounterVec::new("hits_total", "Hits", &["page"]));
        REGISTRY.register(hits.clone()).unwrap();
        hits.inc(&["home"]);

        let health = Arc::new(Health::new());
        let probes = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let metrics = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let (probe_addr, metrics_addr) =
            (probes.local_addr().unwrap(), metrics.local_addr().unwrap());
        let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
        let stop = async move {
            let _ = stop_rx.await;
        };
        let probe_server = tokio::spawn(serve(probes, probe_router(health.clone()), stop));
        let metrics_server = tokio::spawn(serve(
            metrics,
            metrics_router(&REGISTRY),
            std::future::pending(),
        ));

        assert_eq!(get(probe_addr, "/healthz").await.0, 200);
        assert_eq!(get(probe_addr, "/healthz").await.2, "ok");
        let (status, _, body) = get(probe_addr, "/readyz").await;
        assert_eq!((status, body.as_str()), (500, "starting"));
        health.set(Phase::Running);
        let (status, _, body) = get(probe_addr, "/readyz").await;
        assert_eq!((status, body.as_str()), (200, "ok"));
        health.set(Phase::Stopping);
        let (status, _, body) = get(probe_addr, "/readyz").await;
        assert_eq!((status, body.as_str()), (500, "shutting down"));
        assert_eq!(get(probe_addr, "/metrics").await.0, 404);

        let (status, content_type, body) = get(metrics_addr, "/metrics").await;
        assert_eq!(status, 200);
        assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
        assert_eq!(
            body,
            "# HELP hits_total Hits\n# TYPE hits_total counter\nhits_total{page=\"home\"} 1\n"
        );

        stop_tx.send(()).unwrap();
        probe_server.await.unwrap().unwrap();
        assert!(tokio::net::TcpStream::connect(probe_addr).await.is_err());
        metrics_server.abort();
    }
}
