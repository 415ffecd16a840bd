//! The webhook server against a real kube-apiserver: the API server calls the manager's
//! webhooks through `clientConfig.url` and a `caBundle`, as controller-runtime's envtest
//! registers them. Without control-plane binaries the tests print SKIP and return; with
//! `CI=true` they fail instead.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use k8s_openapi::api::admissionregistration::v1::{
    MutatingWebhookConfiguration, ValidatingWebhookConfiguration,
};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use krb::envtest::{Environment, TestEnv, parse_crds};
use krb::webhook::{ConversionError, Defaulter, FieldError, Rejection, Spoke, Validator, Warnings};
use krb::{Manager, ManagerArgs, manager::BindAddress};
use kube::api::{Api, PostParams};
use kube::{CustomResource, ResourceExt};
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use serde::{Deserialize, Serialize};
use serde_json::json;

const GROUP: &str = "batch.tutorial.kubebuilder.io";
const MUTATE_PATH: &str = "/mutate-batch-tutorial-kubebuilder-io-v1-cronjob";
const VALIDATE_PATH: &str = "/validate-batch-tutorial-kubebuilder-io-v1-cronjob";

mod v1 {
    use super::*;

    /// The hub, as in the kubebuilder tutorial: the schedule is one string.
    #[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[kube(
        group = "batch.tutorial.kubebuilder.io",
        version = "v1",
        kind = "CronJob",
        namespaced,
        schema = "disabled"
    )]
    #[serde(rename_all = "camelCase")]
    pub struct CronJobSpec {
        pub schedule: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub concurrency_policy: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub suspend: Option<bool>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub successful_jobs_history_limit: Option<i32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub failed_jobs_history_limit: Option<i32>,
    }

    impl krb::webhook::Hub for CronJob {}
}

mod v2 {
    use super::*;

    /// The spoke of the multi-version tutorial: the schedule split into its fields.
    #[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[kube(
        group = "batch.tutorial.kubebuilder.io",
        version = "v2",
        kind = "CronJob",
        namespaced,
        schema = "disabled"
    )]
    #[serde(rename_all = "camelCase")]
    pub struct CronJobSpec {
        pub schedule: CronSchedule,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        pub concurrency_policy: Option<String>,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    pub struct CronSchedule {
        pub minute: String,
        pub hour: String,
        pub day_of_month: String,
        pub month: String,
        pub day_of_week: String,
    }
}

impl Spoke<v1::CronJob> for v2::CronJob {
    fn convert_to(&self) -> Result<v1::CronJob, ConversionError> {
        let s = &self.spec.schedule;
        Ok(v1::CronJob {
            metadata: self.metadata.clone(),
            spec: v1::CronJobSpec {
                schedule: format!(
                    "{} {} {} {} {}",
                    s.minute, s.hour, s.day_of_month, s.month, s.day_of_week
                ),
                concurrency_policy: self.spec.concurrency_policy.clone(),
                suspend: None,
                successful_jobs_history_limit: None,
                failed_jobs_history_limit: None,
            },
        })
    }

    fn convert_from(hub: &v1::CronJob) -> Result<Self, ConversionError> {
        let fields: Vec<&str> = hub.spec.schedule.split_whitespace().collect();
        let [minute, hour, day_of_month, month, day_of_week] = fields[..] else {
            return Err(format!("schedule {:?} does not have 5 fields", hub.spec.schedule).into());
        };
        Ok(v2::CronJob {
            metadata: hub.metadata.clone(),
            spec: v2::CronJobSpec {
                schedule: v2::CronSchedule {
                    minute: minute.into(),
                    hour: hour.into(),
                    day_of_month: day_of_month.into(),
                    month: month.into(),
                    day_of_week: day_of_week.into(),
                },
                concurrency_policy: hub.spec.concurrency_policy.clone(),
            },
        })
    }
}

/// The tutorial's defaulter.
struct CronJobCustomDefaulter;

impl Defaulter<v1::CronJob> for CronJobCustomDefaulter {
    async fn default(&self, cronjob: &mut v1::CronJob) -> Result<(), Rejection> {
        let spec = &mut cronjob.spec;
        spec.concurrency_policy
            .get_or_insert_with(|| "Allow".to_owned());
        spec.suspend.get_or_insert(false);
        spec.successful_jobs_history_limit.get_or_insert(3);
        spec.failed_jobs_history_limit.get_or_insert(1);
        Ok(())
    }
}

/// The tutorial's validator: a name short enough for the Job names derived from it, and a
/// five-field schedule.
struct CronJobCustomValidator;

impl CronJobCustomValidator {
    fn validate(cronjob: &v1::CronJob) -> Result<Warnings, Rejection> {
        let mut errors = Vec::new();
        let name = cronjob.name_any();
        if name.len() > 52 {
            errors.push(FieldError::invalid(
                "metadata.name",
                &name,
                "must be no more than 52 characters",
            ));
        }
        let found = cronjob.spec.schedule.split_whitespace().count();
        if found != 5 {
            errors.push(FieldError::invalid(
                "spec.schedule",
                &cronjob.spec.schedule,
                format!(
                    "expected exactly 5 fields, found {found}: {}",
                    cronjob.spec.schedule
                ),
            ));
        }
        if errors.is_empty() {
            Ok(Vec::new())
        } else {
            Err(errors.into())
        }
    }
}

impl Validator<v1::CronJob> for CronJobCustomValidator {
    async fn validate_create(&self, cronjob: &v1::CronJob) -> Result<Warnings, Rejection> {
        Self::validate(cronjob)
    }

    async fn validate_update(
        &self,
        _old: &v1::CronJob,
        new: &v1::CronJob,
    ) -> Result<Warnings, Rejection> {
        Self::validate(new)
    }
}

/// A CA, and serving certificates for 127.0.0.1 that it signs, written as tls.crt/tls.key.
struct Pki {
    ca: CertifiedIssuer<'static, KeyPair>,
}

impl Pki {
    fn new() -> Self {
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params
            .distinguished_name
            .push(rcgen::DnType::CommonName, "krb-webhook-envtest-ca");
        Self {
            ca: CertifiedIssuer::self_signed(params, KeyPair::generate().unwrap()).unwrap(),
        }
    }

    fn ca_pem(&self) -> String {
        self.ca.pem()
    }

    fn write_serving(&self, dir: &Path) -> Vec<u8> {
        let key = KeyPair::generate().unwrap();
        let params =
            CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()]).unwrap();
        let cert = params.signed_by(&key, &self.ca).unwrap();
        // Replaced the way the kubelet updates a mounted Secret: new files, then a rename.
        for (name, text) in [("tls.crt", cert.pem()), ("tls.key", key.serialize_pem())] {
            let tmp = dir.join(format!(".{name}.tmp"));
            std::fs::write(&tmp, text).unwrap();
            std::fs::rename(&tmp, dir.join(name)).unwrap();
        }
        cert.der().to_vec()
    }

    /// The leaf certificate a new TLS connection to `addr` is served, verified against the CA.
    async fn peer_certificate(&self, addr: SocketAddr) -> Vec<u8> {
        let mut roots = rustls::RootCertStore::empty();
        roots.add(self.ca.der().clone()).unwrap();
        let config = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
        let tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
        let tls = tokio_rustls::TlsConnector::from(Arc::new(config))
            .connect(
                rustls::pki_types::ServerName::try_from("127.0.0.1").unwrap(),
                tcp,
            )
            .await
            .unwrap();
        tls.get_ref().1.peer_certificates().unwrap()[0].to_vec()
    }
}

async fn free_port() -> u16 {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    listener.local_addr().unwrap().port()
}

/// A manager serving webhooks on 127.0.0.1:`port` with the certificates in `dir`, running
/// until the returned sender is dropped or fired.
fn start_manager(
    env: &TestEnv,
    dir: &Path,
    port: u16,
    register: impl FnOnce(&Manager),
) -> (
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<Result<(), krb::manager::Error>>,
) {
    let args = ManagerArgs {
        health_probe_bind_address: BindAddress::Disabled,
        webhook_cert_path: Some(dir.to_owned()),
        webhook_port: port,
        ..ManagerArgs::default()
    };
    let mgr = Manager::new(env.client(), args, "webhook-envtest.krb.dev")
        .with_webhook_host(IpAddr::V4(Ipv4Addr::LOCALHOST));
    register(&mgr);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(mgr.run_until(async move {
        let _ = stopped.await;
    }));
    (stop, running)
}

fn crd_v1_only() -> CustomResourceDefinition {
    parse_crds(
        r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: cronjobs.batch.tutorial.kubebuilder.io
spec:
  group: batch.tutorial.kubebuilder.io
  scope: Namespaced
  names: {plural: cronjobs, singular: cronjob, kind: CronJob, listKind: CronJobList}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [schedule]
            properties:
              schedule: {type: string}
              concurrencyPolicy: {type: string, enum: [Allow, Forbid, Replace]}
              suspend: {type: boolean}
              successfulJobsHistoryLimit: {type: integer, format: int32}
              failedJobsHistoryLimit: {type: integer, format: int32}
"#,
    )
    .unwrap()
    .remove(0)
}

/// Both versions, v1 stored, converted by the webhook at `url` trusted through `ca_pem`.
fn crd_two_versions(url: &str, ca_pem: &str) -> CustomResourceDefinition {
    let mut crd = crd_v1_only();
    let mut value = serde_json::to_value(&crd).unwrap();
    value["spec"]["versions"]
        .as_array_mut()
        .unwrap()
        .push(json!({
            "name": "v2",
            "served": true,
            "storage": false,
            "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": {
                "type": "object",
                "required": ["schedule"],
                "properties": {
                    "schedule": {"type": "object", "properties": {
                        "minute": {"type": "string"}, "hour": {"type": "string"},
                        "dayOfMonth": {"type": "string"}, "month": {"type": "string"},
                        "dayOfWeek": {"type": "string"}
                    }},
                    "concurrencyPolicy": {"type": "string", "enum": ["Allow", "Forbid", "Replace"]}
                }
            }}}}
        }));
    crd = serde_json::from_value(value).unwrap();
    crd.spec.conversion = Some(
        serde_json::from_value(json!({
            "strategy": "Webhook",
            "webhook": {
                "conversionReviewVersions": ["v1"],
                "clientConfig": {"url": url, "caBundle": base64(ca_pem)}
            }
        }))
        .unwrap(),
    );
    crd
}

fn base64(text: &str) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(text)
}

/// The configurations controller-gen writes for the tutorial's markers, pointing at `base`
/// through `url` instead of a Service, with the CA as `caBundle` (envtest does the same).
async fn register_webhook_configurations(env: &TestEnv, base: &str, ca_pem: &str) {
    let webhook = |name: &str, path: &str| {
        json!({
            "name": name,
            "admissionReviewVersions": ["v1"],
            "sideEffects": "None",
            "failurePolicy": "Fail",
            "clientConfig": {"url": format!("{base}{path}"), "caBundle": base64(ca_pem)},
            "rules": [{
                "apiGroups": [GROUP], "apiVersions": ["v1"],
                "operations": ["CREATE", "UPDATE"], "resources": ["cronjobs"]
            }]
        })
    };
    let mutating: MutatingWebhookConfiguration = serde_json::from_value(json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "MutatingWebhookConfiguration",
        "metadata": {"name": "mutating-webhook-configuration"},
        "webhooks": [webhook("mcronjob-v1.kb.io", MUTATE_PATH)]
    }))
    .unwrap();
    let validating: ValidatingWebhookConfiguration = serde_json::from_value(json!({
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": "validating-webhook-configuration"},
        "webhooks": [webhook("vcronjob-v1.kb.io", VALIDATE_PATH)]
    }))
    .unwrap();
    let pp = PostParams::default();
    Api::<MutatingWebhookConfiguration>::all(env.client())
        .create(&pp, &mutating)
        .await
        .unwrap();
    Api::<ValidatingWebhookConfiguration>::all(env.client())
        .create(&pp, &validating)
        .await
        .unwrap();
}

fn cronjob(name: &str, schedule: &str) -> v1::CronJob {
    v1::CronJob::new(
        name,
        v1::CronJobSpec {
            schedule: schedule.to_owned(),
            concurrency_policy: None,
            suspend: None,
            successful_jobs_history_limit: None,
            failed_jobs_history_limit: None,
        },
    )
}

fn api_status(err: kube::Error) -> kube::core::Status {
    match err {
        kube::Error::Api(status) => *status,
        other => panic!("expected an API error status, got {other}"),
    }
}

/// The API server picks up webhook configurations through an informer: dry-run requests
/// until both webhooks answer.
async fn wait_for_webhooks(api: &Api<v1::CronJob>) {
    let dry_run = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let defaulted = match api.create(&dry_run, &cronjob("probe", "* * * * *")).await {
            Ok(obj) => obj.spec.concurrency_policy.is_some(),
            Err(_) => false,
        };
        let validated = match api.create(&dry_run, &cronjob("probe", "x")).await {
            Err(kube::Error::Api(status)) => status.message.contains("vcronjob-v1.kb.io"),
            _ => false,
        };
        if defaulted && validated {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the API server never called the webhooks"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn api_server_calls_defaulting_and_validating_webhooks_and_the_certificate_reloads() {
    let Some(env) = Environment::builder()
        .crd(crd_v1_only())
        .build()
        .start_or_skip()
        .await
    else {
        return;
    };
    let certs = tempfile::tempdir().unwrap();
    let pki = Pki::new();
    let first = pki.write_serving(certs.path());
    let port = free_port().await;
    let (stop, running) = start_manager(&env, certs.path(), port, |mgr| {
        mgr.add_defaulter::<v1::CronJob, _>(MUTATE_PATH, CronJobCustomDefaulter);
        mgr.add_validator::<v1::CronJob, _>(VALIDATE_PATH, CronJobCustomValidator);
    });
    register_webhook_configurations(&env, &format!("https://127.0.0.1:{port}"), &pki.ca_pem())
        .await;
    let api: Api<v1::CronJob> = Api::namespaced(env.client(), "default");
    wait_for_webhooks(&api).await;

    // Created without concurrencyPolicy (nor the other defaulted fields): stored defaulted.
    let created = api
        .create(&PostParams::default(), &cronjob("defaulted", "*/1 * * * *"))
        .await
        .unwrap();
    let stored = api.get("defaulted").await.unwrap();
    for obj in [&created, &stored] {
        assert_eq!(obj.spec.concurrency_policy.as_deref(), Some("Allow"));
        assert_eq!(obj.spec.suspend, Some(false));
        assert_eq!(obj.spec.successful_jobs_history_limit, Some(3));
        assert_eq!(obj.spec.failed_jobs_history_limit, Some(1));
    }
    // A value the user set is kept.
    let mut forbid = cronjob("forbid", "*/1 * * * *");
    forbid.spec.concurrency_policy = Some("Forbid".to_owned());
    let forbid = api.create(&PostParams::default(), &forbid).await.unwrap();
    assert_eq!(forbid.spec.concurrency_policy.as_deref(), Some("Forbid"));

    // An invalid schedule: 422 Invalid with the validator's message and causes.
    let err = api
        .create(&PostParams::default(), &cronjob("bad-schedule", "x"))
        .await
        .unwrap_err();
    let status = api_status(err);
    assert_eq!((status.code, status.reason.as_str()), (422, "Invalid"));
    assert_eq!(
        status.message,
        "admission webhook \"vcronjob-v1.kb.io\" denied the request: \
         CronJob.batch.tutorial.kubebuilder.io \"bad-schedule\" is invalid: \
         spec.schedule: Invalid value: \"x\": expected exactly 5 fields, found 1: x"
    );
    let details = status.details.unwrap();
    assert_eq!(
        (details.group.as_str(), details.kind.as_str()),
        (GROUP, "CronJob")
    );
    assert_eq!(details.causes.len(), 1);
    assert_eq!(
        (
            details.causes[0].reason.as_str(),
            details.causes[0].field.as_str()
        ),
        ("FieldValueInvalid", "spec.schedule")
    );

    // A name over 52 characters.
    let long = "a".repeat(53);
    let status = api_status(
        api.create(&PostParams::default(), &cronjob(&long, "*/1 * * * *"))
            .await
            .unwrap_err(),
    );
    assert_eq!(status.code, 422);
    assert_eq!(
        status.message,
        format!(
            "admission webhook \"vcronjob-v1.kb.io\" denied the request: \
             CronJob.batch.tutorial.kubebuilder.io \"{long}\" is invalid: \
             metadata.name: Invalid value: \"{long}\": must be no more than 52 characters"
        )
    );

    // Updates are validated too.
    let mut update = stored.clone();
    update.spec.schedule = "@hourly".to_owned();
    let status = api_status(
        api.replace("defaulted", &PostParams::default(), &update)
            .await
            .unwrap_err(),
    );
    assert!(
        status
            .message
            .contains("spec.schedule: Invalid value: \"@hourly\""),
        "{}",
        status.message
    );

    // Certificate rotation: new files signed by the same CA. A new connection sees the new
    // certificate, without restarting the manager, and the API server keeps calling in.
    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    assert_eq!(pki.peer_certificate(addr).await, first);
    let second = pki.write_serving(certs.path());
    assert_ne!(first, second);
    assert_eq!(pki.peer_certificate(addr).await, second);
    let after = api
        .create(
            &PostParams::default(),
            &cronjob("after-rotation", "0 * * * *"),
        )
        .await
        .unwrap();
    assert_eq!(after.spec.concurrency_policy.as_deref(), Some("Allow"));
    assert!(!running.is_finished(), "the manager restarted or stopped");

    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
}

#[tokio::test]
async fn api_server_converts_between_versions_through_the_webhook() {
    let Some(env) = Environment::builder().build().start_or_skip().await else {
        return;
    };
    let certs = tempfile::tempdir().unwrap();
    let pki = Pki::new();
    pki.write_serving(certs.path());
    let port = free_port().await;
    let (stop, running) = start_manager(&env, certs.path(), port, |mgr| {
        mgr.add_conversion(krb::webhook::Conversion::<v1::CronJob>::new().spoke::<v2::CronJob>());
    });
    // The CRD needs the server's address, so it is installed once the server is up.
    let url = format!("https://127.0.0.1:{port}{}", krb::webhook::CONVERT_PATH);
    env.install_crd_objects(&[crd_two_versions(&url, &pki.ca_pem())])
        .await
        .unwrap();

    let v2_api: Api<v2::CronJob> = Api::namespaced(env.client(), "default");
    let v1_api: Api<v1::CronJob> = Api::namespaced(env.client(), "default");
    let mut obj = v2::CronJob::new(
        "converted",
        v2::CronJobSpec {
            schedule: v2::CronSchedule {
                minute: "*/5".into(),
                hour: "1".into(),
                day_of_month: "*".into(),
                month: "*".into(),
                day_of_week: "MON".into(),
            },
            concurrency_policy: Some("Forbid".into()),
        },
    );
    obj.metadata.labels = Some([("app".to_owned(), "cron".to_owned())].into());

    // The conversion webhook may not be reachable the instant the CRD is Established.
    let deadline = Instant::now() + Duration::from_secs(30);
    let created = loop {
        match v2_api.create(&PostParams::default(), &obj).await {
            Ok(created) => break created,
            Err(e) => {
                assert!(
                    Instant::now() < deadline,
                    "creating as v2 kept failing: {e}"
                );
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    };
    assert_eq!(created.spec, obj.spec);

    // Stored as v1 (the storage version): read as v1 it has the hub's one-string schedule.
    let as_v1 = v1_api.get("converted").await.unwrap();
    assert_eq!(as_v1.spec.schedule, "*/5 1 * * MON");
    assert_eq!(as_v1.spec.concurrency_policy.as_deref(), Some("Forbid"));
    assert_eq!(as_v1.labels().get("app").map(String::as_str), Some("cron"));
    let crd = Api::<CustomResourceDefinition>::all(env.client())
        .get("cronjobs.batch.tutorial.kubebuilder.io")
        .await
        .unwrap();
    assert_eq!(
        crd.status.unwrap().stored_versions,
        Some(vec!["v1".to_owned()])
    );

    // Read back as v2: unchanged.
    let as_v2 = v2_api.get("converted").await.unwrap();
    assert_eq!(as_v2.spec, obj.spec);
    assert_eq!(as_v2.metadata.labels, obj.metadata.labels);
    assert_eq!(as_v2.metadata.uid, as_v1.metadata.uid);

    // Lists convert every item.
    let listed = v2_api.list(&Default::default()).await.unwrap();
    assert_eq!(listed.items.len(), 1);
    assert_eq!(listed.items[0].spec, obj.spec);

    // A v1 object whose schedule v2 cannot express: the webhook's failure reaches the client.
    let mut odd = cronjob("odd", "@hourly");
    odd.spec.concurrency_policy = Some("Allow".into());
    v1_api.create(&PostParams::default(), &odd).await.unwrap();
    let err = v2_api.get("odd").await.unwrap_err();
    let status = api_status(err);
    assert_eq!(status.code, 500);
    assert!(
        status.message.contains(
            "conversion webhook for batch.tutorial.kubebuilder.io/v1, Kind=CronJob failed: \
             CronJob \"odd\" to batch.tutorial.kubebuilder.io/v2: converting the hub to \
             batch.tutorial.kubebuilder.io/v2: schedule \"@hourly\" does not have 5 fields"
        ),
        "{}",
        status.message
    );

    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
}
