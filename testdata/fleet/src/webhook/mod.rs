//! Admission webhooks, one module per API version; `krb create webhook` adds them.

pub mod v1;
// +krb:scaffold:webhook-versions
