{{ boilerplate }}//! API schema definitions for the {{ resource.group }} {{ resource.version }} API group.
//!
//! +groupName={{ resource.qualified_group }}

// +krb:scaffold:kinds
