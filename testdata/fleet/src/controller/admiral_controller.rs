//! The Admiral controller: reconciles crew.example.com/v1 Admiral objects.

use std::sync::Arc;

use krb::{Manager, conditions, controller::Backoff};
use kube::{
    Api, Client, ResourceExt,
    api::{Patch, PatchParams},
    runtime::{Controller, controller::Action, watcher},
};

use fleet_api::v1::Admiral;

/// Name of this controller in logs and metrics.
pub const NAME: &str = "admiral";

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
}

// +kubebuilder:rbac:groups=crew.example.com,resources=admirales,verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups=crew.example.com,resources=admirales/status,verbs=get;update;patch
// +kubebuilder:rbac:groups=crew.example.com,resources=admirales/finalizers,verbs=update

/// Moves the cluster towards the state the Admiral asks for.
///
/// TODO(user): compare the state the object specifies with the actual cluster state, then
/// act to make the cluster reflect it. The scaffold only reports that it saw the object by
/// setting its `Available` condition.
pub async fn reconcile(obj: Arc<Admiral>, ctx: Arc<Context>) -> Result<Action, Error> {
    let name = obj.name_any();
    let api: Api<Admiral> = Api::all(ctx.client.clone());

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
            "The Admiral has been reconciled",
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
pub fn error_policy(obj: Arc<Admiral>, error: &Error, ctx: Arc<Context>) -> Action {
    let delay = ctx.backoff.next_delay(obj.as_ref());
    tracing::warn!(name = %obj.name_any(), %error, ?delay, "reconcile failed");
    Action::requeue(delay)
}

/// Registers the controller with the manager.
pub fn setup(mgr: &Manager) {
    let api = Api::<Admiral>::all(mgr.client());
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
