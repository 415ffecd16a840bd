//! Webhooks of the v1 kinds.

pub mod captain_webhook;
// +krb:scaffold:webhook-kinds
