//! The envtest harness against a real kube-apiserver and etcd.
//!
//! Each test starts its own control plane (isolation, and Drop is exercised every time). Without
//! binaries the tests print SKIP and return; with `CI=true` they fail instead.

use std::path::PathBuf;
use std::time::Duration;

use k8s_openapi::api::authentication::v1::{SelfSubjectReview, TokenRequest, TokenRequestSpec};
use k8s_openapi::api::batch::v1::Job;
use k8s_openapi::api::core::v1::{ConfigMap, Namespace, ServiceAccount};
use k8s_openapi::api::rbac::v1::{PolicyRule, Role, RoleBinding, RoleRef, Subject};
use krb::envtest::{Environment, TestEnv};
use kube::api::{Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, PostParams};
use kube::core::ObjectMeta;

const CRD: &str = r#"
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.test.krb.dev
spec:
  group: test.krb.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, minimum: 1}
              color: {type: string}
---
# not a CRD: must be skipped, as in a config/crd directory with a kustomization
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [widgets.yaml]
"#;

async fn start(builder: krb::envtest::EnvironmentBuilder) -> Option<TestEnv> {
    builder.build().start_or_skip().await
}

async fn namespace(env: &TestEnv, name: &str) {
    let ns = Namespace {
        metadata: ObjectMeta {
            name: Some(name.to_owned()),
            ..Default::default()
        },
        ..Default::default()
    };
    Api::<Namespace>::all(env.client())
        .create(&PostParams::default(), &ns)
        .await
        .unwrap();
}

fn api_status(err: kube::Error) -> u16 {
    match err {
        kube::Error::Api(s) => s.code,
        other => panic!("expected an API error status, got {other}"),
    }
}

#[tokio::test]
async fn crd_from_yaml_dir_then_custom_resource_round_trip() {
    let crd_dir = tempfile::tempdir().unwrap();
    std::fs::write(crd_dir.path().join("widgets.yaml"), CRD).unwrap();
    let Some(env) = start(Environment::builder().crd_dir(crd_dir.path())).await else {
        return;
    };
    // start() returned, so the CRD is Established and served: no waiting here.
    let gvk = GroupVersionKind::gvk("test.krb.dev", "v1", "Widget");
    let ar = ApiResource::from_gvk_with_plural(&gvk, "widgets");
    let widgets: Api<DynamicObject> = Api::namespaced_with(env.client(), "default", &ar);
    let mut w = DynamicObject::new("blue", &ar);
    w.data = serde_json::json!({"spec": {"size": 3, "color": "blue"}});
    widgets.create(&PostParams::default(), &w).await.unwrap();

    let got = widgets.get("blue").await.unwrap();
    assert_eq!(
        got.data["spec"],
        serde_json::json!({"size": 3, "color": "blue"})
    );
    assert_eq!(got.metadata.generation, Some(1));

    // The structural schema is enforced by the real apiserver: 422 for size 0.
    let mut bad = DynamicObject::new("bad", &ar);
    bad.data = serde_json::json!({"spec": {"size": 0}});
    let err = widgets
        .create(&PostParams::default(), &bad)
        .await
        .unwrap_err();
    assert_eq!(api_status(err), 422);

    // The admin kubeconfig file is usable on its own.
    let kc = kube::config::Kubeconfig::read_from(env.kubeconfig_path()).unwrap();
    let config = kube::Config::from_custom_kubeconfig(kc, &Default::default())
        .await
        .unwrap();
    let again: Api<DynamicObject> =
        Api::namespaced_with(kube::Client::try_from(config).unwrap(), "default", &ar);
    assert!(again.get_opt("blue").await.unwrap().is_some());

    // Installing the same CRDs again is harmless (server-side apply).
    env.install_crds(crd_dir.path()).await.unwrap();

    // Drop stops the processes and removes the temp dir.
    let dir: PathBuf = env.dir().unwrap().to_owned();
    let server = env.server_url().trim_start_matches("https://").to_owned();
    assert!(dir.join("kubeconfig").is_file());
    drop(env);
    assert!(!dir.exists(), "{} left behind", dir.display());
    assert!(
        std::net::TcpStream::connect(&server).is_err(),
        "{server} still listening"
    );
}

#[tokio::test]
async fn service_account_token_is_denied_without_rbac_and_allowed_with_it() {
    let Some(env) = start(Environment::builder()).await else {
        return;
    };
    let ns = "tokens";
    namespace(&env, ns).await;
    let sa = ServiceAccount {
        metadata: ObjectMeta {
            name: Some("robot".to_owned()),
            ..Default::default()
        },
        ..Default::default()
    };
    let sas: Api<ServiceAccount> = Api::namespaced(env.client(), ns);
    sas.create(&PostParams::default(), &sa).await.unwrap();

    let request = TokenRequest {
        spec: Some(TokenRequestSpec {
            expiration_seconds: Some(600),
            ..Default::default()
        }),
        ..Default::default()
    };
    let issued: TokenRequest = sas
        .create_subresource("token", "robot", &PostParams::default(), &request)
        .await
        .unwrap();
    let token = issued.status.and_then(|s| s.token).unwrap();
    let robot = env.client_for_token(&token).unwrap();

    // Authenticated (a bad token would be 401) but not authorized: 403.
    let cms: Api<ConfigMap> = Api::namespaced(robot.clone(), ns);
    assert_eq!(
        api_status(cms.list(&Default::default()).await.unwrap_err()),
        403
    );

    // The same token, once a Role is bound to the ServiceAccount, may list.
    let role = Role {
        metadata: ObjectMeta {
            name: Some("read-configmaps".to_owned()),
            ..Default::default()
        },
        rules: Some(vec![PolicyRule {
            api_groups: Some(vec![String::new()]),
            resources: Some(vec!["configmaps".to_owned()]),
            verbs: vec!["list".to_owned()],
            ..Default::default()
        }]),
    };
    Api::<Role>::namespaced(env.client(), ns)
        .create(&PostParams::default(), &role)
        .await
        .unwrap();
    let binding = RoleBinding {
        metadata: ObjectMeta {
            name: Some("robot-reads".to_owned()),
            ..Default::default()
        },
        role_ref: RoleRef {
            api_group: Some("rbac.authorization.k8s.io".to_owned()),
            kind: "Role".to_owned(),
            name: "read-configmaps".to_owned(),
        },
        subjects: Some(vec![Subject {
            kind: "ServiceAccount".to_owned(),
            name: "robot".to_owned(),
            namespace: Some(ns.to_owned()),
            ..Default::default()
        }]),
    };
    Api::<RoleBinding>::namespaced(env.client(), ns)
        .create(&PostParams::default(), &binding)
        .await
        .unwrap();
    // RBAC changes reach the authorizer through an informer: allow it a moment.
    let mut allowed = false;
    for _ in 0..100 {
        if cms.list(&Default::default()).await.is_ok() {
            allowed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(allowed, "token still denied after the RoleBinding");
}

#[tokio::test]
async fn added_users_authenticate_by_certificate_with_their_groups() {
    let Some(env) = start(Environment::builder()).await else {
        return;
    };
    let alice = env.add_user("alice", &["dev", "ops"]).await.unwrap();
    let review: SelfSubjectReview = Api::all(alice.client())
        .create(&PostParams::default(), &SelfSubjectReview::default())
        .await
        .unwrap();
    let user = review.status.and_then(|s| s.user_info).unwrap();
    assert_eq!(user.username.as_deref(), Some("alice"));
    let mut groups = user.groups.unwrap_or_default();
    groups.sort();
    assert_eq!(groups, ["dev", "ops", "system:authenticated"]);
    // No RBAC for alice: forbidden.
    let err = Api::<ConfigMap>::namespaced(alice.client(), "default")
        .list(&Default::default())
        .await
        .unwrap_err();
    assert_eq!(api_status(err), 403);
    assert!(alice.kubeconfig_path().is_file());
    assert!(env.add_user("too-many", &["a", "b", "c"]).await.is_err());
}

#[tokio::test]
async fn job_is_created_and_deleted_with_background_propagation() {
    let Some(env) = start(Environment::builder()).await else {
        return;
    };
    let jobs: Api<Job> = Api::namespaced(env.client(), "default");
    let job: Job = serde_json::from_value(serde_json::json!({
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "once"},
        "spec": {"template": {"spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "main", "image": "busybox", "command": ["true"]}]
        }}}
    }))
    .unwrap();
    let created = jobs.create(&PostParams::default(), &job).await.unwrap();
    // Defaulting ran in the apiserver: a generated selector, no status (no job controller).
    assert!(created.spec.as_ref().unwrap().selector.is_some());

    jobs.delete("once", &DeleteParams::background())
        .await
        .unwrap();
    // Background deletion adds no finalizer, so the Job is gone without a garbage collector.
    assert!(jobs.get_opt("once").await.unwrap().is_none());
}

#[tokio::test]
async fn teardown_happens_when_the_test_panics() {
    if !krb::envtest::require_or_skip() {
        return;
    }
    let (tx, rx) = std::sync::mpsc::channel();
    let task = tokio::spawn(async move {
        let env = Environment::builder().build().start().await.unwrap();
        tx.send(env.dir().unwrap().to_owned()).unwrap();
        panic!("a failing assertion in a test");
    });
    assert!(task.await.unwrap_err().is_panic());
    let dir = rx.recv().unwrap();
    assert!(!dir.exists(), "{} left behind after a panic", dir.display());
}

#[tokio::test]
async fn missing_binaries_explain_how_to_get_them() {
    if std::env::var_os("TEST_ASSET_ETCD").is_some() {
        return; // the per-binary override wins over the directory below
    }
    let empty = tempfile::tempdir().unwrap();
    let err = Environment::builder()
        .binary_assets_dir(empty.path())
        .build()
        .start()
        .await
        .unwrap_err();
    assert!(err.is_missing_binaries());
    let msg = err.to_string();
    assert!(
        msg.contains("krb envtest use 1.37.2 --from-source"),
        "{msg}"
    );
    assert!(
        msg.contains("export KUBEBUILDER_ASSETS=$(krb envtest use 1.37.2 -p path)"),
        "{msg}"
    );
    assert!(msg.contains(&empty.path().display().to_string()), "{msg}");
}

/// USE_EXISTING_CLUSTER=true talks to the kubeconfig's cluster instead of spawning one. The
/// variables are process-wide, so the check runs in a child test process (the ignored test
/// below) pointed at a control plane started here.
#[tokio::test]
async fn use_existing_cluster_connects_to_the_current_kubeconfig() {
    let Some(env) = start(Environment::builder()).await else {
        return;
    };
    let marker = ConfigMap {
        metadata: ObjectMeta {
            name: Some("started-outside".to_owned()),
            ..Default::default()
        },
        ..Default::default()
    };
    Api::<ConfigMap>::namespaced(env.client(), "default")
        .create(&PostParams::default(), &marker)
        .await
        .unwrap();
    let crd_dir = tempfile::tempdir().unwrap();
    std::fs::write(crd_dir.path().join("widgets.yaml"), CRD).unwrap();
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "existing_cluster_child",
            "--nocapture",
        ])
        .env("USE_EXISTING_CLUSTER", "true")
        .env("KUBECONFIG", env.kubeconfig_path())
        .env("KRB_TEST_CRD_DIR", crd_dir.path())
        // No binaries needed in this mode: prove it.
        .env("KUBEBUILDER_ASSETS", "/nonexistent")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("1 passed"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The CRD the child installed is in our cluster.
    let crds: Api<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> =
        Api::all(env.client());
    assert!(
        crds.get_opt("widgets.test.krb.dev")
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
#[ignore = "run by use_existing_cluster_connects_to_the_current_kubeconfig"]
async fn existing_cluster_child() {
    let crd_dir = std::env::var("KRB_TEST_CRD_DIR").unwrap();
    let env = Environment::builder()
        .crd_dir(crd_dir)
        .build()
        .start()
        .await
        .unwrap();
    assert!(env.is_existing_cluster());
    let cm = Api::<ConfigMap>::namespaced(env.client(), "default")
        .get("started-outside")
        .await
        .unwrap();
    assert_eq!(cm.metadata.name.as_deref(), Some("started-outside"));
    assert!(env.add_user("nobody", &[]).await.is_err());
}
