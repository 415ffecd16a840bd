// Copyright The krb authors.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

//! Integration test of the CronJob controller.
//!
//! Like kubebuilder's envtest suite, it runs against a real API server: etcd and kube-apiserver
//! start on free local ports, the CRDs in config/crd/bases are installed, and the controller
//! runs in this process, registered with a manager as main.rs registers it.
//!
//! `krb make test` regenerates the CRDs and points the test at the binaries `krb envtest use`
//! installed (or set `KUBEBUILDER_ASSETS`). Without them the test prints SKIP and passes,
//! unless `CI=true`: then it fails, so a CI job without binaries cannot pass unnoticed.

use k8s_openapi::api::core::v1 as corev1;
use k8s_openapi::apimachinery::pkg::apis::meta::v1 as metav1;
use krb::envtest;
use kube::{Api, ResourceExt};

// The types and the controller under test; `Kind` keeps the lines short for any kind name.
use project::controller::cronjob_controller;
use project_api::v1::CronJob as Kind;

/// How long the controller may take to report on a new object.
const TIMEOUT: std::time::Duration = std::time::Duration::from_secs(30);

// Several threads: stopping the control plane (when `env` drops) blocks one, and the client's
// connections must still close on another, or kube-apiserver waits for them before it exits.
/// A new object is reported `Available` for its current generation.
#[tokio::test(flavor = "multi_thread")]
async fn reconcile_marks_the_object_available() {
    let Some(env) = envtest::Environment::builder()
        .crd_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/config/crd/bases"))
        .build()
        .start_or_skip()
        .await
    else {
        return;
    };
    let client = env.client();

    // The manager as main.rs builds it, without the probe server: a fixed port would clash
    // with anything else listening on it.
    let args = krb::ManagerArgs {
        health_probe_bind_address: krb::manager::BindAddress::Disabled,
        ..krb::ManagerArgs::default()
    };
    let mgr = krb::Manager::new(client.clone(), args, "envtest");
    cronjob_controller::setup(&mgr);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let manager = tokio::spawn(mgr.run_until(async move {
        let _ = stopped.await;
    }));

    // A fresh namespace, so that runs against a shared cluster (USE_EXISTING_CLUSTER=true)
    // never meet each other's objects.
    let namespace = corev1::Namespace {
        metadata: kube::api::ObjectMeta {
            generate_name: Some("test-".to_owned()),
            ..Default::default()
        },
        ..Default::default()
    };
    let namespace = Api::<corev1::Namespace>::all(client.clone())
        .create(&kube::api::PostParams::default(), &namespace)
        .await
        .expect("creating a namespace")
        .name_any();
    let api: Api<Kind> = Api::namespaced(client.clone(), &namespace);

    // TODO(user): fill in the spec fields your CRD requires.
    let mut obj = Kind::new("", Default::default());
    obj.metadata.name = None;
    obj.metadata.generate_name = Some("test-".to_owned());
    let name = api
        .create(&kube::api::PostParams::default(), &obj)
        .await
        .expect("creating the object")
        .name_any();

    let waited = tokio::time::timeout(
        TIMEOUT,
        kube::runtime::wait::await_condition(api.clone(), &name, is_available),
    )
    .await;
    let obj = api.get(&name).await.expect("reading the object");
    assert!(
        matches!(waited, Ok(Ok(Some(_)))),
        "{name} is not Available after {TIMEOUT:?} ({waited:?}); its status: {:?}",
        obj.status
    );
    let available = available(&obj).expect("the Available condition");
    assert_eq!(available.reason, "Reconciled");
    assert_eq!(available.observed_generation, obj.metadata.generation);

    let _ = stop.send(());
    let stopped = tokio::time::timeout(TIMEOUT, manager).await;
    assert!(
        matches!(stopped, Ok(Ok(Ok(())))),
        "the manager did not stop cleanly: {stopped:?}"
    );
}

/// The `Available` condition, when the controller set it.
fn available(obj: &Kind) -> Option<&metav1::Condition> {
    let status = obj.status.as_ref()?;
    krb::conditions::find(&status.conditions, "Available")
}

/// `Available=True`, set for the object's current generation (not an older one).
fn is_available(obj: Option<&Kind>) -> bool {
    let Some(obj) = obj else {
        return false;
    };
    available(obj)
        .is_some_and(|c| c.status == "True" && c.observed_generation == obj.metadata.generation)
}
