
/// The path the validating webhook is served at.
{%- set line = 'pub const VALIDATION_PATH: &str = "' ~ validation_path ~ '";' %}
{#- rustfmt breaks after `=` only when the string then fits. #}
{%- if line | length <= 100 or validation_path | length + 7 > 100 %}
{{ line }}
{%- else %}
pub const VALIDATION_PATH: &str =
    "{{ validation_path }}";
{%- endif %}

// TODO(user): add verbs=create;update;delete to the marker to validate deletions too.
// +kubebuilder:webhook:path={{ validation_path }},mutating=false,failurePolicy=fail,sideEffects=None,groups={{ resource.qualified_group }},resources={{ resource.plural }},verbs=create;update,versions={{ resource.version }},name=v{{ resource.kind_lower }}-{{ resource.version }}.kb.io,admissionReviewVersions=v1

/// Checks {{ resource.kind }} objects when they are created, updated or deleted.
///
/// `Ok` admits the request, with warnings for the client; `Err` denies it: a list of
/// `FieldError`s becomes a 422 Invalid status naming each field.
#[derive(Debug, Clone, Copy)]
pub struct CustomValidator;

impl CustomValidator {
    /// The checks shared by create and update.
    fn validate(&self, obj: &Kind) -> Result<Warnings, Rejection> {
        let mut errors = Vec::new();
        // TODO(user): fill in your validation logic. The name becomes part of the names of
        // the objects the controller creates, so keep it short (a label value is at most
        // 63 characters).
        let name = obj.metadata.name.as_deref().unwrap_or_default();
        if name.len() > MAX_NAME_LENGTH {
            let field = FieldPath::new("metadata").child("name");
            errors.push(FieldError::invalid(
                field,
                name,
                format!("must be no more than {MAX_NAME_LENGTH} characters"),
            ));
        }
        if errors.is_empty() {
            Ok(Vec::new())
        } else {
            Err(errors.into())
        }
    }
}

/// The longest name the validator admits.
const MAX_NAME_LENGTH: usize = 63;

impl Validator<Kind> for CustomValidator {
    async fn validate_create(&self, obj: &Kind) -> Result<Warnings, Rejection> {
        tracing::info!(name = obj.metadata.name.as_deref(), "validating a creation");
        self.validate(obj)
    }

    async fn validate_update(&self, old: &Kind, new: &Kind) -> Result<Warnings, Rejection> {
        tracing::info!(name = new.metadata.name.as_deref(), "validating an update");
        // TODO(user): compare `old` and `new` to refuse changes to immutable fields.
        let _ = old;
        self.validate(new)
    }

    async fn validate_delete(&self, obj: &Kind) -> Result<Warnings, Rejection> {
        tracing::info!(name = obj.metadata.name.as_deref(), "validating a deletion");
        Ok(Vec::new())
    }
}
