//! API schema definitions for the crew v2 API group.
//!
//! +groupName=crew.example.com

mod captain_types;
pub use captain_types::{Captain, CaptainSpec, CaptainStatus};
mod captain_conversion;
// +krb:scaffold:kinds
