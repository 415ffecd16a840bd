//! The fleet operator as a library: the manager binary (src/main.rs) runs its
//! controllers, and the integration tests under tests/ run them against a real API server
//! (a package's tests cannot reach the private modules of its binary).

pub mod controller;
pub mod webhook;
// +krb:scaffold:modules
