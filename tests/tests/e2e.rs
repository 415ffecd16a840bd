//! End-to-end tier: the golden project testdata/project on a real API server (krb's envtest
//! harness: etcd and kube-apiserver, RBAC on, no controller-manager).
//!
//! What a kubebuilder user does by hand is done here by the real tools: `krb make install`,
//! `kubectl apply -k`, the manager binary as a separate process (built from testdata/project
//! into the shared target dir of tests/generated.rs), SIGTERM to stop it. One control plane per
//! test function, fresh namespaces, every wait bounded. Without the envtest binaries the tests
//! print SKIP, unless `CI=true`: then they fail.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail, ensure};
use k8s_openapi::api::authentication::v1::{TokenRequest, TokenRequestSpec};
use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SubjectAccessReview, SubjectAccessReviewSpec,
};
use k8s_openapi::api::core::v1::{Namespace, ServiceAccount};
use krb::envtest::{Environment, TestEnv};
use krb_tests::e2e::{
    CRD, GROUP, ManagerProcess, POLL, WAIT, cronjob_resource, free_port, krb_binary, kube_env,
    kubectl, manager_binary, project_dir, repo_root, run, wait_established,
};
use krb_tests::generated_target_dir;
use kube::api::{Api, DynamicObject, ObjectMeta, PostParams};
use kube::runtime::wait::await_condition;
use serde::Deserialize as _;

// The tests run on several threads: stopping the control plane (when `env` drops) blocks one,
// and the client's connections must still close on another, or kube-apiserver waits for them
// before it exits.

/// config/default's namespace and namePrefix applied to config/rbac/service_account.yaml.
const SYSTEM_NAMESPACE: &str = "project-system";
const SERVICE_ACCOUNT: &str = "project-controller-manager";

fn krb(env: &TestEnv, dir: &Path, args: &[&str]) -> Result<String> {
    run(Command::new(krb_binary()?)
        .args(args)
        .current_dir(dir)
        .envs(kube_env(env)))
}

/// The control plane, or `None` after a SKIP line when its binaries are missing (a failure
/// under `CI=true`). Checked before anything is built, so a skip costs nothing.
async fn control_plane(builder: krb::envtest::EnvironmentBuilder) -> Result<Option<TestEnv>> {
    if !krb::envtest::require_or_skip() {
        return Ok(None);
    }
    let env = builder
        .build()
        .start()
        .await
        .context("starting the control plane")?;
    Ok(Some(env))
}

fn cronjobs(env: &TestEnv, namespace: &str) -> Api<DynamicObject> {
    Api::namespaced_with(env.client(), namespace, &cronjob_resource())
}

/// A namespace of its own for each step: nothing is ever deleted here (no namespace
/// controller), so names are never reused.
async fn fresh_namespace(env: &TestEnv, prefix: &str) -> Result<String> {
    let ns = Namespace {
        metadata: ObjectMeta {
            generate_name: Some(prefix.to_owned()),
            ..Default::default()
        },
        ..Default::default()
    };
    let created = Api::<Namespace>::all(env.client())
        .create(&PostParams::default(), &ns)
        .await
        .context("creating a namespace")?;
    created.metadata.name.context("the namespace has no name")
}

async fn create_cronjob(env: &TestEnv, namespace: &str, name: &str) -> Result<()> {
    let api = cronjobs(env, namespace);
    let mut obj = DynamicObject::new(name, &cronjob_resource());
    obj.data = serde_json::json!({ "spec": {} });
    api.create(&PostParams::default(), &obj)
        .await
        .with_context(|| format!("creating CronJob {namespace}/{name}"))?;
    Ok(())
}

/// The generated controller's verdict on an object: `Available=True`, reason `Reconciled`,
/// for the object's current generation.
fn is_available(obj: Option<&DynamicObject>) -> bool {
    let Some(obj) = obj else {
        return false;
    };
    let conditions = obj.data["status"]["conditions"].as_array();
    conditions.into_iter().flatten().any(|c| {
        c["type"] == "Available"
            && c["status"] == "True"
            && c["reason"] == "Reconciled"
            && c["observedGeneration"].as_i64() == obj.metadata.generation
    })
}

async fn wait_available(
    env: &TestEnv,
    namespace: &str,
    name: &str,
    manager: &mut ManagerProcess,
) -> Result<DynamicObject> {
    let api = cronjobs(env, namespace);
    let waited = tokio::time::timeout(WAIT, await_condition(api.clone(), name, is_available)).await;
    match waited {
        Ok(Ok(Some(obj))) => Ok(obj),
        other => {
            let now = api.get_opt(name).await.ok().flatten();
            bail!(
                "CronJob {namespace}/{name} not Available=True (reason Reconciled, current \
                 generation) within {WAIT:?}: {other:?}\nits status: {}\nmanager: {}",
                now.map(|o| o.data["status"].to_string())
                    .unwrap_or_default(),
                manager.state()
            )
        }
    }
}

/// `GET http://127.0.0.1:<port><path>`: status code and body. The manager's servers speak
/// plain HTTP/1, so a few bytes over a socket are enough.
async fn http_get(port: u16, path: &str) -> Result<(u16, String)> {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    let exchange = async {
        let mut s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
        let request = format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n");
        s.write_all(request.as_bytes()).await?;
        let mut buf = Vec::new();
        s.read_to_end(&mut buf).await?;
        anyhow::Ok(String::from_utf8_lossy(&buf).into_owned())
    };
    let text = tokio::time::timeout(Duration::from_secs(5), exchange)
        .await
        .with_context(|| format!("GET :{port}{path} timed out"))??;
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .with_context(|| format!("GET :{port}{path}: not an HTTP response: {text:?}"))?;
    let body = text
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    Ok((code, body))
}

/// Polls until `path` answers 200 (/readyz says 500 until the controllers started).
async fn wait_http_ok(port: u16, path: &str, manager: &mut ManagerProcess) -> Result<String> {
    let deadline = Instant::now() + WAIT;
    loop {
        let answer = http_get(port, path).await;
        if let Ok((200, body)) = &answer {
            return Ok(body.clone());
        }
        if Instant::now() >= deadline {
            bail!(
                "GET :{port}{path} not 200 within {WAIT:?}: {answer:?}\nmanager: {}",
                manager.state()
            );
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The value of a Prometheus sample whose line carries every one of `labels`.
fn sample_value(metrics: &str, name: &str, labels: &[&str]) -> Option<f64> {
    metrics
        .lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .find(|l| labels.iter().all(|label| l.contains(label)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

/// The manager's probe and metrics flags on free loopback ports (never the defaults: tests
/// run side by side).
/// The controller tests run the manager without its webhook server, as `krb make run` does
/// without certificates; tests/e2e_webhook.rs serves the webhooks.
fn server_args(health: u16, metrics: u16) -> Vec<String> {
    vec![
        format!("--health-probe-bind-address=127.0.0.1:{health}"),
        format!("--metrics-bind-address=127.0.0.1:{metrics}"),
        "--enable-webhooks=false".to_owned(),
    ]
}

/// cert-manager is not part of envtest: stand-in CRDs for the kinds config/default uses
/// (schemaless, so any spec passes) let the API server judge everything else.
const CERT_MANAGER_STAND_INS: &str = "\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: certificates.cert-manager.io
spec:
  group: cert-manager.io
  names: {kind: Certificate, listKind: CertificateList, plural: certificates, singular: certificate}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: issuers.cert-manager.io
spec:
  group: cert-manager.io
  names: {kind: Issuer, listKind: IssuerList, plural: issuers, singular: issuer}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
";

/// `krb make install`, the samples, the manager as a process with the admin kubeconfig: the
/// sample is reconciled, the probes and metrics answer, SIGTERM ends it cleanly.
#[tokio::test(flavor = "multi_thread")]
async fn manager_process_reconciles_the_sample_and_serves_probes_and_metrics() -> Result<()> {
    let Some(env) = control_plane(Environment::builder()).await? else {
        return Ok(());
    };
    // Built here so that `krb make run` below finds it fresh.
    manager_binary()?;
    let project = project_dir();

    krb(&env, &project, &["make", "install"])?;
    wait_established(&env, CRD).await?;
    let ns = fresh_namespace(&env, "samples-").await?;
    let applied = kubectl(
        &env,
        &project,
        &["apply", "-k", "config/samples/", "-n", &ns, "-o", "name"],
    )?;
    let sample = applied
        .lines()
        .find_map(|l| l.strip_prefix(&format!("cronjob.{GROUP}/")))
        .with_context(|| format!("config/samples applied no CronJob: {applied}"))?
        .to_owned();

    // `krb make run`, as a user runs it: manifests, then `cargo run` of the manager (built
    // above into the shared target dir, so nothing is rebuilt); krb and cargo exec into the
    // manager, so the SIGTERM below reaches it.
    let (health, metrics) = (free_port()?, free_port()?);
    let dir = tempfile::tempdir()?;
    let mut make_run = Command::new(krb_binary()?);
    make_run
        .args(["make", "run", "--"])
        .args(server_args(health, metrics))
        .current_dir(&project)
        .env("CARGO_TARGET_DIR", generated_target_dir());
    krb_tests::scrub_cargo_env(&mut make_run);
    let mut manager = ManagerProcess::spawn(
        make_run,
        env.kubeconfig_path(),
        dir.path().join("manager.log"),
    )?;

    wait_available(&env, &ns, &sample, &mut manager).await?;
    wait_http_ok(health, "/healthz", &mut manager).await?;
    wait_http_ok(health, "/readyz", &mut manager).await?;
    let body = wait_http_ok(metrics, "/metrics", &mut manager).await?;
    let reconciles = sample_value(
        &body,
        "controller_runtime_reconcile_total",
        &[r#"controller="cronjob""#, r#"result="success""#],
    );
    ensure!(
        reconciles.is_some_and(|n| n > 0.0),
        "no successful reconcile counted (got {reconciles:?}) in /metrics:\n{body}"
    );

    let status = manager.terminate().await?;
    ensure!(
        status.success(),
        "the manager exited with {status} after SIGTERM\n{}",
        manager.state()
    );
    manager.passed();
    Ok(())
}

/// `kubectl kustomize <dir>` of a project.
fn render(env: &TestEnv, project: &Path, dir: &str) -> Result<String> {
    kubectl(env, project, &["kustomize", dir])
}

/// The objects of a multi-document YAML stream.
fn documents(yaml: &str) -> Result<Vec<serde_json::Value>> {
    serde_yaml_ng::Deserializer::from_str(yaml)
        .map(|doc| serde_json::Value::deserialize(doc).context("parsing rendered YAML"))
        .filter(|v| !matches!(v, Ok(serde_json::Value::Null)))
        .collect()
}

/// The objects of the given kinds, as a YAML stream again.
fn select(yaml: &str, kinds: &[&str]) -> Result<String> {
    let mut out = String::new();
    for object in documents(yaml)? {
        if kinds.iter().any(|k| object["kind"] == *k) {
            writeln!(out, "---\n{}", serde_yaml_ng::to_string(&object)?)?;
        }
    }
    Ok(out)
}

fn apply_manifest(env: &TestEnv, project: &Path, scratch: &Path, yaml: &str) -> Result<()> {
    let file = scratch.join("manifest.yaml");
    std::fs::write(&file, yaml)?;
    let file = file.to_str().context("a non-UTF-8 temp path")?;
    kubectl(
        env,
        project,
        &["apply", "--server-side", "--force-conflicts", "-f", file],
    )?;
    Ok(())
}

/// config/default's objects that give the manager its identity and permissions (not the
/// CRDs, not the Deployment: the manager runs here as a process), applied.
fn apply_rbac(env: &TestEnv, project: &Path, scratch: &Path) -> Result<()> {
    let rendered = render(env, project, "config/default")?;
    let rbac = select(
        &rendered,
        &[
            "Namespace",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "ClusterRole",
            "ClusterRoleBinding",
        ],
    )?;
    ensure!(
        rbac.contains("kind: ClusterRole\n"),
        "config/default has no ClusterRole:\n{rendered}"
    );
    apply_manifest(env, project, scratch, &rbac)
}

/// A token for the manager's ServiceAccount (TokenRequest API, as the kubelet mounts one) and
/// a kubeconfig using it against the harness's API server.
async fn service_account_kubeconfig(env: &TestEnv, path: &Path) -> Result<()> {
    let request = TokenRequest {
        spec: Some(TokenRequestSpec {
            expiration_seconds: Some(3600),
            ..Default::default()
        }),
        ..Default::default()
    };
    let issued: TokenRequest = Api::<ServiceAccount>::namespaced(env.client(), SYSTEM_NAMESPACE)
        .create_subresource("token", SERVICE_ACCOUNT, &PostParams::default(), &request)
        .await
        .context("requesting a ServiceAccount token")?;
    let token = issued
        .status
        .and_then(|s| s.token)
        .context("TokenRequest returned no token")?;
    let mut kubeconfig = serde_json::to_value(env.kubeconfig())?;
    kubeconfig["users"] = serde_json::json!([{ "name": "envtest", "user": { "token": token } }]);
    std::fs::write(path, serde_json::to_string_pretty(&kubeconfig)?)?;
    Ok(())
}

/// Whether the API server lets the manager's ServiceAccount patch `cronjobs/status`.
async fn may_patch_status(env: &TestEnv) -> Result<bool> {
    let review = SubjectAccessReview {
        spec: SubjectAccessReviewSpec {
            user: Some(format!(
                "system:serviceaccount:{SYSTEM_NAMESPACE}:{SERVICE_ACCOUNT}"
            )),
            groups: Some(vec![
                "system:serviceaccounts".to_owned(),
                format!("system:serviceaccounts:{SYSTEM_NAMESPACE}"),
                "system:authenticated".to_owned(),
            ]),
            resource_attributes: Some(ResourceAttributes {
                group: Some(GROUP.to_owned()),
                resource: Some("cronjobs".to_owned()),
                subresource: Some("status".to_owned()),
                verb: Some("patch".to_owned()),
                namespace: Some("any".to_owned()),
                ..Default::default()
            }),
            ..Default::default()
        },
        ..Default::default()
    };
    let answer = Api::<SubjectAccessReview>::all(env.client())
        .create(&PostParams::default(), &review)
        .await
        .context("asking for a SubjectAccessReview")?;
    Ok(answer.status.is_some_and(|s| s.allowed))
}

/// Recursively copies a project, without build output.
fn copy_tree(from: &Path, to: &Path) -> Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name == "target" {
            continue;
        }
        let (src, dst) = (entry.path(), to.join(&name));
        if entry.file_type()?.is_dir() {
            copy_tree(&src, &dst)?;
        } else {
            std::fs::copy(&src, &dst)
                .with_context(|| format!("copying {} to {}", src.display(), dst.display()))?;
        }
    }
    Ok(())
}

/// The manager as its ServiceAccount, with exactly the RBAC config/default grants (and leader
/// election on, so the leader-election Role is exercised too): it reconciles. Then the
/// `cronjobs/status` marker is removed and the role regenerated: the manager is denied, and
/// says which resource.
#[tokio::test(flavor = "multi_thread")]
async fn manager_as_its_service_account_reconciles_and_a_missing_rule_is_a_403() -> Result<()> {
    let project = project_dir();
    let Some(env) =
        control_plane(Environment::builder().crd_dir(project.join("config/crd/bases"))).await?
    else {
        return Ok(());
    };
    let manager_bin = manager_binary()?;
    let scratch = tempfile::tempdir()?;

    apply_rbac(&env, &project, scratch.path())?;
    let kubeconfig = scratch.path().join("manager.kubeconfig");
    service_account_kubeconfig(&env, &kubeconfig).await?;
    let mut args = server_args(free_port()?, free_port()?);
    args.push("--leader-elect".to_owned());
    args.push(format!("--leader-election-namespace={SYSTEM_NAMESPACE}"));
    let mut manager = ManagerProcess::start(
        &manager_bin,
        &kubeconfig,
        scratch.path().join("manager.log"),
        &args,
        &[],
    )?;

    let ns = fresh_namespace(&env, "as-sa-").await?;
    create_cronjob(&env, &ns, "allowed").await?;
    wait_available(&env, &ns, "allowed", &mut manager).await?;

    // The same project without the status rule: what a user gets who forgets the marker.
    let copy = scratch.path().join("project");
    copy_tree(&project, &copy)?;
    let controller = copy.join("src/controller/cronjob_controller.rs");
    let source = std::fs::read_to_string(&controller)?;
    let without: String = source
        .lines()
        .filter(|l| !l.contains("resources=cronjobs/status,"))
        .map(|l| format!("{l}\n"))
        .collect();
    ensure!(
        without != source,
        "no cronjobs/status RBAC marker in {}",
        controller.display()
    );
    std::fs::write(&controller, without)?;
    krb(&env, &copy, &["make", "manifests"])?;
    let role = std::fs::read_to_string(copy.join("config/rbac/role.yaml"))?;
    ensure!(
        !role.contains("cronjobs/status"),
        "role.yaml still grants cronjobs/status:\n{role}"
    );
    apply_rbac(&env, &copy, scratch.path())?;
    // The authorizer learns of RBAC changes through an informer: wait until it denies.
    let deadline = Instant::now() + WAIT;
    while may_patch_status(&env).await? {
        ensure!(
            Instant::now() < deadline,
            "cronjobs/status still allowed after {WAIT:?}"
        );
        tokio::time::sleep(POLL).await;
    }

    create_cronjob(&env, &ns, "denied").await?;
    let line = manager
        .wait_for_line("403 for cronjobs/status", |l| {
            l.contains("cronjobs/status") && (l.contains("403") || l.contains("forbidden"))
        })
        .await?;
    eprintln!("the manager reported: {line}");
    ensure!(
        line.contains("denied"),
        "the 403 is not about the new object: {line}"
    );
    let denied = cronjobs(&env, &ns).get("denied").await?;
    ensure!(
        !is_available(Some(&denied)),
        "a denied status update still landed"
    );

    let status = manager.terminate().await?;
    ensure!(
        status.success(),
        "the manager exited with {status} after SIGTERM"
    );
    manager.passed();
    Ok(())
}

/// What `krb make deploy` would send, checked by the API server itself without persisting it:
/// every object of config/default is accepted. A server-side dry run creates no namespace, so
/// config/default's own Namespace object is applied for real first; the dry run then covers
/// it again with everything that lives in it.
#[tokio::test(flavor = "multi_thread")]
async fn config_default_passes_a_server_side_dry_run() -> Result<()> {
    let Some(env) = control_plane(Environment::builder()).await? else {
        return Ok(());
    };
    let project = project_dir();
    let scratch = tempfile::tempdir()?;
    let rendered = render(&env, &project, "config/default")?;
    let namespaces = select(&rendered, &["Namespace"])?;
    ensure!(
        namespaces.contains(&format!("name: {SYSTEM_NAMESPACE}\n")),
        "config/default has no Namespace {SYSTEM_NAMESPACE}:\n{namespaces}"
    );
    apply_manifest(&env, &project, scratch.path(), &namespaces)?;
    apply_manifest(&env, &project, scratch.path(), CERT_MANAGER_STAND_INS)?;
    for crd in ["certificates.cert-manager.io", "issuers.cert-manager.io"] {
        wait_established(&env, crd).await?;
    }

    let out = kubectl(
        &env,
        &project,
        &["apply", "--dry-run=server", "-k", "config/default"],
    )?;
    let objects = documents(&rendered)?.len();
    let accepted = out
        .lines()
        .filter(|l| l.ends_with("(server dry run)"))
        .count();
    ensure!(
        accepted == objects,
        "{accepted} of the {objects} objects of config/default accepted:\n{out}"
    );
    for object in [
        format!("namespace/{SYSTEM_NAMESPACE}"),
        format!("customresourcedefinition.apiextensions.k8s.io/{CRD}"),
        format!("serviceaccount/{SERVICE_ACCOUNT}"),
        "deployment.apps/project-controller-manager".to_owned(),
    ] {
        ensure!(
            out.contains(&format!("{object} ")),
            "{object} missing from the dry run:\n{out}"
        );
    }
    Ok(())
}

/// Every golden project's CRDs, as `krb make manifests` wrote them, are accepted and
/// Established.
#[tokio::test(flavor = "multi_thread")]
async fn every_golden_crd_is_established() -> Result<()> {
    let Some(env) = control_plane(Environment::builder()).await? else {
        return Ok(());
    };
    let mut names = Vec::new();
    for project in std::fs::read_dir(repo_root().join("testdata"))? {
        let bases = project?.path().join("config/crd/bases");
        if bases.is_dir() {
            let crds = env
                .install_crds(&bases)
                .await
                .with_context(|| format!("installing {}", bases.display()))?;
            names.extend(crds.into_iter().filter_map(|c| c.metadata.name));
        }
    }
    ensure!(names.len() >= 3, "too few golden CRDs found: {names:?}");
    for name in &names {
        wait_established(&env, name).await?;
    }
    Ok(())
}
