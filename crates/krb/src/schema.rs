//! Schemas carried by the compiled API types: what `#[derive(krb::Schema)]` implements.
//!
//! The derive runs krb's schema engine, the one behind `krb make manifests`, at compile time
//! over the crate that declares the type. A type that derives it gets:
//!
//! - [`Schema`]: its OpenAPI v3 schema, markers applied, as it appears wherever it is used;
//! - `schemars::JsonSchema` from that same schema, unless it also derives `JsonSchema`. kube's
//!   `#[derive(CustomResource)]` needs `JsonSchema` on the spec and status types, so kube's
//!   `crd()` then carries krb's schemas for `spec` and `status`;
//! - on the struct that derives `CustomResource`, [`CustomResourceSchema`] on the root type that
//!   kube generates: the CRD of the kind, every version of it declared in the crate, as
//!   `krb make manifests` writes it.
//!
//! Markers are checked at compile time: an unknown marker, a wrong argument, a marker on the
//! wrong kind of field, a default that does not fit the schema, two storage versions are compile
//! errors, all reported at once.
//!
//! ```ignore
//! use kube::CustomResource;
//! use serde::{Deserialize, Serialize};
//!
//! /// FooSpec defines the desired state of Foo.
//! #[derive(CustomResource, krb::Schema, Clone, Debug, Deserialize, Serialize)]
//! #[kube(group = "example.io", version = "v1", kind = "Foo", namespaced)]
//! pub struct FooSpec {
//!     /// +kubebuilder:validation:Minimum=1
//!     pub replicas: i32,
//! }
//!
//! use krb::schema::CustomResourceSchema;
//! let crd: serde_json::Value = Foo::krb_crd();
//! ```

use std::path::Path;

/// The OpenAPI v3 schema of a type, computed at compile time by `#[derive(krb::Schema)]`.
pub trait Schema {
    /// The schema (a `JSONSchemaProps` as JSON), with the type's description and markers.
    fn schema() -> serde_json::Value;
}

/// The CRD of a kind, on the root type kube's `#[derive(CustomResource)]` generates (the
/// derive implements it when the struct that derives `CustomResource` also derives
/// `krb::Schema`).
pub trait CustomResourceSchema {
    /// The CRD's file name in `config/crd/bases`: `<group>_<plural>.yaml`.
    const CRD_FILE_NAME: &'static str;
    /// The file `krb make manifests` writes for this kind, byte for byte.
    const CRD_YAML: &'static str;
    /// The CRD: every version of the kind found in the crate, as `krb make manifests` writes
    /// it. Each version of the kind returns the same CRD.
    fn krb_crd() -> serde_json::Value;
}

/// Check that `<crd_bases>/<CRD_FILE_NAME>` is what `krb make manifests` would write now.
///
/// A generated project's test calls it with its `config/crd/bases`, so that `cargo test` fails
/// when the types changed and the manifests were not regenerated.
pub fn check_crd_file<K: CustomResourceSchema>(crd_bases: &Path) -> Result<(), String> {
    let path = crd_bases.join(K::CRD_FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) if text == K::CRD_YAML => Ok(()),
        Ok(_) => Err(format!(
            "{} is out of date with the API types: run `krb make manifests`",
            path.display()
        )),
        Err(e) => Err(format!(
            "cannot read {} ({e}): run `krb make manifests`",
            path.display()
        )),
    }
}

/// What the derive's output uses. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use schemars;
    pub use serde_json;

    /// Parse the JSON the derive wrote.
    pub fn parse(json: &str) -> serde_json::Value {
        serde_json::from_str(json).expect("krb::Schema wrote valid JSON")
    }

    /// A schemars schema from a krb schema.
    pub fn json_schema(value: serde_json::Value) -> schemars::Schema {
        match value {
            serde_json::Value::Object(m) => schemars::Schema::from(m),
            _ => schemars::Schema::default(),
        }
    }

    /// The body of `schema()` when the derive could not compute it.
    pub fn unavailable(name: &str, why: &str) -> serde_json::Value {
        panic!("krb::Schema: no schema for {name}: {why}")
    }
}
