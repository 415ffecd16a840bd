{{ boilerplate }}//! Webhooks of {{ resource.api_version }} {{ resource.kind }}.
//!
//! EDIT THIS FILE! THIS IS SCAFFOLDING FOR YOU TO OWN!
//! `krb create webhook` adds the defaulter and the validator at the markers below, keeping
//! your edits. The `+kubebuilder:webhook` markers become config/webhook/manifests.yaml when
//! you run `krb make manifests`.

use krb::Manager;
// +krb:scaffold:webhook-imports

// The kind these webhooks admit; `Kind` keeps the lines short for any kind name.
use {{ project.api_lib }}::{{ resource.version }}::{{ resource.kind }} as Kind;

/// Registers the webhooks of {{ resource.kind }} with the manager; main.rs calls it. The server
/// starts with the manager, unless `ENABLE_WEBHOOKS=false`.
pub fn setup(mgr: &Manager) {
    // +krb:scaffold:webhook-setup
}

// +krb:scaffold:webhook-types
