//! Manager tests that need no API server: the client points at a closed port, so only
//! controller registration, the servers and shutdown are exercised.

use super::*;
use k8s_openapi::api::core::v1::ConfigMap;
use server::tests::get;
use std::convert::Infallible;

fn unreachable_client() -> Client {
    let config = kube::Config::new("http://127.0.0.1:9".parse().unwrap());
    Client::try_from(config).unwrap()
}

/// A port nobody listens on right now.
async fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

fn local(port: u16) -> BindAddress {
    BindAddress::Addr(SocketAddr::from(([127, 0, 0, 1], port)))
}

async fn reconcile(_: Arc<ConfigMap>, _: Arc<()>) -> Result<Action, Infallible> {
    Ok(Action::await_change())
}

fn error_policy(_: Arc<ConfigMap>, _: &Infallible, _: Arc<()>) -> Action {
    Action::await_change()
}

fn add_config_map_controller(mgr: &Manager, name: &'static str) {
    let api = Api::<ConfigMap>::all(mgr.client());
    mgr.add_controller(
        name,
        Controller::new(api, watcher::Config::default()),
        reconcile,
        error_policy,
        Arc::new(()),
    );
}

#[tokio::test]
async fn runs_servers_and_controllers_then_stops_gracefully() {
    let (metrics_port, probe_port) = (free_port().await, free_port().await);
    let args = ManagerArgs {
        metrics_bind_address: local(metrics_port),
        health_probe_bind_address: local(probe_port),
        ..ManagerArgs::default()
    };
    let mgr = Manager::new(unreachable_client(), args, "test.krb.dev");
    add_config_map_controller(&mgr, "manager-test-configmap");
    assert!(format!("{mgr:?}").contains("manager-test-configmap"));

    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(mgr.run_until(async move {
        let _ = stop_rx.await;
    }));

    let probe = SocketAddr::from(([127, 0, 0, 1], probe_port));
    let mut ready = None;
    for _ in 0..100 {
        if let Ok(stream) = tokio::net::TcpStream::connect(probe).await {
            drop(stream);
            ready = Some(get(probe, "/readyz").await);
            if ready.as_ref().is_some_and(|r| r.0 == 200) {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(ready.map(|r| (r.0, r.2)), Some((200, "ok".to_owned())));
    assert_eq!(get(probe, "/healthz").await.0, 200);

    let (status, content_type, body) =
        get(SocketAddr::from(([127, 0, 0, 1], metrics_port)), "/metrics").await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("text/plain; version=0.0.4"));
    for line in [
        r#"controller_runtime_reconcile_total{controller="manager-test-configmap",result="success"} 0"#,
        r#"controller_runtime_reconcile_errors_total{controller="manager-test-configmap"} 0"#,
        r#"controller_runtime_active_workers{controller="manager-test-configmap"} 0"#,
    ] {
        assert!(
            body.lines().any(|l| l == line),
            "missing {line:?} in\n{body}"
        );
    }

    stop_tx.send(()).unwrap();
    let result = tokio::time::timeout(Duration::from_secs(10), running)
        .await
        .expect("manager stops within 10s")
        .unwrap();
    assert!(result.is_ok(), "{result:?}");
    assert!(tokio::net::TcpStream::connect(probe).await.is_err());
}

#[tokio::test]
async fn one_server_when_addresses_agree() {
    let port = free_port().await;
    let args = ManagerArgs {
        metrics_bind_address: local(port),
        health_probe_bind_address: local(port),
        ..ManagerArgs::default()
    };
    let mgr = Manager::new(unreachable_client(), args, "test.krb.dev");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(mgr.run_until(async move {
        let _ = stop_rx.await;
    }));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut status = 0;
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(addr).await.is_ok() {
            status = get(addr, "/readyz").await.0;
            if status == 200 {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 200);
    assert_eq!(get(addr, "/metrics").await.0, 200);
    stop_tx.send(()).unwrap();
    assert!(running.await.unwrap().is_ok());
}

#[tokio::test]
async fn duplicate_controller_names_are_rejected() {
    let args = ManagerArgs {
        health_probe_bind_address: BindAddress::Disabled,
        ..ManagerArgs::default()
    };
    let mgr = Manager::new(unreachable_client(), args, "test.krb.dev");
    add_config_map_controller(&mgr, "manager-test-twice");
    add_config_map_controller(&mgr, "manager-test-twice");
    let err = mgr.run_until(std::future::pending()).await.unwrap_err();
    assert!(matches!(
        err,
        Error::DuplicateController("manager-test-twice")
    ));
}

#[tokio::test]
async fn busy_address_error_names_the_flag() {
    let taken = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = taken.local_addr().unwrap().port();
    let args = ManagerArgs {
        health_probe_bind_address: local(port),
        ..ManagerArgs::default()
    };
    let mgr = Manager::new(unreachable_client(), args, "test.krb.dev");
    let err = mgr.run_until(std::future::pending()).await.unwrap_err();
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "cannot listen on 127.0.0.1:{port} (--health-probe-bind-address)"
        )),
        "{text}"
    );
}

#[tokio::test]
async fn without_servers_or_controllers_it_still_waits_for_shutdown() {
    let args = ManagerArgs {
        health_probe_bind_address: BindAddress::Disabled,
        ..ManagerArgs::default()
    };
    let mgr = Manager::new(unreachable_client(), args, "test.krb.dev");
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(mgr.run_until(async move {
        let _ = stop_rx.await;
    }));
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!running.is_finished());
    stop_tx.send(()).unwrap();
    assert!(running.await.unwrap().is_ok());
}

#[test]
fn namespace_comes_from_flag_then_pod_then_kubeconfig() {
    let pod = || Some("pod-ns\n".to_owned());
    assert_eq!(
        resolve_namespace(Some("flag-ns"), pod(), "kube-ns"),
        "flag-ns"
    );
    assert_eq!(resolve_namespace(None, pod(), "kube-ns"), "pod-ns");
    assert_eq!(resolve_namespace(Some(" "), None, "kube-ns"), "kube-ns");
    assert_eq!(
        resolve_namespace(None, Some(String::new()), "kube-ns"),
        "kube-ns"
    );
}
