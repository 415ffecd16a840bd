//! Derive macros for krb (the schema engine lives in krb-markers).
