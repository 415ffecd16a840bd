{{ boilerplate }}//! The controllers of this manager, one module per kind.

// +krb:scaffold:controllers
