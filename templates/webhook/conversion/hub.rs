{{ boilerplate }}//! {{ resource.kind }} {{ resource.version }} is the hub of the {{ resource.kind }} conversions: every other version
//! converts to and from it (see the `<kind>_conversion.rs` files of the spoke versions).
//!
//! Mark the hub as the storage version: `/// +kubebuilder:storageversion` in the doc comment of
//! `{{ resource.kind }}Spec`, then run `krb make manifests`.

impl krb::webhook::Hub for super::{{ resource.kind }} {}
