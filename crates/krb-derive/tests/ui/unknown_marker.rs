use serde::{Deserialize, Serialize};

/// WidgetSpec has a misspelled marker.
#[derive(krb::Schema, Deserialize, Serialize)]
pub struct WidgetSpec {
    /// replicas must not be negative.
    /// +kubebuilder:validation:Minimun=0
    pub replicas: i32,
}

fn main() {}
