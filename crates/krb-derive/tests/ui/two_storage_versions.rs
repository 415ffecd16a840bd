mod v1 {
    use kube::CustomResource;
    use serde::{Deserialize, Serialize};

    /// WidgetSpec, v1.
    ///
    /// +kubebuilder:storageversion
    #[derive(CustomResource, krb::Schema, Clone, Debug, Deserialize, Serialize)]
    #[kube(group = "example.io", version = "v1", kind = "Widget", namespaced)]
    pub struct WidgetSpec {
        /// size of the widget.
        pub size: i32,
    }
}

mod v2 {
    use kube::CustomResource;
    use serde::{Deserialize, Serialize};

    /// WidgetSpec, v2.
    ///
    /// +kubebuilder:storageversion
    #[derive(CustomResource, krb::Schema, Clone, Debug, Deserialize, Serialize)]
    #[kube(group = "example.io", version = "v2", kind = "Widget", namespaced)]
    pub struct WidgetSpec {
        /// size of the widget.
        pub size: i64,
    }
}

fn main() {}
