{{ boilerplate }}//! {{ resource.kind }} API types, {{ resource.version }}.
//!
//! EDIT THIS FILE! THIS IS SCAFFOLDING FOR YOU TO OWN!
//! Field names are the serde (JSON) names. Run `krb make manifests` after editing to
//! regenerate the CRD from these types and their markers.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use serde::{Deserialize, Serialize};

/// {{ resource.kind }}Spec defines the desired state of {{ resource.kind }}.
///
/// +kubebuilder:object:root=true
/// +kubebuilder:subresource:status
{%- if not resource.namespaced %}
/// +kubebuilder:resource:scope=Cluster
{%- endif %}
#[derive(CustomResource, krb::Schema, Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[kube(
    group = "{{ resource.qualified_group }}",
    version = "{{ resource.version }}",
    kind = "{{ resource.kind }}",
    plural = "{{ resource.plural }}",
{%- if resource.namespaced %}
    namespaced,
{%- endif %}
    status = "{{ resource.kind }}Status",
    doc = "{{ resource.kind }} is the Schema for the {{ resource.plural }} API.",
    derive = "Default",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
pub struct {{ resource.kind }}Spec {
    // INSERT ADDITIONAL SPEC FIELDS - desired state of cluster.
    // Important: run `krb make manifests` to regenerate the CRD after modifying this file.
    /// foo is an example field of {{ resource.kind }}. Edit {{ resource.kind_lower }}_types.rs to remove/update.
    ///
    /// +optional
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foo: Option<String>,
}

/// {{ resource.kind }}Status defines the observed state of {{ resource.kind }}.
#[derive(krb::Schema, Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct {{ resource.kind }}Status {
    // INSERT ADDITIONAL STATUS FIELDS - observed state of cluster.
    /// conditions represent the current state of the {{ resource.kind }} resource.
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
    use super::{{ resource.kind }} as Kind;

    #[test]
    fn crd_names_match_the_kind() {
        let crd = Kind::crd();
        assert_eq!(crd.spec.names.kind, Kind::kind(&()));
        assert_eq!(crd.spec.names.plural, Kind::plural(&()));
        assert_eq!(crd.spec.group, Kind::group(&()));
        assert_eq!(crd.spec.scope, "{% if resource.namespaced %}Namespaced{% else %}Cluster{% endif %}");
    }

    /// Fails when the types changed and `krb make manifests` was not run since.
    #[test]
    fn crd_manifest_is_fresh() {
        let bases = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../config/crd/bases"));
        krb::schema::check_crd_file::<Kind>(bases).unwrap();
    }
}
