use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// WidgetSpec puts list markers on things that are not lists.
#[derive(krb::Schema, Deserialize, Serialize)]
pub struct WidgetSpec {
    /// name of the widget.
    /// +listType=set
    pub name: String,
    /// labels of the widget.
    /// +listType=map
    /// +listMapKey=name
    pub labels: BTreeMap<String, String>,
}

fn main() {}
