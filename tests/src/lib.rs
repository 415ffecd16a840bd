//! Integration tests of krb live in tests/tests/.
