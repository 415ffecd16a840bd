{{ boilerplate }}//! Webhooks of the {{ resource.version }} kinds.

// +krb:scaffold:webhook-kinds
