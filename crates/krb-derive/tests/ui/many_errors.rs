use kube::CustomResource;
use serde::{Deserialize, Serialize};

/// WidgetSpec has one mistake per field, all reported at once.
#[derive(CustomResource, krb::Schema, Clone, Debug, Deserialize, Serialize)]
#[kube(group = "example.io", version = "v1", kind = "Widget", namespaced)]
#[serde(rename_all = "camelCase")]
pub struct WidgetSpec {
    /// A misspelled marker.
    /// +kubebuilder:validation:Minimun=0
    pub replicas: i32,
    /// A wrong argument type.
    /// +kubebuilder:validation:MaxLength=ten
    pub name: String,
    /// A marker on the wrong kind of field.
    /// +kubebuilder:validation:MinItems=1
    pub size: i64,
    /// Optional, but not deserializable without it.
    /// +optional
    pub mode: String,
    /// A float without opting in.
    pub ratio: f64,
    /// A default that does not match the enum.
    /// +kubebuilder:default=Sometimes
    pub policy: Policy,
    /// A printcolumn on a field.
    /// +kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp"
    pub age: String,
    /// A type whose own markers are wrong.
    pub port: Port,
}

/// Policy says when.
#[derive(krb::Schema, Clone, Debug, Deserialize, Serialize)]
pub enum Policy {
    Always,
    Never,
}

/// Port does not derive krb::Schema: the kind reports its errors, with their location.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Port {
    /// number of the port.
    /// +kubebuilder:validation:Pattern=`^[0-9]+$`
    pub number: i32,
}

fn main() {}
