
/// The path the mutating webhook is served at.
{%- set line = 'pub const DEFAULTING_PATH: &str = "' ~ defaulting_path ~ '";' %}
{#- rustfmt breaks after `=` only when the string then fits. #}
{%- if line | length <= 100 or defaulting_path | length + 7 > 100 %}
{{ line }}
{%- else %}
pub const DEFAULTING_PATH: &str =
    "{{ defaulting_path }}";
{%- endif %}

// +kubebuilder:webhook:path={{ defaulting_path }},mutating=true,failurePolicy=fail,sideEffects=None,groups={{ resource.qualified_group }},resources={{ resource.plural }},verbs=create;update,versions={{ resource.version }},name=m{{ resource.kind_lower }}-{{ resource.version }}.kb.io,admissionReviewVersions=v1

/// Sets default values on {{ resource.kind }} objects when they are created or updated.
///
/// TODO(user): add fields (clients, default values) the defaulter needs.
#[derive(Debug, Clone, Copy)]
pub struct CustomDefaulter;

impl Defaulter<Kind> for CustomDefaulter {
    /// Sets the defaults on `obj` in place; the changes go back to the API server as a JSON
    /// Patch. An error rejects the request.
    async fn default(&self, obj: &mut Kind) -> Result<(), Rejection> {
        tracing::info!(name = obj.metadata.name.as_deref(), "defaulting");
        // TODO(user): fill in your defaulting logic, e.g.
        // obj.spec.foo.get_or_insert_with(|| "bar".to_owned());
        Ok(())
    }
}
