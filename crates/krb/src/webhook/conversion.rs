//! Conversion between the versions of a kind through a hub, like controller-runtime's
//! `conversion.Hub` / `conversion.Convertible`.
//!
//! One version of a kind is the hub (kubebuilder marks it `+kubebuilder:storageversion`); every
//! other version is a spoke that converts to and from the hub. A conversion between two spokes
//! goes through the hub, so n versions need n-1 pairs of functions, not n².

use std::{fmt, marker::PhantomData};

use kube::core::{
    Resource, Status,
    conversion::{ConversionRequest, ConversionResponse, ConversionReview},
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;

/// What a conversion function returns when it cannot convert: any error, or a message
/// (`Err("no such schedule".into())`).
pub type ConversionError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The version every other version converts through (`func (*CronJob) Hub() {}` in Go).
pub trait Hub:
    Resource<DynamicType = ()> + Serialize + DeserializeOwned + Send + Sync + 'static
{
}

/// A version that is not the hub: converts itself to the hub and back (`ConvertTo` and
/// `ConvertFrom` in Go). `metadata` must be carried over; the API server keeps the original's
/// anyway, except for labels and annotations.
///
/// ```
/// use krb::webhook::{ConversionError, Spoke};
///
/// mod v1 {
///     #[derive(kube::CustomResource, Clone, Debug, serde::Serialize, serde::Deserialize)]
///     #[kube(group = "batch.tutorial.kubebuilder.io", version = "v1", kind = "CronJob")]
///     #[kube(namespaced, schema = "disabled")]
///     pub struct CronJobSpec {
///         pub schedule: String,
///     }
///     impl krb::webhook::Hub for CronJob {}
/// }
///
/// mod v2 {
///     #[derive(kube::CustomResource, Clone, Debug, serde::Serialize, serde::Deserialize)]
///     #[kube(group = "batch.tutorial.kubebuilder.io", version = "v2", kind = "CronJob")]
///     #[kube(namespaced, schema = "disabled")]
///     pub struct CronJobSpec {
///         pub minute: String,
///         pub rest: String,
///     }
/// }
///
/// impl Spoke<v1::CronJob> for v2::CronJob {
///     fn convert_to(&self) -> Result<v1::CronJob, ConversionError> {
///         let schedule = format!("{} {}", self.spec.minute, self.spec.rest);
///         let spec = v1::CronJobSpec { schedule };
///         Ok(v1::CronJob { metadata: self.metadata.clone(), spec })
///     }
///
///     fn convert_from(hub: &v1::CronJob) -> Result<Self, ConversionError> {
///         let (minute, rest) = hub.spec.schedule.split_once(' ').ok_or("one field only")?;
///         let spec = v2::CronJobSpec { minute: minute.into(), rest: rest.into() };
///         Ok(v2::CronJob { metadata: hub.metadata.clone(), spec })
///     }
/// }
/// ```
pub trait Spoke<H: Hub>:
    Resource<DynamicType = ()> + Serialize + DeserializeOwned + Send + Sync + Sized + 'static
{
    /// This version as the hub version.
    fn convert_to(&self) -> Result<H, ConversionError>;

    /// The hub version as this version.
    fn convert_from(hub: &H) -> Result<Self, ConversionError>;
}

type ToHub<H> = Box<dyn Fn(&Value) -> Result<H, ConversionError> + Send + Sync>;
type FromHub<H> = Box<dyn Fn(&H) -> Result<Value, ConversionError> + Send + Sync>;

struct Version<H> {
    api_version: String,
    to_hub: ToHub<H>,
    from_hub: FromHub<H>,
}

/// The versions of one kind: its hub `H` and the spokes added with [`Conversion::spoke`].
///
/// ```ignore
/// mgr.add_conversion(Conversion::<v1::CronJob>::new().spoke::<v2::CronJob>());
/// ```
pub struct Conversion<H: Hub> {
    versions: Vec<Version<H>>,
    _hub: PhantomData<fn() -> H>,
}

impl<H: Hub> fmt::Debug for Conversion<H> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Conversion")
            .field("kind", &self.group_kind())
            .field(
                "versions",
                &self
                    .versions
                    .iter()
                    .map(|v| v.api_version.as_str())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl<H: Hub> Default for Conversion<H> {
    fn default() -> Self {
        Self::new()
    }
}

impl<H: Hub> Conversion<H> {
    /// A kind whose hub is `H`.
    pub fn new() -> Self {
        let hub = Version {
            api_version: H::api_version(&()).into_owned(),
            to_hub: Box::new(|obj: &Value| Ok(H::deserialize(obj)?)),
            from_hub: Box::new(|hub: &H| Ok(serde_json::to_value(hub)?)),
        };
        Self {
            versions: vec![hub],
            _hub: PhantomData,
        }
    }

    /// Adds the spoke version `S`. A version added twice replaces the earlier one.
    #[must_use]
    pub fn spoke<S: Spoke<H>>(mut self) -> Self {
        let api_version = S::api_version(&()).into_owned();
        self.versions.retain(|v| v.api_version != api_version);
        self.versions.push(Version {
            api_version,
            to_hub: Box::new(|obj: &Value| S::deserialize(obj)?.convert_to()),
            from_hub: Box::new(|hub: &H| Ok(serde_json::to_value(S::convert_from(hub)?)?)),
        });
        self
    }

    /// `(group, kind)` of `H`, which every spoke shares.
    pub fn group_kind(&self) -> (String, String) {
        (H::group(&()).into_owned(), H::kind(&()).into_owned())
    }

    /// The `apiVersion`s this conversion knows, hub first.
    pub fn api_versions(&self) -> Vec<&str> {
        self.versions
            .iter()
            .map(|v| v.api_version.as_str())
            .collect()
    }

    /// Converts one object (JSON, any known version) to `desired_api_version`, through the hub.
    /// An object already at that version is returned unchanged. The result keeps the input's
    /// `metadata` except `labels` and `annotations`, which come from the conversion: the API
    /// server rejects any other metadata change.
    pub fn convert(
        &self,
        object: &Value,
        desired_api_version: &str,
    ) -> Result<Value, ConversionError> {
        let from = object
            .get("apiVersion")
            .and_then(Value::as_str)
            .ok_or("the object has no apiVersion")?;
        if from == desired_api_version {
            return Ok(object.clone());
        }
        let version = |api_version: &str| {
            self.versions
                .iter()
                .find(|v| v.api_version == api_version)
                .ok_or_else(|| {
                    format!(
                        "{} has no version {api_version:?} (known: {})",
                        H::kind(&()),
                        self.api_versions().join(", ")
                    )
                })
        };
        let source = version(from)?;
        let target = version(desired_api_version)?;
        let hub =
            (source.to_hub)(object).map_err(|e| format!("converting {from} to the hub: {e}"))?;
        let mut converted = (target.from_hub)(&hub)
            .map_err(|e| format!("converting the hub to {desired_api_version}: {e}"))?;
        restore_metadata(object, &mut converted);
        Ok(converted)
    }
}

/// The input's metadata with the converted labels and annotations.
fn restore_metadata(original: &Value, converted: &mut Value) {
    let Some(mut metadata) = original.get("metadata").cloned() else {
        return;
    };
    let Some(out) = converted.as_object_mut() else {
        return;
    };
    if let (Some(meta), Some(new_meta)) = (metadata.as_object_mut(), out.get("metadata")) {
        for key in ["labels", "annotations"] {
            match new_meta.get(key) {
                Some(v) if !v.is_null() => {
                    meta.insert(key.to_owned(), v.clone());
                }
                _ => {
                    meta.remove(key);
                }
            }
        }
    }
    out.insert("metadata".to_owned(), metadata);
}

/// A [`Conversion`] with its hub type erased, so kinds with different hubs share `/convert`.
pub(crate) trait KindConversion: Send + Sync {
    fn group_kind(&self) -> (String, String);
    fn convert(&self, object: &Value, desired_api_version: &str) -> Result<Value, ConversionError>;
}

impl<H: Hub> KindConversion for Conversion<H> {
    fn group_kind(&self) -> (String, String) {
        Conversion::group_kind(self)
    }

    fn convert(&self, object: &Value, desired_api_version: &str) -> Result<Value, ConversionError> {
        Conversion::convert(self, object, desired_api_version)
    }
}

/// Answers a `ConversionReview` body: every object converted to the desired version, or a
/// `Failure` result naming the first object that could not be.
pub(crate) fn convert_review(kinds: &[&dyn KindConversion], body: &[u8]) -> ConversionReview {
    let review: ConversionReview = match serde_json::from_slice(body) {
        Ok(review) => review,
        Err(e) => {
            return ConversionResponse::invalid(Status::failure(
                &format!("cannot read the ConversionReview: {e}"),
                "BadRequest",
            ))
            .into_review();
        }
    };
    let request = match ConversionRequest::from_review(review) {
        Ok(request) => request,
        Err(e) => {
            return ConversionResponse::invalid(Status::failure(&e.to_string(), "BadRequest"))
                .into_review();
        }
    };
    let desired = request.desired_api_version.clone();
    let desired_group = group_of(&desired);
    let mut converted = Vec::with_capacity(request.objects.len());
    let mut failure = None;
    for object in &request.objects {
        let kind = object
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let name = object
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let found = kinds
            .iter()
            .find(|k| k.group_kind() == (desired_group.to_owned(), kind.to_owned()));
        let result = match found {
            Some(conversion) => conversion.convert(object, &desired),
            None => Err(format!(
                "no conversion is registered for kind {kind:?} in {desired_group:?}"
            )
            .into()),
        };
        match result {
            Ok(object) => converted.push(object),
            Err(e) => {
                failure = Some(format!("{kind} {name:?} to {desired}: {e}"));
                break;
            }
        }
    }
    let response = ConversionResponse::for_request(request);
    match failure {
        None => response.success(converted),
        Some(message) => {
            tracing::warn!(%message, "conversion failed");
            response.failure(Status::failure(&message, ""))
        }
    }
    .into_review()
}

fn group_of(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kube::CustomResource;
    use serde::Deserialize;
    use serde_json::json;

    mod v1 {
        use super::*;

        #[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[kube(
            group = "batch.tutorial.kubebuilder.io",
            version = "v1",
            kind = "CronJob",
            namespaced,
            schema = "disabled"
        )]
        #[serde(rename_all = "camelCase")]
        pub struct CronJobSpec {
            pub schedule: String,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub concurrency_policy: Option<String>,
        }

        impl Hub for CronJob {}
    }

    mod v2 {
        use super::*;

        #[derive(CustomResource, Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[kube(
            group = "batch.tutorial.kubebuilder.io",
            version = "v2",
            kind = "CronJob",
            namespaced,
            schema = "disabled"
        )]
        #[serde(rename_all = "camelCase")]
        pub struct CronJobSpec {
            pub schedule: CronSchedule,
            #[serde(default, skip_serializing_if = "Option::is_none")]
            pub concurrency_policy: Option<String>,
        }

        #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
        #[serde(rename_all = "camelCase")]
        pub struct CronSchedule {
            pub minute: String,
            pub hour: String,
            pub day_of_month: String,
            pub month: String,
            pub day_of_week: String,
        }
    }

    impl Spoke<v1::CronJob> for v2::CronJob {
        fn convert_to(&self) -> Result<v1::CronJob, ConversionError> {
            let s = &self.spec.schedule;
            Ok(v1::CronJob {
                metadata: self.metadata.clone(),
                spec: v1::CronJobSpec {
                    schedule: [
                        &s.minute,
                        &s.hour,
                        &s.day_of_month,
                        &s.month,
                        &s.day_of_week,
                    ]
                    .map(String::as_str)
                    .join(" "),
                    concurrency_policy: self.spec.concurrency_policy.clone(),
                },
            })
        }

        fn convert_from(hub: &v1::CronJob) -> Result<Self, ConversionError> {
            let parts: Vec<&str> = hub.spec.schedule.split_whitespace().collect();
            let [minute, hour, day_of_month, month, day_of_week] = parts[..] else {
                return Err(
                    format!("schedule {:?} does not have 5 fields", hub.spec.schedule).into(),
                );
            };
            Ok(v2::CronJob {
                metadata: hub.metadata.clone(),
                spec: v2::CronJobSpec {
                    schedule: v2::CronSchedule {
                        minute: minute.into(),
                        hour: hour.into(),
                        day_of_month: day_of_month.into(),
                        month: month.into(),
                        day_of_week: day_of_week.into(),
                    },
                    concurrency_policy: hub.spec.concurrency_policy.clone(),
                },
            })
        }
    }

    fn v2_object() -> Value {
        json!({
            "apiVersion": "batch.tutorial.kubebuilder.io/v2",
            "kind": "CronJob",
            "metadata": {
                "name": "hello", "namespace": "default", "uid": "u-1", "resourceVersion": "7",
                "creationTimestamp": "2026-01-02T03:04:05Z", "labels": {"app": "x"},
                "managedFields": [{"manager": "kubectl", "operation": "Update", "time": "2026-01-02T03:04:05Z"}]
            },
            "spec": {
                "schedule": {"minute": "*/1", "hour": "*", "dayOfMonth": "*", "month": "*", "dayOfWeek": "*"},
                "concurrencyPolicy": "Forbid"
            }
        })
    }

    fn conversion() -> Conversion<v1::CronJob> {
        Conversion::<v1::CronJob>::new().spoke::<v2::CronJob>()
    }

    #[test]
    fn round_trip_through_the_hub() {
        let conversion = conversion();
        assert_eq!(
            conversion.api_versions(),
            [
                "batch.tutorial.kubebuilder.io/v1",
                "batch.tutorial.kubebuilder.io/v2"
            ]
        );
        let original = v2_object();
        let as_v1 = conversion
            .convert(&original, "batch.tutorial.kubebuilder.io/v1")
            .unwrap();
        assert_eq!(as_v1["apiVersion"], "batch.tutorial.kubebuilder.io/v1");
        assert_eq!(
            as_v1["spec"],
            json!({"schedule": "*/1 * * * *", "concurrencyPolicy": "Forbid"})
        );
        assert_eq!(as_v1["metadata"], original["metadata"]);
        let back = conversion
            .convert(&as_v1, "batch.tutorial.kubebuilder.io/v2")
            .unwrap();
        assert_eq!(back, original);
        // Same version: untouched.
        assert_eq!(
            conversion
                .convert(&original, "batch.tutorial.kubebuilder.io/v2")
                .unwrap(),
            original
        );
    }

    #[test]
    fn review_converts_every_object_or_fails() {
        let conversion = conversion();
        let kinds: [&dyn KindConversion; 1] = [&conversion];
        let request = |objects: Value| {
            serde_json::to_vec(&json!({
                "apiVersion": "apiextensions.k8s.io/v1",
                "kind": "ConversionReview",
                "request": {
                    "uid": "c-1",
                    "desiredAPIVersion": "batch.tutorial.kubebuilder.io/v1",
                    "objects": objects
                }
            }))
            .unwrap()
        };
        let v1 = conversion
            .convert(&v2_object(), "batch.tutorial.kubebuilder.io/v1")
            .unwrap();
        let review = convert_review(&kinds, &request(json!([v2_object(), v1.clone()])));
        let value = serde_json::to_value(&review).unwrap();
        assert_eq!(value["apiVersion"], "apiextensions.k8s.io/v1");
        assert_eq!(value["kind"], "ConversionReview");
        let response = &value["response"];
        assert_eq!(response["uid"], "c-1");
        assert_eq!(response["result"]["status"], "Success");
        assert_eq!(response["convertedObjects"], json!([v1.clone(), v1]));

        let mut bad = v2_object();
        bad["spec"]["schedule"] = json!("not an object");
        let review = convert_review(&kinds, &request(json!([bad])));
        let response = serde_json::to_value(&review).unwrap()["response"].clone();
        assert_eq!(response["result"]["status"], "Failure");
        let message = response["result"]["message"].as_str().unwrap();
        assert!(
            message.starts_with("CronJob \"hello\" to batch.tutorial.kubebuilder.io/v1: converting batch.tutorial.kubebuilder.io/v2 to the hub: invalid type"),
            "{message}"
        );
        assert_eq!(response["convertedObjects"], json!([]));

        let mut other = v2_object();
        other["kind"] = json!("Other");
        let review = convert_review(&kinds, &request(json!([other])));
        let response = serde_json::to_value(&review).unwrap()["response"].clone();
        assert!(
            response["result"]["message"]
                .as_str()
                .unwrap()
                .contains("no conversion is registered for kind \"Other\"")
        );
    }

    #[test]
    fn failing_spoke_conversion_and_unknown_version() {
        let conversion = conversion();
        let mut v1 = conversion
            .convert(&v2_object(), "batch.tutorial.kubebuilder.io/v1")
            .unwrap();
        v1["spec"]["schedule"] = json!("@hourly");
        let err = conversion
            .convert(&v1, "batch.tutorial.kubebuilder.io/v2")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "converting the hub to batch.tutorial.kubebuilder.io/v2: schedule \"@hourly\" does not have 5 fields"
        );
        let err = conversion
            .convert(&v1, "batch.tutorial.kubebuilder.io/v3")
            .unwrap_err();
        assert!(
            err.to_string()
                .contains("has no version \"batch.tutorial.kubebuilder.io/v3\""),
            "{err}"
        );
    }
}
