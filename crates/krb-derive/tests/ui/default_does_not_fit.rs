use serde::{Deserialize, Serialize};

/// WidgetSpec has defaults that its schema rejects.
#[derive(krb::Schema, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WidgetSpec {
    /// policy says when.
    /// +kubebuilder:default=Sometimes
    #[serde(default)]
    pub policy: Policy,
    /// replicas is a count.
    /// +kubebuilder:default="three"
    #[serde(default)]
    pub replicas: i32,
    /// port is a named port.
    /// +kubebuilder:default={name: "http", number: 80}
    #[serde(default)]
    pub port: Port,
}

/// Policy says when.
#[derive(krb::Schema, Default, Deserialize, Serialize)]
pub enum Policy {
    #[default]
    Always,
    Never,
}

/// Port is a port.
#[derive(krb::Schema, Default, Deserialize, Serialize)]
pub struct Port {
    /// name of the port.
    pub name: String,
    /// port number.
    pub port: i32,
}

fn main() {}
