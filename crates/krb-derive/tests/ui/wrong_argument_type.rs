use serde::{Deserialize, Serialize};

/// WidgetSpec gives a marker a value of the wrong type.
#[derive(krb::Schema, Deserialize, Serialize)]
pub struct WidgetSpec {
    /// name is short.
    /// +kubebuilder:validation:MaxLength=ten
    pub name: String,
}

fn main() {}
