//! Field-level validation errors and the Kubernetes `Status` they become, as apimachinery's
//! `field.ErrorList` and `apierrors.NewInvalid` build them.

use std::fmt::{self, Display};

use kube::core::Status;
use kube::core::response::{StatusCause, StatusDetails, reason};
use serde::Serialize;
use serde_json::Value;

/// Warnings returned to the API client (kubectl prints them as `Warning: ...`).
pub type Warnings = Vec<String>;

/// Why a field is invalid; the names are apimachinery's `field.ErrorType` values, which become
/// `details.causes[].reason` in the `Invalid` status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FieldErrorType {
    /// `FieldValueNotFound`: a value that was looked up does not exist.
    NotFound,
    /// `FieldValueRequired`: a required value is missing.
    Required,
    /// `FieldValueDuplicate`: a value that must be unique is not.
    Duplicate,
    /// `FieldValueInvalid`: a malformed value.
    Invalid,
    /// `FieldValueNotSupported`: a value outside an enumeration.
    NotSupported,
    /// `FieldValueForbidden`: a valid value that is not allowed here.
    Forbidden,
    /// `FieldValueTooLong`: a value longer than allowed.
    TooLong,
    /// `FieldValueTooMany`: a list with too many items.
    TooMany,
    /// `InternalError`: something went wrong that is not the user's fault.
    Internal,
    /// `FieldValueTypeInvalid`: a value of the wrong type.
    TypeInvalid,
}

impl FieldErrorType {
    /// The machine-readable name, e.g. `FieldValueInvalid`.
    pub fn reason(self) -> &'static str {
        match self {
            Self::NotFound => "FieldValueNotFound",
            Self::Required => "FieldValueRequired",
            Self::Duplicate => "FieldValueDuplicate",
            Self::Invalid => "FieldValueInvalid",
            Self::NotSupported => "FieldValueNotSupported",
            Self::Forbidden => "FieldValueForbidden",
            Self::TooLong => "FieldValueTooLong",
            Self::TooMany => "FieldValueTooMany",
            Self::Internal => "InternalError",
            Self::TypeInvalid => "FieldValueTypeInvalid",
        }
    }

    /// The human-readable name, e.g. `Invalid value`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotFound => "Not found",
            Self::Required => "Required value",
            Self::Duplicate => "Duplicate value",
            Self::Invalid | Self::TypeInvalid => "Invalid value",
            Self::NotSupported => "Unsupported value",
            Self::Forbidden => "Forbidden",
            Self::TooLong => "Too long",
            Self::TooMany => "Too many",
            Self::Internal => "Internal error",
        }
    }

    /// Types whose message never shows the bad value.
    fn omits_value(self) -> bool {
        matches!(
            self,
            Self::Required | Self::Forbidden | Self::TooLong | Self::Internal
        )
    }
}

impl Display for FieldErrorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A field path as apimachinery's `field.Path` prints it: `spec.containers[0].env[HOME]`.
///
/// ```
/// use krb::webhook::FieldPath;
/// let p = FieldPath::new("spec").child("jobTemplate").child("containers").index(0);
/// assert_eq!(p.to_string(), "spec.jobTemplate.containers[0]");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct FieldPath(String);

impl FieldPath {
    /// A path starting at `root` (e.g. `spec` or `metadata`).
    pub fn new(root: &str) -> Self {
        Self(root.to_owned())
    }

    /// `self.name`.
    #[must_use]
    pub fn child(&self, name: &str) -> Self {
        if self.0.is_empty() {
            Self(name.to_owned())
        } else {
            Self(format!("{}.{name}", self.0))
        }
    }

    /// `self[index]`, a list item.
    #[must_use]
    pub fn index(&self, index: usize) -> Self {
        Self(format!("{}[{index}]", self.0))
    }

    /// `self[key]`, a map entry (unquoted, as Go prints it).
    #[must_use]
    pub fn key(&self, key: &str) -> Self {
        Self(format!("{}[{key}]", self.0))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<FieldPath> for String {
    fn from(p: FieldPath) -> Self {
        p.0
    }
}

impl From<&FieldPath> for String {
    fn from(p: &FieldPath) -> Self {
        p.0.clone()
    }
}

/// One invalid field, like apimachinery's `field.Error`. Build it with the constructors named
/// after Go's (`field.Invalid` is [`FieldError::invalid`], ...).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    /// What is wrong.
    pub kind: FieldErrorType,
    /// The JSON path of the field, e.g. `spec.schedule`.
    pub field: String,
    /// The offending value, shown in the message; `None` leaves it out.
    pub bad_value: Option<Value>,
    /// Why, for humans.
    pub detail: String,
}

fn to_value(value: impl Serialize) -> Option<Value> {
    // A value that cannot be serialized is shown as null rather than failing validation.
    Some(serde_json::to_value(value).unwrap_or(Value::Null))
}

impl FieldError {
    /// `field.Invalid`: `spec.schedule: Invalid value: "x": <detail>`.
    pub fn invalid(
        field: impl Into<String>,
        value: impl Serialize,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind: FieldErrorType::Invalid,
            field: field.into(),
            bad_value: to_value(value),
            detail: detail.into(),
        }
    }

    /// `field.Required`: `spec.schedule: Required value: <detail>`.
    pub fn required(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            kind: FieldErrorType::Required,
            field: field.into(),
            bad_value: None,
            detail: detail.into(),
        }
    }

    /// `field.Forbidden`: `spec.x: Forbidden: <detail>`.
    pub fn forbidden(field: impl Into<String>, detail: impl Into<String>) -> Self {
        Self {
            kind: FieldErrorType::Forbidden,
            field: field.into(),
            bad_value: None,
            detail: detail.into(),
        }
    }

    /// `field.TooLong`: `metadata.name: Too long: may not be more than 52 bytes`. The value
    /// is never shown; `max_len` below zero says only "value is too long".
    pub fn too_long(field: impl Into<String>, max_len: i64) -> Self {
        let detail = match max_len {
            1 => "may not be more than 1 byte".to_owned(),
            n if n >= 0 => format!("may not be more than {n} bytes"),
            _ => "value is too long".to_owned(),
        };
        Self {
            kind: FieldErrorType::TooLong,
            field: field.into(),
            bad_value: None,
            detail,
        }
    }

    /// `field.TooMany`: `spec.items: Too many: 5: must have at most 3 items`.
    pub fn too_many(field: impl Into<String>, actual: Option<usize>, max: i64) -> Self {
        let detail = match max {
            1 => "must have at most 1 item".to_owned(),
            n if n >= 0 => format!("must have at most {n} items"),
            _ => "has too many items".to_owned(),
        };
        Self {
            kind: FieldErrorType::TooMany,
            field: field.into(),
            bad_value: actual.and_then(to_value),
            detail,
        }
    }

    /// `field.NotSupported`: `spec.policy: Unsupported value: "x": supported values: "A", "B"`.
    pub fn not_supported<S: AsRef<str>>(
        field: impl Into<String>,
        value: impl Serialize,
        supported: &[S],
    ) -> Self {
        let detail = if supported.is_empty() {
            String::new()
        } else {
            let quoted: Vec<String> = supported.iter().map(|s| go_quote(s.as_ref())).collect();
            format!("supported values: {}", quoted.join(", "))
        };
        Self {
            kind: FieldErrorType::NotSupported,
            field: field.into(),
            bad_value: to_value(value),
            detail,
        }
    }

    /// `field.Duplicate`: `spec.ports[1]: Duplicate value: 80`.
    pub fn duplicate(field: impl Into<String>, value: impl Serialize) -> Self {
        Self {
            kind: FieldErrorType::Duplicate,
            field: field.into(),
            bad_value: to_value(value),
            detail: String::new(),
        }
    }

    /// `field.NotFound`: `spec.secretRef: Not found: "x"`.
    pub fn not_found(field: impl Into<String>, value: impl Serialize) -> Self {
        Self {
            kind: FieldErrorType::NotFound,
            field: field.into(),
            bad_value: to_value(value),
            detail: String::new(),
        }
    }

    /// `field.TypeInvalid`.
    pub fn type_invalid(
        field: impl Into<String>,
        value: impl Serialize,
        detail: impl Into<String>,
    ) -> Self {
        Self {
            kind: FieldErrorType::TypeInvalid,
            field: field.into(),
            bad_value: to_value(value),
            detail: detail.into(),
        }
    }

    /// `field.InternalError`: `spec: Internal error: <error>`.
    pub fn internal(field: impl Into<String>, error: impl Display) -> Self {
        Self {
            kind: FieldErrorType::Internal,
            field: field.into(),
            bad_value: None,
            detail: error.to_string(),
        }
    }

    /// The message without the field, as `ErrorBody()`: `Invalid value: "x": detail`.
    pub fn body(&self) -> String {
        let mut s = self.kind.as_str().to_owned();
        if !self.kind.omits_value()
            && let Some(value) = &self.bad_value
        {
            s.push_str(": ");
            match value {
                Value::String(text) => s.push_str(&go_quote(text)),
                other => s.push_str(&other.to_string()),
            }
        }
        if !self.detail.is_empty() {
            s.push_str(": ");
            s.push_str(&self.detail);
        }
        s
    }
}

impl Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.body())
    }
}

impl std::error::Error for FieldError {}

/// Go's `%q` for the strings a validator reports: JSON escaping, which agrees with Go's for
/// printable text, quotes, backslashes and the common control characters.
fn go_quote(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("{s:?}"))
}

/// Why a defaulter or validator refused an object. Each variant becomes the `status` of the
/// admission response, which the API server hands to the client (prefixed with
/// `admission webhook "<name>" denied the request: `).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Rejection {
    /// 422 `Invalid` with one cause per field, as `apierrors.NewInvalid`:
    /// `CronJob.batch.tutorial.kubebuilder.io "name" is invalid: spec.schedule: ...`.
    Invalid(Vec<FieldError>),
    /// 403 `Forbidden` with this message, as controller-runtime's `admission.Denied`: what a
    /// Go webhook returns for a plain `error`.
    Denied(String),
    /// This status as it is (a `code` below 400 is raised to 400 by the API server).
    Status(Box<Status>),
}

impl Rejection {
    /// A 403 denial with `message`.
    pub fn denied(message: impl Into<String>) -> Self {
        Self::Denied(message.into())
    }

    /// The status for an object of `group`/`kind` named `name`.
    pub fn into_status(self, group: &str, kind: &str, name: &str) -> Status {
        match self {
            Rejection::Invalid(errors) => invalid_status(group, kind, name, &errors),
            Rejection::Denied(message) => {
                Status::failure(&message, reason::FORBIDDEN).with_code(403)
            }
            Rejection::Status(status) => *status,
        }
    }
}

impl Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Rejection::Invalid(errors) => f.write_str(&aggregate(errors)),
            Rejection::Denied(message) => f.write_str(message),
            Rejection::Status(status) => f.write_str(&status.message),
        }
    }
}

impl std::error::Error for Rejection {}

impl From<Vec<FieldError>> for Rejection {
    fn from(errors: Vec<FieldError>) -> Self {
        Rejection::Invalid(errors)
    }
}

impl From<FieldError> for Rejection {
    fn from(error: FieldError) -> Self {
        Rejection::Invalid(vec![error])
    }
}

impl From<Status> for Rejection {
    fn from(status: Status) -> Self {
        Rejection::Status(Box::new(status))
    }
}

/// `errs.ToAggregate().Error()`: one message, or `[a, b]` without duplicates.
fn aggregate(errors: &[FieldError]) -> String {
    let mut seen: Vec<String> = Vec::new();
    for message in errors.iter().map(ToString::to_string) {
        if !seen.contains(&message) {
            seen.push(message);
        }
    }
    match seen.len() {
        0 => String::new(),
        1 => seen.remove(0),
        _ => format!("[{}]", seen.join(", ")),
    }
}

/// apimachinery's `apierrors.NewInvalid(GroupKind{group, kind}, name, errors).Status()`.
pub fn invalid_status(group: &str, kind: &str, name: &str, errors: &[FieldError]) -> Status {
    let qualified = if group.is_empty() {
        kind.to_owned()
    } else {
        format!("{kind}.{group}")
    };
    let mut message = format!("{qualified} {} is invalid", go_quote(name));
    if !errors.is_empty() {
        message.push_str(": ");
        message.push_str(&aggregate(errors));
    }
    Status::failure(&message, reason::INVALID)
        .with_code(422)
        .with_details(StatusDetails {
            name: name.to_owned(),
            group: group.to_owned(),
            kind: kind.to_owned(),
            uid: String::new(),
            causes: errors
                .iter()
                .map(|e| StatusCause {
                    reason: e.kind.reason().to_owned(),
                    message: e.body(),
                    field: e.field.clone(),
                })
                .collect(),
            retry_after_seconds: 0,
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messages_match_apimachinery() {
        let cases = [
            (
                FieldError::invalid(
                    "spec.schedule",
                    "x",
                    "expected exactly 5 fields, found 1: x",
                ),
                r#"spec.schedule: Invalid value: "x": expected exactly 5 fields, found 1: x"#,
            ),
            (
                FieldError::required("spec.schedule", ""),
                "spec.schedule: Required value",
            ),
            (
                FieldError::required("spec.schedule", "must be set"),
                "spec.schedule: Required value: must be set",
            ),
            (
                FieldError::forbidden("spec.suspend", "may not be changed"),
                "spec.suspend: Forbidden: may not be changed",
            ),
            (
                FieldError::too_long("metadata.name", 52),
                "metadata.name: Too long: may not be more than 52 bytes",
            ),
            (
                FieldError::too_long("metadata.name", -1),
                "metadata.name: Too long: value is too long",
            ),
            (
                FieldError::too_many("spec.items", Some(5), 3),
                "spec.items: Too many: 5: must have at most 3 items",
            ),
            (
                FieldError::too_many("spec.items", None, 1),
                "spec.items: Too many: must have at most 1 item",
            ),
            (
                FieldError::not_supported("spec.policy", "Sometimes", &["Allow", "Forbid"]),
                r#"spec.policy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid""#,
            ),
            (
                FieldError::duplicate(FieldPath::new("spec").child("ports").index(1), 80),
                "spec.ports[1]: Duplicate value: 80",
            ),
            (
                FieldError::invalid("spec.ok", true, "bad"),
                "spec.ok: Invalid value: true: bad",
            ),
            (
                FieldError::invalid("spec.limits", json!({"cpu": "1"}), "bad"),
                r#"spec.limits: Invalid value: {"cpu":"1"}: bad"#,
            ),
            (
                FieldError::internal("spec", "boom"),
                "spec: Internal error: boom",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error.to_string(), expected);
        }
    }

    #[test]
    fn field_paths_print_as_go() {
        let p = FieldPath::new("spec")
            .child("env")
            .key("HOME")
            .child("value");
        assert_eq!(p.as_str(), "spec.env[HOME].value");
        assert_eq!(FieldPath::default().child("spec").to_string(), "spec");
        let f = FieldError::required(&p, "");
        assert_eq!(f.field, "spec.env[HOME].value");
    }

    #[test]
    fn invalid_status_has_the_shape_of_new_invalid() {
        let errors = vec![
            FieldError::invalid(
                "metadata.name",
                "a-very-long-name",
                "must be no more than 52 characters",
            ),
            FieldError::invalid("spec.schedule", "x", "expected exactly 5 fields"),
        ];
        let status = Rejection::from(errors).into_status(
            "batch.tutorial.kubebuilder.io",
            "CronJob",
            "a-very-long-name",
        );
        assert_eq!(
            serde_json::to_value(&status).unwrap(),
            json!({
                "status": "Failure",
                "code": 422,
                "reason": "Invalid",
                "message": "CronJob.batch.tutorial.kubebuilder.io \"a-very-long-name\" is invalid: \
                    [metadata.name: Invalid value: \"a-very-long-name\": must be no more than 52 characters, \
                    spec.schedule: Invalid value: \"x\": expected exactly 5 fields]",
                "details": {
                    "name": "a-very-long-name",
                    "group": "batch.tutorial.kubebuilder.io",
                    "kind": "CronJob",
                    "causes": [
                        {
                            "reason": "FieldValueInvalid",
                            "message": "Invalid value: \"a-very-long-name\": must be no more than 52 characters",
                            "field": "metadata.name"
                        },
                        {
                            "reason": "FieldValueInvalid",
                            "message": "Invalid value: \"x\": expected exactly 5 fields",
                            "field": "spec.schedule"
                        }
                    ]
                }
            })
        );
        assert!(status.is_invalid());
    }

    #[test]
    fn one_error_has_no_brackets_and_duplicates_fold() {
        let e = FieldError::required("spec.schedule", "");
        let status = invalid_status("", "ConfigMap", "x", &[e.clone(), e]);
        assert_eq!(
            status.message,
            "ConfigMap \"x\" is invalid: spec.schedule: Required value"
        );
        assert_eq!(status.details.unwrap().causes.len(), 2);
        assert_eq!(
            invalid_status("g", "K", "n", &[]).message,
            "K.g \"n\" is invalid"
        );
    }

    #[test]
    fn denied_is_forbidden() {
        let status = Rejection::denied("no").into_status("g", "K", "n");
        assert_eq!((status.code, status.reason.as_str()), (403, "Forbidden"));
        assert_eq!(status.message, "no");
    }
}
