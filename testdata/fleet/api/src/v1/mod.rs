//! API schema definitions for the crew v1 API group.
//!
//! +groupName=crew.example.com

mod captain_types;
pub use captain_types::{Captain, CaptainSpec, CaptainStatus};
mod admiral_types;
pub use admiral_types::{Admiral, AdmiralSpec, AdmiralStatus};
mod captain_conversion;
// +krb:scaffold:kinds
