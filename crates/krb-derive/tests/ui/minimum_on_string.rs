use serde::{Deserialize, Serialize};

/// WidgetSpec puts a numeric marker on a string.
#[derive(krb::Schema, Deserialize, Serialize)]
pub struct WidgetSpec {
    /// name of the widget.
    /// +kubebuilder:validation:Minimum=1
    pub name: String,
}

fn main() {}
