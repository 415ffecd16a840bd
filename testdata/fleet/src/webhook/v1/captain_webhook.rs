//! Webhooks of crew.example.com/v1 Captain.
//!
//! EDIT THIS FILE! THIS IS SCAFFOLDING FOR YOU TO OWN!
//! `krb create webhook` adds the defaulter and the validator at the markers below, keeping
//! your edits. The `+kubebuilder:webhook` markers become config/webhook/manifests.yaml when
//! you run `krb make manifests`.

use fleet_api::v2::Captain as SpokeV2;
use krb::Manager;
use krb::webhook::Conversion;
// +krb:scaffold:webhook-imports

// The kind these webhooks admit; `Kind` keeps the lines short for any kind name.
use fleet_api::v1::Captain as Kind;

/// Registers the webhooks of Captain with the manager; main.rs calls it. The server
/// starts with the manager, unless `ENABLE_WEBHOOKS=false`.
pub fn setup(mgr: &Manager) {
    mgr.add_conversion(Conversion::<Kind>::new().spoke::<SpokeV2>());
    // +krb:scaffold:webhook-setup
}

// +krb:scaffold:webhook-types
