{{ boilerplate }}//! The {{ resource.kind }} controller: reconciles {{ resource.api_version }} {{ resource.kind }} objects.

use std::sync::Arc;

use krb::{Manager, conditions, controller::Backoff};
use kube::{
    Api, Client, ResourceExt,
    api::{Patch, PatchParams},
    runtime::{Controller, controller::Action, watcher},
};

use {{ project.api_lib }}::{{ resource.version }}::{{ resource.kind }};

/// Name of this controller in logs and metrics.
pub const NAME: &str = "{{ resource.kind_lower }}";

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
{%- if resource.namespaced %}
    #[error("{{ resource.kind }} {0} has no namespace")]
    MissingNamespace(String),
{%- endif %}
}

// +kubebuilder:rbac:groups={{ resource.qualified_group }},resources={{ resource.plural }},verbs=get;list;watch;create;update;patch;delete
// +kubebuilder:rbac:groups={{ resource.qualified_group }},resources={{ resource.plural }}/status,verbs=get;update;patch
// +kubebuilder:rbac:groups={{ resource.qualified_group }},resources={{ resource.plural }}/finalizers,verbs=update

/// Moves the cluster towards the state the {{ resource.kind }} asks for.
///
/// TODO(user): compare the state the object specifies with the actual cluster state, then
/// act to make the cluster reflect it. The scaffold only reports that it saw the object by
/// setting its `Available` condition.
{%- set sig = "pub async fn reconcile(obj: Arc<" ~ resource.kind ~ ">, ctx: Arc<Context>) -> Result<Action, Error> {" %}
{%- if sig | length <= 100 %}
{{ sig }}
{%- else %}
pub async fn reconcile(
    obj: Arc<{{ resource.kind }}>,
    ctx: Arc<Context>,
) -> Result<Action, Error> {
{%- endif %}
    let name = obj.name_any();
{%- if resource.namespaced %}
    let namespace = obj
        .namespace()
        .ok_or_else(|| Error::MissingNamespace(name.clone()))?;
{%- set line = "    let api: Api<" ~ resource.kind ~ "> = Api::namespaced(ctx.client.clone(), &namespace);" %}
{%- if line | length <= 100 %}
{{ line }}
{%- else %}
    let api: Api<{{ resource.kind }}> =
        Api::namespaced(ctx.client.clone(), &namespace);
{%- endif %}
{%- else %}
{%- set line = "    let api: Api<" ~ resource.kind ~ "> = Api::all(ctx.client.clone());" %}
{%- if line | length <= 100 %}
{{ line }}
{%- else %}
    let api: Api<{{ resource.kind }}> =
        Api::all(ctx.client.clone());
{%- endif %}
{%- endif %}

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
            "The {{ resource.kind }} has been reconciled",
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
{%- set sig = "pub fn error_policy(obj: Arc<" ~ resource.kind ~ ">, error: &Error, ctx: Arc<Context>) -> Action {" %}
{%- if sig | length <= 100 %}
{{ sig }}
{%- else %}
pub fn error_policy(
    obj: Arc<{{ resource.kind }}>,
    error: &Error,
    ctx: Arc<Context>,
) -> Action {
{%- endif %}
    let delay = ctx.backoff.next_delay(obj.as_ref());
    tracing::warn!(name = %obj.name_any(), %error, ?delay, "reconcile failed");
    Action::requeue(delay)
}

/// Registers the controller with the manager.
pub fn setup(mgr: &Manager) {
{%- set line = "    let api = Api::<" ~ resource.kind ~ ">::all(mgr.client());" %}
{%- if line | length <= 100 %}
{{ line }}
{%- else %}
    let api =
        Api::<{{ resource.kind }}>::all(mgr.client());
{%- endif %}
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
