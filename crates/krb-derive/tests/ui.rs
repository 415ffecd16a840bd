//! Compile errors of `#[derive(krb::Schema)]`, with their spans: one case per class of error,
//! and one with many errors at once. Bless the `.stderr` files with
//! `TRYBUILD=overwrite cargo test -p krb-derive --test ui`.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
