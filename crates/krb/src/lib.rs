//! Runtime for operators scaffolded by `krb`, the kubebuilder for Rust.
//!
//! A generated `main.rs` builds a [`manager::Manager`], registers its controllers and runs it:
//! the manager serves `/healthz` and `/readyz`, exposes `/metrics` with controller-runtime's
//! metric names, optionally takes a leader-election Lease, and shuts down on SIGTERM.

pub mod conditions;
pub mod controller;
pub mod logging;
pub mod manager;
pub mod metrics;
pub mod schema;

#[cfg(feature = "envtest")]
pub mod envtest;

#[cfg(feature = "webhook")]
pub mod webhook;

/// `#[derive(krb::Schema)]` (the derive) and [`schema::Schema`] (the trait), like serde's
/// `Serialize`.
pub use krb_derive::Schema;
pub use manager::{Manager, ManagerArgs};
pub use schema::Schema;
