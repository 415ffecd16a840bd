{{ boilerplate }}//! API types of the {{ project.name }} operator, one module per API version.
//!
//! `krb create api` adds the modules; `krb make manifests` reads them to write the CRDs.

// +krb:scaffold:versions
