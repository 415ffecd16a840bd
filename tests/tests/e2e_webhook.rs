//! End-to-end tier for `krb create webhook`: testdata/project's manager, built and run as its
//! own process, serves the scaffolded defaulting and validating webhooks over TLS to a real
//! kube-apiserver (krb's envtest harness).
//!
//! The configurations are config/webhook as `kubectl kustomize` renders it, with each
//! webhook's `clientConfig.service` turned into a `url` on 127.0.0.1 and a `caBundle`, as
//! controller-runtime's envtest registers them. The serving certificate is made here, signed
//! by a CA of this test, and replaced while the manager runs. Without the envtest binaries the
//! test prints SKIP, unless `CI=true`: then it fails.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use krb::envtest::{Environment, TestEnv};
use krb_tests::e2e::{
    CRD, ManagerProcess, WAIT, cronjob_resource, free_port, krb_binary, kube_env, kubectl,
    manager_binary, project_dir, run, wait_established,
};
use kube::api::{Api, DynamicObject, PostParams};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use serde::Deserialize as _;

// Several threads: stopping the control plane (when `env` drops) blocks one, and the client's
// connections must still close on another.

/// Pause between polls of something that cannot be watched.
const POLL: Duration = Duration::from_millis(200);

const MUTATING: &str = "mcronjob-v1.kb.io";
const VALIDATING: &str = "vcronjob-v1.kb.io";
/// The scaffolded validator's message for a name over 63 characters.
const TOO_LONG: &str = "must be no more than 63 characters";

/// A CA, and serving certificates for 127.0.0.1 that it signs, written as tls.crt/tls.key.
struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
}

impl Pki {
    fn new() -> Result<Self> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "krb-e2e-webhook-ca");
        Ok(Self {
            ca: CertifiedIssuer::self_signed(params, KeyPair::generate()?)?,
        })
    }

    /// A new serving certificate and key in `dir`, replaced the way the kubelet updates a
    /// mounted Secret (new files, then a rename); the certificate's DER.
    fn write_serving(&self, dir: &Path) -> Result<Vec<u8>> {
        let key = KeyPair::generate()?;
        let params = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])?;
        let cert = params.signed_by(&key, &self.ca)?;
        for (name, text) in [("tls.crt", cert.pem()), ("tls.key", key.serialize_pem())] {
            let tmp = dir.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, text)?;
            std::fs::rename(&tmp, dir.join(name))?;
        }
        Ok(cert.der().to_vec())
    }

    /// The leaf certificate a new TLS connection to 127.0.0.1:`port` is served, verified
    /// against the CA.
    async fn peer_certificate(&self, port: u16) -> Result<Vec<u8>> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca.der().clone())?;
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
        let handshake = async {
            let tcp = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
            let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
                .connect(rustls::pki_types::ServerName::try_from("127.0.0.1")?, tcp)
                .await?;
            let leaf = tls
                .get_ref()
                .1
                .peer_certificates()
                .and_then(|certs| certs.first())
                .context("no peer certificate")?;
            anyhow::Ok(leaf.to_vec())
        };
        tokio::time::timeout(Duration::from_secs(5), handshake)
            .await
            .context("TLS handshake timed out")?
    }
}

fn base64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// config/webhook rendered, its admission configurations only, each webhook's service
/// reference replaced by `https://127.0.0.1:<port><path>` and the CA: a YAML stream.
fn webhook_configurations(env: &TestEnv, port: u16, ca_pem: &str) -> Result<String> {
    let rendered = kubectl(env, &project_dir(), &["kustomize", "config/webhook"])?;
    let mut out = String::new();
    let mut names = Vec::new();
    for doc in serde_yaml_ng::Deserializer::from_str(&rendered) {
        let mut object =
            serde_json::Value::deserialize(doc).context("parsing config/webhook's YAML")?;
        if !matches!(
            object["kind"].as_str(),
            Some("MutatingWebhookConfiguration" | "ValidatingWebhookConfiguration")
        ) {
            continue;
        }
        let webhooks = object["webhooks"]
            .as_array_mut()
            .context("a webhook configuration without webhooks")?;
        for webhook in webhooks {
            let path = webhook["clientConfig"]["service"]["path"]
                .as_str()
                .with_context(|| format!("no clientConfig.service.path in {webhook}"))?
                .to_owned();
            webhook["clientConfig"] = serde_json::json!({
                "url": format!("https://127.0.0.1:{port}{path}"),
                "caBundle": base64(ca_pem),
            });
            names.push(webhook["name"].as_str().unwrap_or_default().to_owned());
        }
        out.push_str("---\n");
        out.push_str(&serde_yaml_ng::to_string(&object)?);
    }
    names.sort();
    ensure!(
        names == [MUTATING, VALIDATING],
        "config/webhook should hold exactly {MUTATING} and {VALIDATING}, has {names:?}:\n{rendered}"
    );
    Ok(out)
}

fn cronjob(name: &str) -> DynamicObject {
    let mut obj = DynamicObject::new(name, &cronjob_resource());
    obj.data = serde_json::json!({ "spec": {} });
    obj
}

const DRY_RUN: PostParams = PostParams {
    dry_run: true,
    field_manager: None,
};

/// The API server's error status, or an error saying what came instead.
fn api_status(result: kube::Result<DynamicObject>) -> Result<kube::core::Status> {
    match result {
        Err(kube::Error::Api(status)) => Ok(*status),
        Err(other) => bail!("expected an API error status, got {other}"),
        Ok(obj) => bail!("expected a denial, {:?} was admitted", obj.metadata.name),
    }
}

/// The API server picks up webhook configurations through an informer: server-side dry runs
/// until both webhooks answer (a normal CronJob admitted through the failurePolicy=Fail
/// mutating webhook, a long name denied by the validating one).
async fn wait_for_webhooks(api: &Api<DynamicObject>, manager: &mut ManagerProcess) -> Result<()> {
    let long = "w".repeat(64);
    let deadline = Instant::now() + WAIT;
    loop {
        let admitted = api.create(&DRY_RUN, &cronjob("probe")).await;
        let denied = api.create(&DRY_RUN, &cronjob(&long)).await;
        let validated = matches!(
            &denied,
            Err(kube::Error::Api(s)) if s.message.contains(&format!("\"{VALIDATING}\" denied"))
        );
        if admitted.is_ok() && validated {
            return Ok(());
        }
        ensure!(
            manager.is_running(),
            "the manager exited while waiting for its webhooks"
        );
        if Instant::now() >= deadline {
            bail!(
                "the API server did not get answers from both webhooks within {WAIT:?}: \
                 normal CronJob {:?}, long name {:?}",
                admitted.map(|o| o.metadata.name),
                denied.map(|o| o.metadata.name)
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Whether `line` is the scaffolded defaulter's log line for the CronJob `name`.
fn defaulted(line: &str, name: &str) -> bool {
    line.contains("defaulting") && line.contains(&format!("\"{name}\""))
}

/// The scaffolded webhooks of testdata/project on the real API server: a 64-character name is
/// denied with the validator's field error, a normal CronJob goes through the defaulting
/// webhook, the serving certificate is replaced without a restart, SIGTERM ends it cleanly
/// (and the failurePolicy=Fail webhooks then refuse requests: the manager answered them).
#[tokio::test(flavor = "multi_thread")]
async fn scaffolded_webhooks_admit_deny_and_reload_the_certificate() -> Result<()> {
    let Some(env) = Environment::builder().build().start_or_skip().await else {
        return Ok(());
    };
    let project = project_dir();
    let krb = krb_binary()?;
    let manager_bin = manager_binary()?;

    run(Command::new(&krb)
        .args(["make", "install"])
        .current_dir(&project)
        .envs(kube_env(&env)))?;
    wait_established(&env, CRD).await?;

    let scratch = tempfile::tempdir()?;
    let certs = scratch.path().join("certs");
    std::fs::create_dir(&certs)?;
    let pki = Pki::new()?;
    let first = pki.write_serving(&certs)?;

    let (port, health) = (free_port()?, free_port()?);
    let args = [
        "--webhook-cert-path".to_owned(),
        certs.to_str().context("a non-UTF-8 temp path")?.to_owned(),
        "--webhook-port".to_owned(),
        port.to_string(),
        "--health-probe-bind-address".to_owned(),
        format!("127.0.0.1:{health}"),
        "--metrics-bind-address".to_owned(),
        "0".to_owned(),
    ];
    let mut manager = ManagerProcess::start(
        &manager_bin,
        env.kubeconfig_path(),
        scratch.path().join("manager.log"),
        &args,
        &["ENABLE_WEBHOOKS"],
    )?
    .with_poll(POLL);

    let configurations = webhook_configurations(&env, port, &pki.ca.pem())?;
    let file = scratch.path().join("webhooks.yaml");
    std::fs::write(&file, configurations)?;
    kubectl(
        &env,
        &project,
        &[
            "apply",
            "--server-side",
            "-f",
            file.to_str().context("a non-UTF-8 temp path")?,
        ],
    )?;

    let api: Api<DynamicObject> =
        Api::namespaced_with(env.client(), "default", &cronjob_resource());
    wait_for_webhooks(&api, &mut manager).await?;

    // (1) A 64-character name: 422 Invalid from the validator, naming metadata.name.
    let long = "a".repeat(64);
    let status = api_status(api.create(&PostParams::default(), &cronjob(&long)).await)?;
    ensure!(
        status.code == 422 && status.reason == "Invalid",
        "expected 422 Invalid, got {status:?}"
    );
    for part in [
        format!("admission webhook \"{VALIDATING}\" denied the request"),
        format!("metadata.name: Invalid value: \"{long}\": {TOO_LONG}"),
    ] {
        ensure!(
            status.message.contains(&part),
            "the denial does not say {part:?}: {status:?}"
        );
    }
    let causes = status.details.map(|d| d.causes).unwrap_or_default();
    ensure!(
        causes.len() == 1 && causes[0].field == "metadata.name",
        "expected one cause on metadata.name, got {causes:?}"
    );
    ensure!(
        api.get_opt(&long).await?.is_none(),
        "the denied CronJob was stored"
    );

    // (2) A normal CronJob: admitted through the mutating webhook, which the manager logs.
    let name = "through-the-defaulter";
    api.create(&PostParams::default(), &cronjob(name))
        .await
        .context("creating a normal CronJob")?;
    ensure!(api.get_opt(name).await?.is_some(), "{name} was not stored");
    manager
        .wait_for_line("the defaulting call", |l| defaulted(l, name))
        .await?;

    // (3) New certificate files from the same CA: new connections get the new certificate,
    // without a restart, and the API server still gets answers.
    let served = pki.peer_certificate(port).await?;
    ensure!(served == first, "the webhook serves another certificate");
    let second = pki.write_serving(&certs)?;
    ensure!(first != second, "the new certificate equals the old one");
    let deadline = Instant::now() + WAIT;
    loop {
        let served = pki.peer_certificate(port).await?;
        if served == second {
            break;
        }
        ensure!(
            served == first,
            "the webhook serves neither certificate after the rotation"
        );
        ensure!(
            Instant::now() < deadline,
            "still the old certificate {WAIT:?} after the files were replaced"
        );
        tokio::time::sleep(POLL).await;
    }
    ensure!(manager.is_running(), "the manager stopped during rotation");
    let after = "after-rotation";
    api.create(&PostParams::default(), &cronjob(after))
        .await
        .context("creating a CronJob after the rotation")?;
    manager
        .wait_for_line("the defaulting call after the rotation", |l| {
            defaulted(l, after)
        })
        .await?;
    let status = api_status(api.create(&DRY_RUN, &cronjob(&long)).await)?;
    ensure!(
        status.code == 422 && status.message.contains(TOO_LONG),
        "after the rotation, expected the validator's 422, got {status:?}"
    );

    // (4) SIGTERM: a clean exit. The webhooks' failurePolicy is Fail, so with the manager gone
    // the API server refuses CronJobs: it was the manager that admitted them above.
    let exit = manager.terminate().await?;
    ensure!(
        exit.success(),
        "the manager exited with {exit} after SIGTERM"
    );
    let status = api_status(api.create(&DRY_RUN, &cronjob("no-webhook")).await)?;
    ensure!(
        status
            .message
            .contains(&format!("failed calling webhook \"{MUTATING}\"")),
        "with the manager stopped, expected {MUTATING} to fail, got {status:?}"
    );
    manager.passed();
    Ok(())
}
