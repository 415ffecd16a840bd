//! One module per command; each parses its flags, calls the library and prints.

pub mod create;
pub mod init;
pub mod make;
