//! Captain API types, v1.
//!
//! EDIT THIS FILE! THIS IS SCAFFOLDING FOR YOU TO OWN!
//! Field names are the serde (JSON) names. Run `krb make manifests` after editing to
//! regenerate the CRD from these types and their markers.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use serde::{Deserialize, Serialize};

/// CaptainSpec defines the desired state of Captain.
///
/// +kubebuilder:object:root=true
/// +kubebuilder:storageversion
/// +kubebuilder:subresource:status
#[derive(CustomResource, krb::Schema, Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[kube(
    group = "crew.example.com",
    version = "v1",
    kind = "Captain",
    plural = "captains",
    namespaced,
    status = "CaptainStatus",
    doc = "Captain is the Schema for the captains API.",
    derive = "Default",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
pub struct CaptainSpec {
    // INSERT ADDITIONAL SPEC FIELDS - desired state of cluster.
    // Important: run `krb make manifests` to regenerate the CRD after modifying this file.
    /// foo is an example field of Captain. Edit captain_types.rs to remove/update.
    ///
    /// +optional
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foo: Option<String>,
}

/// CaptainStatus defines the observed state of Captain.
#[derive(krb::Schema, Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CaptainStatus {
    // INSERT ADDITIONAL STATUS FIELDS - observed state of cluster.
    /// conditions represent the current state of the Captain resource.
    /// Each condition has a unique type and reflects the status of a specific aspect of the resource.
    ///
    /// Standard condition types include:
    /// - "Available": the resource is fully functional
    /// - "Progressing": the resource is being created or updated
    /// - "Degraded": the resource failed to reach or maintain its desired state
    ///
    /// The status of each condition is one of True, False, or Unknown.
    ///
    /// +listType=map
    /// +listMapKey=type
    /// +optional
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use kube::{CustomResourceExt, Resource};

    // An alias keeps the test lines the same length whatever the kind is called.
    use super::Captain as Kind;

    #[test]
    fn crd_names_match_the_kind() {
        let crd = Kind::crd();
        assert_eq!(crd.spec.names.kind, Kind::kind(&()));
        assert_eq!(crd.spec.names.plural, Kind::plural(&()));
        assert_eq!(crd.spec.group, Kind::group(&()));
        assert_eq!(crd.spec.scope, "Namespaced");
    }

    /// Fails when the types changed and `krb make manifests` was not run since.
    #[test]
    fn crd_manifest_is_fresh() {
        let bases = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../config/crd/bases"));
        krb::schema::check_crd_file::<Kind>(bases).unwrap();
    }
}
