//! Captain v1 is the hub of the Captain conversions: every other version
//! converts to and from it (see the `<kind>_conversion.rs` files of the spoke versions).
//!
//! Mark the hub as the storage version: `/// +kubebuilder:storageversion` in the doc comment of
//! `CaptainSpec`, then run `krb make manifests`.

impl krb::webhook::Hub for super::Captain {}
