{{ boilerplate }}//! Admission webhooks, one module per API version; `krb create webhook` adds them.

// +krb:scaffold:webhook-versions
