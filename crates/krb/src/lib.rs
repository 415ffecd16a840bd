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

#[cfg(feature = "envtest")]
pub mod envtest;

pub use manager::{Manager, ManagerArgs};
