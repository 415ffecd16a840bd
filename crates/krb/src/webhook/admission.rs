//! Typed defaulting and validating admission webhooks, like controller-runtime's
//! `CustomDefaulter` and `CustomValidator`.

use std::future::Future;

use kube::core::{
    DynamicObject, Resource, Status,
    admission::{AdmissionRequest, AdmissionResponse, AdmissionReview, Operation},
    response::reason,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

use super::status::{Rejection, Warnings};

/// Sets defaults on an object before it is stored, like controller-runtime's
/// `webhook.CustomDefaulter`. Served by a mutating webhook; the changes made to `obj` are sent
/// back to the API server as a JSON Patch (see [`defaulting_patch`]).
///
/// ```
/// use krb::webhook::{Defaulter, Rejection};
/// # #[derive(Clone, serde::Serialize, serde::Deserialize)] struct CronJob { spec: Spec }
/// # #[derive(Clone, serde::Serialize, serde::Deserialize)] struct Spec { concurrency_policy: Option<String> }
///
/// struct CronJobDefaulter;
///
/// impl Defaulter<CronJob> for CronJobDefaulter {
///     async fn default(&self, cronjob: &mut CronJob) -> Result<(), Rejection> {
///         cronjob.spec.concurrency_policy.get_or_insert_with(|| "Allow".into());
///         Ok(())
///     }
/// }
/// ```
///
/// An error rejects the request (the object is not created or updated). `DELETE` and `CONNECT`
/// requests are allowed without calling the defaulter.
///
/// Build the defaulter as a plain value (`CronJobDefaulter`, or `CronJobDefaulter { .. }`):
/// with this trait in scope, `CronJobDefaulter::default()` is ambiguous if the type also derives
/// `Default`.
pub trait Defaulter<K>: Send + Sync + 'static {
    /// Sets the defaults on `obj` in place.
    fn default(&self, obj: &mut K) -> impl Future<Output = Result<(), Rejection>> + Send;
}

/// Checks an object on create, update and delete, like controller-runtime's
/// `webhook.CustomValidator`. Served by a validating webhook.
///
/// `Ok` admits the request, with warnings for the client (kubectl prints them); `Err` denies it:
/// a list of [`FieldError`](super::FieldError)s becomes a 422 `Invalid` status as
/// `apierrors.NewInvalid` builds it, e.g.
/// `CronJob.batch.tutorial.kubebuilder.io "x" is invalid: spec.schedule: Invalid value: ...`.
pub trait Validator<K>: Send + Sync + 'static {
    /// A `CREATE` request for `obj`.
    fn validate_create(&self, obj: &K) -> impl Future<Output = Result<Warnings, Rejection>> + Send;

    /// An `UPDATE` request from `old` to `new`.
    fn validate_update(
        &self,
        old: &K,
        new: &K,
    ) -> impl Future<Output = Result<Warnings, Rejection>> + Send;

    /// A `DELETE` request for `obj`, the object as stored. Only called when the webhook's rules
    /// include `delete` (the scaffolded marker has `verbs=create;update`); allows by default.
    fn validate_delete(&self, obj: &K) -> impl Future<Output = Result<Warnings, Rejection>> + Send {
        let _ = obj;
        async { Ok(Vec::new()) }
    }
}

/// Answers an `AdmissionReview` request body with the defaulter's patch, or its rejection.
///
/// The response's `apiVersion` and `uid` are the request's; a body that is not an
/// `AdmissionReview` gets a 400 `BadRequest` answer.
pub async fn default_review<K, D>(defaulter: &D, body: &[u8]) -> AdmissionReview<DynamicObject>
where
    K: DeserializeOwned + Serialize + Send,
    D: Defaulter<K>,
{
    let parsed = match parse(body) {
        Ok(parsed) => parsed,
        Err(review) => return *review,
    };
    let request = &parsed.request;
    let response = AdmissionResponse::from(request);
    if !matches!(request.operation, Operation::Create | Operation::Update) {
        return response.into_review();
    }
    let Some(raw) = parsed.object else {
        return reject(request, bad_request("the request has no object")).into_review();
    };
    let mut obj: K = match decode(request, &raw) {
        Ok(obj) => obj,
        Err(status) => return reject(request, *status).into_review(),
    };
    let before = match serde_json::to_value(&obj) {
        Ok(v) => v,
        Err(e) => return reject(request, internal(&e)).into_review(),
    };
    if let Err(rejection) = defaulter.default(&mut obj).await {
        tracing::debug!(
            name = request.name,
            namespace = request.namespace,
            %rejection,
            "defaulting webhook rejected the object"
        );
        return reject(request, rejection_status(request, &raw, rejection)).into_review();
    }
    let after = match serde_json::to_value(&obj) {
        Ok(v) => v,
        Err(e) => return reject(request, internal(&e)).into_review(),
    };
    let patch = defaulting_patch(&raw, &before, &after);
    if patch.0.is_empty() {
        return response.into_review();
    }
    match response.with_patch(patch) {
        Ok(response) => response.into_review(),
        Err(e) => reject(request, internal(&e)).into_review(),
    }
}

/// Answers an `AdmissionReview` request body with the validator's verdict.
pub async fn validate_review<K, V>(validator: &V, body: &[u8]) -> AdmissionReview<DynamicObject>
where
    K: DeserializeOwned + Send + Sync,
    V: Validator<K>,
{
    let parsed = match parse(body) {
        Ok(parsed) => parsed,
        Err(review) => return *review,
    };
    let request = &parsed.request;
    let need = |raw: &Option<Value>, what: &str| -> Result<K, Box<Status>> {
        let raw = raw
            .as_ref()
            .ok_or_else(|| Box::new(bad_request(&format!("the request has no {what}"))))?;
        decode(request, raw)
    };
    let (verdict, raw) = match request.operation {
        Operation::Create => match need(&parsed.object, "object") {
            Ok(obj) => (validator.validate_create(&obj).await, &parsed.object),
            Err(status) => return reject(request, *status).into_review(),
        },
        Operation::Update => {
            match (
                need(&parsed.old_object, "oldObject"),
                need(&parsed.object, "object"),
            ) {
                (Ok(old), Ok(new)) => (validator.validate_update(&old, &new).await, &parsed.object),
                (Err(status), _) | (_, Err(status)) => {
                    return reject(request, *status).into_review();
                }
            }
        }
        Operation::Delete => match need(&parsed.old_object, "oldObject") {
            Ok(obj) => (validator.validate_delete(&obj).await, &parsed.old_object),
            Err(status) => return reject(request, *status).into_review(),
        },
        Operation::Connect => (Ok(Vec::new()), &None),
    };
    match verdict {
        Ok(warnings) => {
            let mut response = AdmissionResponse::from(request);
            if !warnings.is_empty() {
                response.warnings = Some(warnings);
            }
            response.into_review()
        }
        Err(rejection) => {
            tracing::debug!(
                name = request.name,
                namespace = request.namespace,
                operation = ?request.operation,
                %rejection,
                "validating webhook denied the request"
            );
            let raw = raw.clone().unwrap_or(Value::Null);
            reject(request, rejection_status(request, &raw, rejection)).into_review()
        }
    }
}

/// The JSON Patch that turns `raw` (the object as the API server sent it) into the object with
/// the defaulter's changes: the changes from `before` to `after` (the typed object serialized
/// before and after defaulting), applied to `raw`.
///
/// Diffing `raw` against `after` directly, as controller-runtime does, would also carry what
/// the typed round trip alone changes: fields unknown to the Rust type would be removed
/// (controller-runtime filters those removals out) and fields the type always serializes
/// would be added. Only what the defaulter changed is patched; unknown fields are kept.
pub fn defaulting_patch(raw: &Value, before: &Value, after: &Value) -> json_patch::Patch {
    let mut target = raw.clone();
    apply_changes(&mut target, before, after);
    json_patch::diff(raw, &target)
}

/// Replays the differences between `before` and `after` onto `target`. Objects recurse by
/// key, lists of unchanged length by index; anything else is replaced by `after`'s value.
fn apply_changes(target: &mut Value, before: &Value, after: &Value) {
    if before == after {
        return;
    }
    match (target, before, after) {
        (Value::Object(t), Value::Object(b), Value::Object(a)) => {
            for key in b.keys().filter(|k| !a.contains_key(*k)) {
                t.remove(key);
            }
            for (key, a_val) in a {
                match (b.get(key), t.get_mut(key)) {
                    (Some(b_val), _) if b_val == a_val => {}
                    (Some(b_val), Some(t_val)) => apply_changes(t_val, b_val, a_val),
                    _ => {
                        t.insert(key.clone(), a_val.clone());
                    }
                }
            }
        }
        (Value::Array(t), Value::Array(b), Value::Array(a))
            if t.len() == b.len() && b.len() == a.len() =>
        {
            for ((t, b), a) in t.iter_mut().zip(b).zip(a) {
                apply_changes(t, b, a);
            }
        }
        (t, _, a) => *t = a.clone(),
    }
}

/// An `AdmissionReview` split into its request (without objects) and the raw objects.
struct Parsed {
    request: AdmissionRequest<DynamicObject>,
    object: Option<Value>,
    old_object: Option<Value>,
}

/// Parses a review, keeping the objects as the API server sent them: the patch must be
/// computed against those exact bytes, not a typed round trip of them.
fn parse(body: &[u8]) -> Result<Parsed, Box<AdmissionReview<DynamicObject>>> {
    let unreadable = |e: &dyn std::fmt::Display| {
        let mut response = AdmissionResponse::invalid("");
        response.result = bad_request(&format!("cannot read the AdmissionReview: {e}"));
        Box::new(response.into_review())
    };
    let mut value: Value = serde_json::from_slice(body).map_err(|e| unreadable(&e))?;
    let mut take = |key: &str| {
        value
            .get_mut("request")
            .and_then(|r| r.get_mut(key))
            .map(Value::take)
            .filter(|v| !v.is_null())
    };
    let object = take("object");
    let old_object = take("oldObject");
    let review: AdmissionReview<DynamicObject> =
        serde_json::from_value(value).map_err(|e| unreadable(&e))?;
    let request: AdmissionRequest<DynamicObject> = review
        .try_into()
        .map_err(|e: kube::core::admission::ConvertAdmissionReviewError| unreadable(&e))?;
    Ok(Parsed {
        request,
        object,
        old_object,
    })
}

fn decode<K: DeserializeOwned>(
    request: &AdmissionRequest<DynamicObject>,
    raw: &Value,
) -> Result<K, Box<Status>> {
    K::deserialize(raw).map_err(|e| {
        Box::new(bad_request(&format!(
            "cannot decode the {} object: {e}",
            request.kind.kind
        )))
    })
}

fn bad_request(message: &str) -> Status {
    Status::failure(message, reason::BAD_REQUEST).with_code(400)
}

fn internal(error: &dyn std::fmt::Display) -> Status {
    Status::failure(&error.to_string(), reason::INTERNAL_ERROR).with_code(500)
}

fn reject(request: &AdmissionRequest<DynamicObject>, status: Status) -> AdmissionResponse {
    let mut response = AdmissionResponse::from(request);
    response.allowed = false;
    response.result = status;
    response
}

/// The status of a rejection, naming the object as the request does (for a `CREATE` with
/// `generateName` the request has no name yet; the object's `metadata.name` is used then).
fn rejection_status(
    request: &AdmissionRequest<DynamicObject>,
    raw: &Value,
    rejection: Rejection,
) -> Status {
    let name = if request.name.is_empty() {
        raw.pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
    } else {
        request.name.as_str()
    };
    rejection.into_status(&request.kind.group, &request.kind.kind, name)
}

/// `K`'s group and kind, for log lines and errors.
pub(crate) fn kind_of<K: Resource<DynamicType = ()>>() -> String {
    let group = K::group(&());
    if group.is_empty() {
        K::kind(&()).into_owned()
    } else {
        format!("{}.{group}", K::kind(&()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhook::FieldError;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct CronJob {
        api_version: String,
        kind: String,
        metadata: kube::core::ObjectMeta,
        spec: Spec,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Spec {
        schedule: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        concurrency_policy: Option<String>,
        /// Always serialized, so a typed round trip adds it.
        #[serde(default)]
        suspend: bool,
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        containers: Vec<Container>,
    }

    #[derive(Debug, Clone, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct Container {
        name: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        image_pull_policy: Option<String>,
    }

    struct Defaults;

    impl Defaulter<CronJob> for Defaults {
        async fn default(&self, obj: &mut CronJob) -> Result<(), Rejection> {
            if obj.spec.schedule == "reject" {
                return Err(Rejection::denied("schedules named reject are refused"));
            }
            obj.spec
                .concurrency_policy
                .get_or_insert_with(|| "Allow".to_owned());
            for c in &mut obj.spec.containers {
                c.image_pull_policy
                    .get_or_insert_with(|| "IfNotPresent".to_owned());
            }
            Ok(())
        }
    }

    struct Checks;

    impl Validator<CronJob> for Checks {
        async fn validate_create(&self, obj: &CronJob) -> Result<Warnings, Rejection> {
            let mut errors = Vec::new();
            let name = obj.metadata.name.as_deref().unwrap_or_default();
            if name.len() > 52 {
                errors.push(FieldError::invalid(
                    "metadata.name",
                    name,
                    "must be no more than 52 characters",
                ));
            }
            if obj.spec.schedule.split_whitespace().count() != 5 {
                errors.push(FieldError::invalid(
                    "spec.schedule",
                    &obj.spec.schedule,
                    "expected exactly 5 fields",
                ));
            }
            if errors.is_empty() {
                Ok(vec!["schedule runs in UTC".to_owned()])
            } else {
                Err(errors.into())
            }
        }

        async fn validate_update(
            &self,
            old: &CronJob,
            new: &CronJob,
        ) -> Result<Warnings, Rejection> {
            if old.spec.schedule != new.spec.schedule && new.spec.suspend {
                return Err(FieldError::forbidden("spec.schedule", "suspended").into());
            }
            self.validate_create(new).await
        }
    }

    fn review(operation: &str, object: Value, old: Value) -> Vec<u8> {
        serde_json::to_vec(&json!({
            "apiVersion": "admission.k8s.io/v1",
            "kind": "AdmissionReview",
            "request": {
                "uid": "705ab4f5-6393-11e8-b7cc-42010a800002",
                "kind": {"group": "batch.tutorial.kubebuilder.io", "version": "v1", "kind": "CronJob"},
                "resource": {"group": "batch.tutorial.kubebuilder.io", "version": "v1", "resource": "cronjobs"},
                "name": object.pointer("/metadata/name").or(old.pointer("/metadata/name")).cloned().unwrap_or(json!("")),
                "namespace": "default",
                "operation": operation,
                "userInfo": {"username": "admin"},
                "object": object,
                "oldObject": old,
                "dryRun": false
            }
        }))
        .unwrap()
    }

    fn cronjob(name: &str, spec: Value) -> Value {
        json!({
            "apiVersion": "batch.tutorial.kubebuilder.io/v1",
            "kind": "CronJob",
            "metadata": {"name": name, "namespace": "default", "creationTimestamp": null},
            "spec": spec
        })
    }

    fn response(review: AdmissionReview<DynamicObject>) -> Value {
        let value = serde_json::to_value(&review).unwrap();
        assert_eq!(value["apiVersion"], "admission.k8s.io/v1");
        assert_eq!(value["kind"], "AdmissionReview");
        value["response"].clone()
    }

    fn patch_ops(response: &Value) -> Value {
        assert_eq!(response["patchType"], "JSONPatch");
        // kube-core serializes the bytes as a JSON array of numbers, which the API server's
        // decoder accepts as well as base64 (the envtest test proves it).
        let bytes: Vec<u8> = serde_json::from_value(response["patch"].clone()).unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn defaulter_changes_become_a_json_patch() {
        let obj = cronjob(
            "hello",
            json!({"schedule": "*/1 * * * *", "futureField": {"x": 1}, "containers": [{"name": "a"}]}),
        );
        let body = review("CREATE", obj.clone(), Value::Null);
        let resp = response(default_review::<CronJob, _>(&Defaults, &body).await);
        assert_eq!(resp["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
        assert_eq!(resp["allowed"], true);
        let ops = patch_ops(&resp);
        // Only the defaulter's changes: the unknown field stays, `suspend` (which the
        // typed round trip adds) is not added, the container is patched in place.
        assert_eq!(
            ops,
            json!([
                {"op": "add", "path": "/spec/concurrencyPolicy", "value": "Allow"},
                {"op": "add", "path": "/spec/containers/0/imagePullPolicy", "value": "IfNotPresent"}
            ])
        );
        let patch: json_patch::Patch = serde_json::from_value(ops).unwrap();
        let mut patched = obj;
        json_patch::patch(&mut patched, &patch).unwrap();
        assert_eq!(patched["spec"]["futureField"], json!({"x": 1}));
        assert_eq!(patched["spec"]["concurrencyPolicy"], "Allow");
    }

    #[tokio::test]
    async fn nothing_to_default_means_no_patch() {
        let obj = cronjob(
            "hello",
            json!({"schedule": "* * * * *", "concurrencyPolicy": "Forbid"}),
        );
        let resp = response(
            default_review::<CronJob, _>(&Defaults, &review("UPDATE", obj.clone(), obj)).await,
        );
        assert_eq!(resp["allowed"], true);
        assert!(
            resp.get("patch").is_none() && resp.get("patchType").is_none(),
            "{resp}"
        );
    }

    #[tokio::test]
    async fn defaulter_skips_delete_and_can_reject() {
        let obj = cronjob("hello", json!({"schedule": "reject"}));
        let resp = response(
            default_review::<CronJob, _>(&Defaults, &review("DELETE", Value::Null, obj.clone()))
                .await,
        );
        assert_eq!(resp["allowed"], true);
        let resp = response(
            default_review::<CronJob, _>(&Defaults, &review("CREATE", obj, Value::Null)).await,
        );
        assert_eq!(resp["allowed"], false);
        assert_eq!(resp["status"]["code"], 403);
        assert_eq!(resp["status"]["reason"], "Forbidden");
        assert_eq!(
            resp["status"]["message"],
            "schedules named reject are refused"
        );
    }

    #[tokio::test]
    async fn undecodable_objects_and_bodies_are_bad_requests() {
        let obj = cronjob("hello", json!({"noSchedule": true}));
        let resp = response(
            default_review::<CronJob, _>(&Defaults, &review("CREATE", obj, Value::Null)).await,
        );
        assert_eq!(resp["allowed"], false);
        assert_eq!(resp["uid"], "705ab4f5-6393-11e8-b7cc-42010a800002");
        assert_eq!(resp["status"]["code"], 400);
        let message = resp["status"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("cannot decode the CronJob object: missing field `schedule`"),
            "{message}"
        );

        let resp = response(validate_review::<CronJob, _>(&Checks, b"{not json").await);
        assert_eq!(
            (resp["allowed"].as_bool(), resp["status"]["code"].as_u64()),
            (Some(false), Some(400))
        );
    }

    #[tokio::test]
    async fn validator_errors_become_an_invalid_status() {
        let long = "a".repeat(53);
        let obj = cronjob(&long, json!({"schedule": "x"}));
        let resp = response(
            validate_review::<CronJob, _>(&Checks, &review("CREATE", obj, Value::Null)).await,
        );
        assert_eq!(resp["allowed"], false);
        let status = &resp["status"];
        assert_eq!(status["code"], 422);
        assert_eq!(status["reason"], "Invalid");
        assert_eq!(
            status["message"],
            format!(
                "CronJob.batch.tutorial.kubebuilder.io \"{long}\" is invalid: [metadata.name: Invalid value: \"{long}\": \
                 must be no more than 52 characters, spec.schedule: Invalid value: \"x\": expected exactly 5 fields]"
            )
        );
        assert_eq!(status["details"]["kind"], "CronJob");
        assert_eq!(status["details"]["group"], "batch.tutorial.kubebuilder.io");
        assert_eq!(status["details"]["name"], long.as_str());
        assert_eq!(status["details"]["causes"][1]["field"], "spec.schedule");
        assert_eq!(
            status["details"]["causes"][1]["reason"],
            "FieldValueInvalid"
        );
    }

    #[tokio::test]
    async fn validator_warnings_and_update_and_delete() {
        let ok = cronjob("ok", json!({"schedule": "* * * * *"}));
        let resp = response(
            validate_review::<CronJob, _>(&Checks, &review("CREATE", ok.clone(), Value::Null))
                .await,
        );
        assert_eq!(resp["allowed"], true);
        assert_eq!(resp["warnings"], json!(["schedule runs in UTC"]));

        let suspended = cronjob("ok", json!({"schedule": "1 * * * *", "suspend": true}));
        let resp = response(
            validate_review::<CronJob, _>(&Checks, &review("UPDATE", suspended, ok.clone())).await,
        );
        assert_eq!(resp["allowed"], false);
        assert_eq!(
            resp["status"]["message"],
            "CronJob.batch.tutorial.kubebuilder.io \"ok\" is invalid: spec.schedule: Forbidden: suspended"
        );

        let resp = response(
            validate_review::<CronJob, _>(&Checks, &review("DELETE", Value::Null, ok)).await,
        );
        assert_eq!(resp["allowed"], true);
        assert!(resp.get("warnings").is_none());
    }

    #[test]
    fn patch_replays_removals_and_list_changes() {
        let raw = json!({"a": {"keep": 1, "drop": 2, "unknown": 3}, "list": [1, 2]});
        let before = json!({"a": {"keep": 1, "drop": 2}, "list": [1, 2], "typed": 0});
        let after = json!({"a": {"keep": 1}, "list": [1, 2, 3], "typed": 0});
        let patch = defaulting_patch(&raw, &before, &after);
        assert_eq!(
            serde_json::to_value(&patch).unwrap(),
            json!([
                {"op": "remove", "path": "/a/drop"},
                {"op": "add", "path": "/list/2", "value": 3}
            ])
        );
        // A field the type serializes with its default and the defaulter then sets.
        let before = json!({"typed": 0});
        let after = json!({"typed": 5});
        let patch = defaulting_patch(&json!({}), &before, &after);
        assert_eq!(
            serde_json::to_value(&patch).unwrap(),
            json!([{"op": "add", "path": "/typed", "value": 5}])
        );
    }
}
