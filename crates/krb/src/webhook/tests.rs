//! The webhook server over real TLS connections on loopback, and its manager wiring.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use k8s_openapi::api::core::v1::ConfigMap;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use rustls::pki_types::{CertificateDer, ServerName};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::*;
use crate::manager::{BindAddress, Manager, ManagerArgs};

/// A CA and serving certificates for 127.0.0.1 signed by it.
struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
}

impl Pki {
    fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "krb-webhook-test-ca");
        Self {
            ca: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    fn ca_der(&self) -> CertificateDer<'static> {
        self.ca.der().clone()
    }

    /// Writes a new serving certificate and key into `dir`; returns the certificate's DER.
    fn write_serving(&self, dir: &Path) -> Vec<u8> {
        let key = KeyPair::generate().unwrap();
        let params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
        let cert = params.signed_by(&key, &self.ca).unwrap();
        std::fs::write(dir.join("tls.crt"), cert.pem()).unwrap();
        std::fs::write(dir.join("tls.key"), key.serialize_pem()).unwrap();
        cert.der().to_vec()
    }
}

/// Connects with TLS trusting only `ca`, offering `alpn`; returns the stream.
async fn connect(
    addr: SocketAddr,
    ca: CertificateDer<'static>,
    alpn: &[&[u8]],
) -> tokio_rustls::client::TlsStream<tokio::net::TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(ca).unwrap();
    let mut config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
    let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .unwrap()
}

/// The certificate the server presents to a new connection.
async fn peer_certificate(addr: SocketAddr, ca: CertificateDer<'static>) -> Vec<u8> {
    let stream = connect(addr, ca, &[b"http/1.1"]).await;
    stream.get_ref().1.peer_certificates().unwrap()[0].to_vec()
}

/// POSTs `body` over a new HTTPS/1.1 connection: (status, response body).
async fn post(
    addr: SocketAddr,
    ca: CertificateDer<'static>,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    let mut stream = connect(addr, ca, &[b"http/1.1"]).await;
    let body = serde_json::to_vec(body).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(&body).await.unwrap();
    let mut response = Vec::new();
    // The server closes without close_notify after `Connection: close`; what was read counts.
    let _ = stream.read_to_end(&mut response).await;
    let response = String::from_utf8(response).unwrap();
    let (head, body) = response.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    (status, serde_json::from_str(body).unwrap_or(Value::Null))
}

struct Label;

impl Defaulter<ConfigMap> for Label {
    async fn default(&self, cm: &mut ConfigMap) -> Result<(), Rejection> {
        cm.metadata
            .labels
            .get_or_insert_with(Default::default)
            .insert("defaulted".into(), "yes".into());
        Ok(())
    }
}

struct NeedsData;

impl Validator<ConfigMap> for NeedsData {
    async fn validate_create(&self, cm: &ConfigMap) -> Result<Warnings, Rejection> {
        if cm.data.as_ref().is_none_or(|d| d.is_empty()) {
            return Err(FieldError::required("data", "a ConfigMap needs data").into());
        }
        Ok(vec![])
    }

    async fn validate_update(&self, _: &ConfigMap, new: &ConfigMap) -> Result<Warnings, Rejection> {
        self.validate_create(new).await
    }
}

fn review(operation: &str, object: Value) -> Value {
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "u-1",
            "kind": {"group": "", "version": "v1", "kind": "ConfigMap"},
            "resource": {"group": "", "version": "v1", "resource": "configmaps"},
            "name": "cm",
            "namespace": "default",
            "operation": operation,
            "userInfo": {},
            "object": object
        }
    })
}

fn config_map(data: Value) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"}, "data": data})
}

fn webhooks() -> Webhooks {
    let mut webhooks = Webhooks::new();
    webhooks
        .add_defaulter::<ConfigMap, _>("/mutate-v1-configmap", Label)
        .unwrap()
        .add_validator::<ConfigMap, _>("/validate-v1-configmap", NeedsData)
        .unwrap();
    webhooks
}

fn options(dir: &Path) -> ServerOptions {
    ServerOptions {
        addr: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
        cert_dir: dir.to_owned(),
        ..ServerOptions::default()
    }
}

#[tokio::test]
async fn serves_webhooks_over_tls_and_reloads_the_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new();
    let first = pki.write_serving(dir.path());
    let server = Server::bind(&options(dir.path()), &webhooks())
        .await
        .unwrap();
    let addr = server.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(server.serve(async move {
        let _ = stopped.await;
    }));

    assert_eq!(peer_certificate(addr, pki.ca_der()).await, first);

    let (status, body) = post(
        addr,
        pki.ca_der(),
        "/mutate-v1-configmap",
        &review("CREATE", config_map(json!({"a": "b"}))),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["response"]["allowed"], true);
    assert_eq!(body["response"]["patchType"], "JSONPatch");
    let (status, body) = post(
        addr,
        pki.ca_der(),
        "/validate-v1-configmap",
        &review("CREATE", config_map(json!({}))),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["response"]["allowed"], false);
    assert_eq!(body["response"]["status"]["code"], 422);
    assert_eq!(
        body["response"]["status"]["message"],
        "ConfigMap \"cm\" is invalid: data: Required value: a ConfigMap needs data"
    );
    assert_eq!(post(addr, pki.ca_der(), "/nope", &json!({})).await.0, 404);

    // Rotation: new files, same CA. The next connection gets the new certificate.
    let second = pki.write_serving(dir.path());
    assert_ne!(first, second);
    assert_eq!(peer_certificate(addr, pki.ca_der()).await, second);

    // A half-written rotation (a key that does not match) keeps the previous certificate.
    std::fs::write(
        dir.path().join("tls.key"),
        KeyPair::generate().unwrap().serialize_pem(),
    )
    .unwrap();
    assert_eq!(peer_certificate(addr, pki.ca_der()).await, second);
    let third = pki.write_serving(dir.path());
    assert_eq!(peer_certificate(addr, pki.ca_der()).await, third);

    stop.send(()).unwrap();
    serving.await.unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn http2_is_offered_only_when_enabled() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new();
    pki.write_serving(dir.path());
    for (enable_http2, expected) in [(false, b"http/1.1".as_slice()), (true, b"h2".as_slice())] {
        let options = ServerOptions {
            enable_http2,
            ..options(dir.path())
        };
        let server = Server::bind(&options, &webhooks()).await.unwrap();
        let addr = server.local_addr().unwrap();
        let serving = tokio::spawn(server.serve(std::future::pending()));
        let stream = connect(addr, pki.ca_der(), &[b"h2", b"http/1.1"]).await;
        assert_eq!(
            stream.get_ref().1.alpn_protocol(),
            Some(expected),
            "enable_http2={enable_http2}"
        );
        serving.abort();
    }
}

#[tokio::test]
async fn missing_or_bad_certificates_fail_at_bind() {
    let dir = tempfile::tempdir().unwrap();
    let err = Server::bind(&options(dir.path()), &webhooks())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Certificate { .. }), "{err}");
    assert!(err.to_string().contains("tls.crt"), "{err}");

    Pki::new().write_serving(dir.path());
    std::fs::write(
        dir.path().join("tls.key"),
        KeyPair::generate().unwrap().serialize_pem(),
    )
    .unwrap();
    let err = Server::bind(&options(dir.path()), &webhooks())
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("the key does not fit the certificate"),
        "{err}"
    );
}

#[test]
fn registrations_are_checked() {
    let mut webhooks = webhooks();
    assert!(matches!(
        webhooks.add_defaulter::<ConfigMap, _>("mutate", Label),
        Err(Error::InvalidPath(_))
    ));
    assert!(matches!(
        webhooks.add_validator::<ConfigMap, _>("/mutate-v1-configmap", NeedsData),
        Err(Error::DuplicatePath(_))
    ));
    assert_eq!(
        webhooks.paths(),
        ["/mutate-v1-configmap", "/validate-v1-configmap"]
    );
    assert!(format!("{webhooks:?}").contains("/validate-v1-configmap (validating ConfigMap)"));
}

#[tokio::test]
async fn handle_answers_without_tls() {
    let webhooks = webhooks();
    let body = serde_json::to_vec(&review("CREATE", config_map(json!({"a": "b"})))).unwrap();
    let out = webhooks
        .handle("/validate-v1-configmap", &body)
        .await
        .unwrap();
    let out: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(out["response"]["allowed"], true);
    assert!(webhooks.handle("/convert", &body).await.is_none());
}

fn unreachable_client() -> kube::Client {
    kube::Client::try_from(kube::Config::new("http://127.0.0.1:9".parse().unwrap())).unwrap()
}

async fn free_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

fn manager_args(dir: &Path, port: u16) -> ManagerArgs {
    ManagerArgs {
        health_probe_bind_address: BindAddress::Disabled,
        webhook_cert_path: Some(dir.to_owned()),
        webhook_port: port,
        ..ManagerArgs::default()
    }
}

#[tokio::test]
async fn manager_starts_the_server_and_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let pki = Pki::new();
    let cert = pki.write_serving(dir.path());
    let port = free_port().await;
    let mgr = Manager::new(
        unreachable_client(),
        manager_args(dir.path(), port),
        "test.krb.dev",
    )
    .with_webhook_host(IpAddr::V4(Ipv4Addr::LOCALHOST));
    mgr.add_defaulter::<ConfigMap, _>("/mutate-v1-configmap", Label);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(mgr.run_until(async move {
        let _ = stopped.await;
    }));
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    let mut tries = 0;
    while tokio::net::TcpStream::connect(addr).await.is_err() {
        tries += 1;
        assert!(tries < 200, "the webhook server did not start");
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    assert_eq!(peer_certificate(addr, pki.ca_der()).await, cert);
    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

#[tokio::test]
async fn manager_reports_bad_registrations_and_honours_enable_webhooks() {
    let dir = tempfile::tempdir().unwrap();
    let mgr = Manager::new(
        unreachable_client(),
        manager_args(dir.path(), free_port().await),
        "t",
    );
    mgr.add_defaulter::<ConfigMap, _>("/m", Label);
    mgr.add_validator::<ConfigMap, _>("/m", NeedsData);
    let err = mgr.run_until(std::future::ready(())).await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "webhook server: webhook path \"/m\" is registered twice"
    );

    // No certificate in `dir`: starting the server would fail, so it must not be started.
    let port = free_port().await;
    let args = ManagerArgs {
        enable_webhooks: false,
        ..manager_args(dir.path(), port)
    };
    let mgr = Manager::new(unreachable_client(), args, "t");
    mgr.add_defaulter::<ConfigMap, _>("/m", Label);
    mgr.run_until(std::future::ready(())).await.unwrap();

    let mgr = Manager::new(unreachable_client(), manager_args(dir.path(), port), "t");
    mgr.add_defaulter::<ConfigMap, _>("/m", Label);
    let err = mgr.run_until(std::future::ready(())).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("webhook server: cannot load the webhook certificate"),
        "{err}"
    );
}

#[test]
fn flags_are_controller_runtimes() {
    use clap::Parser;
    #[derive(Debug, Parser)]
    struct Cli {
        #[command(flatten)]
        manager: ManagerArgs,
    }
    let cli = Cli::try_parse_from(["manager"]).unwrap().manager;
    assert_eq!(
        (
            cli.webhook_port,
            cli.webhook_cert_path.clone(),
            cli.webhook_cert_name.as_str(),
            cli.webhook_cert_key.as_str(),
            cli.enable_http2
        ),
        (9443, None, "tls.crt", "tls.key", false)
    );
    let options = ServerOptions::from_args(&cli, IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    assert_eq!(options, ServerOptions::default());
    assert!(
        options
            .cert_dir
            .ends_with("k8s-webhook-server/serving-certs")
    );

    let cli = Cli::try_parse_from([
        "manager",
        "--webhook-port=8443",
        "--webhook-cert-path",
        "/tmp/certs",
        "--webhook-cert-name=cert.pem",
        "--webhook-cert-key=key.pem",
        "--enable-http2",
        "--enable-webhooks=false",
    ])
    .unwrap()
    .manager;
    assert_eq!(cli.webhook_port, 8443);
    assert_eq!(
        cli.webhook_cert_path.as_deref(),
        Some(Path::new("/tmp/certs"))
    );
    assert_eq!(
        (
            cli.webhook_cert_name.as_str(),
            cli.webhook_cert_key.as_str()
        ),
        ("cert.pem", "key.pem")
    );
    assert!(cli.enable_http2);
    assert!(!cli.enable_webhooks);

    use clap::CommandFactory;
    let help = Cli::command().render_long_help().to_string();
    for needle in [
        "--webhook-cert-path <DIR>",
        "--webhook-cert-name <FILE>",
        "[default: tls.crt]",
        "--webhook-port <PORT>",
        "[default: 9443]",
        "--enable-http2[=<BOOL>]",
        "[env: ENABLE_WEBHOOKS",
    ] {
        assert!(help.contains(needle), "{needle:?} missing from\n{help}");
    }
}
