//! API types of the fleet operator, one module per API version.
//!
//! `krb create api` adds the modules; `krb make manifests` reads them to write the CRDs.

pub mod v1;
pub mod v2;
// +krb:scaffold:versions
