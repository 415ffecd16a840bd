//! The controllers of this manager, one module per kind.

pub mod admiral_controller;
pub mod captain_controller;
// +krb:scaffold:controllers
