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

//! The CronJob controller: reconciles batch.tutorial.kubebuilder.io/v1 CronJob objects.

use std::sync::Arc;

use krb::{Manager, conditions, controller::Backoff};
use kube::{
    Api, Client, ResourceExt,
    api::{Patch, PatchParams},
    runtime::{Controller, controller::Action, watcher},
};

use project_api::v1::CronJob;

/// Name of this controller in logs and metrics.
pub const NAME: &str = "cronjob";

/// State shared by every reconcile of this controller.
pub struct Context {
    /// Client for the Kubernetes API.
    pub client: Client,
    /// Retry delays for objects whose reconcile failed.
    pub backoff: Backoff,
}

/// Why a reconcile failed; the object is retried with backoff.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("Kubernetes API request failed: {0}")]
    Kube(#[from] kube::Error),
    #[error("CronJob {0} has no namespace")]
    MissingNamespace(String),
}

// +kubebuilder:rbac:groups=batch.tutorial.kubebuilder.io,resources=cronjobs,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=batch.tutorial.kubebuilder.io,resources=cronjobs/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=batch.tutorial.kubebuilder.io,resources=cronjobs/finalizers,verbs=update

/// Moves the cluster towards the state the CronJob asks for.
///
/// TODO(user): compare the state the object specifies with the actual cluster state, then
/// act to make the cluster reflect it. The scaffold only reports that it saw the object by
/// setting its `Available` condition.
pub async fn reconcile(obj: Arc<CronJob>, ctx: Arc<Context>) -> Result<Action, Error> {
    let name = obj.name_any();
    let namespace = obj
        .namespace()
        .ok_or_else(|| Error::MissingNamespace(name.clone()))?;
    let api: Api<CronJob> = Api::namespaced(ctx.client.clone(), &namespace);

    let mut current = obj
        .status
        .as_ref()
        .map(|status| status.conditions.clone())
        .unwrap_or_default();
    let changed = conditions::set(
        &mut current,
        conditions::new(
            "Available",
            "True",
            "Reconciled",
            "The CronJob has been reconciled",
            obj.metadata.generation,
        ),
    );
    if changed {
        let patch = serde_json::json!({ "status": { "conditions": current } });
        api.patch_status(&name, &PatchParams::default(), &Patch::Merge(&patch))
            .await?;
        tracing::info!(%name, "updated status");
    }
    Ok(Action::await_change())
}

/// Retries a failed object, waiting longer after each failure of the same object state.
pub fn error_policy(obj: Arc<CronJob>, error: &Error, ctx: Arc<Context>) -> Action {
    let delay = ctx.backoff.next_delay(obj.as_ref());
    tracing::warn!(name = %obj.name_any(), %error, ?delay, "reconcile failed");
    Action::requeue(delay)
}

/// Registers the controller with the manager.
pub fn setup(mgr: &Manager) {
    let api = Api::<CronJob>::all(mgr.client());
    let ctx = Arc::new(Context {
        client: mgr.client(),
        backoff: Backoff::default(),
    });
    mgr.add_controller(
        NAME,
        Controller::new(api, watcher::Config::default()),
        reconcile,
        error_policy,
        ctx,
    );
}
