use super::*;

/// Asserts `f` accepts every value.
#[track_caller]
fn accepts(f: fn(&str) -> Result<(), NameError>, values: &[&str]) {
    for v in values {
        if let Err(e) = f(v) {
            panic!("{v:?} should be accepted, got: {e}");
        }
    }
}

/// Asserts `f` rejects every value, naming the value in the message.
#[track_caller]
fn rejects(f: fn(&str) -> Result<(), NameError>, values: &[&str]) {
    for v in values {
        match f(v) {
            Ok(()) => panic!("{v:?} should be rejected"),
            Err(e) => {
                assert_eq!(e.value(), *v);
                assert!(e.to_string().contains(&format!("{v:?}")), "{e}");
            }
        }
    }
}

#[track_caller]
fn violation(result: Result<(), NameError>) -> Violation {
    result.expect_err("should be rejected").violation().clone()
}

#[test]
fn group() {
    accepts(
        validate_group,
        &[
            "",
            "batch",
            "webapp",
            "crew",
            "apps",
            "rbac.authorization",
            "my-group",
            "g1",
            "1g",
        ],
    );
    rejects(
        validate_group,
        &[
            "Batch", "batch_1", "-batch", "batch-", "batch.", ".batch", "a..b", "a.-b", "bätch",
            "batch 1", "batch/v1",
        ],
    );
    assert_eq!(
        violation(validate_group("Batch")),
        Violation::Uppercase {
            ch: 'B',
            position: 1
        }
    );
    assert!(matches!(
        violation(validate_group("batch_1")),
        Violation::InvalidChar {
            ch: '_',
            position: 6,
            ..
        }
    ));
    assert_eq!(violation(validate_group("a..b")), Violation::EmptyLabel);
    assert_eq!(
        violation(validate_group("a.-b")),
        Violation::LabelEdge { label: "-b".into() }
    );
    // a subdomain may be 253 characters; its parts have no own limit (as in apimachinery)
    let long_label = "a".repeat(100);
    accepts(validate_group, &[&long_label]);
    let max = format!("{}.{}", "a".repeat(200), "b".repeat(52));
    accepts(validate_group, &[&max]);
    assert_eq!(
        violation(validate_group(&format!("{max}b"))),
        Violation::TooLong { len: 254, max: 253 }
    );
}

#[test]
fn qualified_groups() {
    assert_eq!(qualified_group("batch", "example.com"), "batch.example.com");
    assert_eq!(qualified_group("", "example.com"), "example.com");
    assert_eq!(qualified_group("batch", ""), "batch");
    assert_eq!(qualified_group("", ""), "");
    assert!(validate_qualified_group("batch", "example.com").is_ok());
    assert!(validate_qualified_group("", "example.com").is_ok());
    let e = validate_qualified_group("", "").unwrap_err();
    assert_eq!(e.field(), NameField::QualifiedGroup);
    assert_eq!(e.violation(), &Violation::Empty);
    let long_domain = format!("{}.com", "d".repeat(246));
    assert!(validate_domain(&long_domain).is_ok());
    assert!(matches!(
        validate_qualified_group("batch", &long_domain)
            .unwrap_err()
            .violation(),
        Violation::TooLong { len: 256, max: 253 }
    ));
}

#[test]
fn version() {
    accepts(
        validate_version,
        &[
            "v1", "v2", "v10", "v1beta1", "v1alpha1", "v2alpha3", "v3beta12", "v123",
        ],
    );
    rejects(
        validate_version,
        &[
            "",
            "1",
            "v",
            "V1",
            "v1Alpha",
            "v1Alpha1",
            "version1",
            "v0",
            "v01",
            "v1beta0",
            "v1alpha01",
            "v0beta1",
            "v1beta",
            "v1alpha",
            "v1gamma1",
            "v1.0",
            "v1-beta1",
            "v1beta1x",
            "example.com",
            "__internal",
            "v1 ",
            " v1",
        ],
    );
    assert_eq!(
        violation(validate_version("v1Alpha")),
        Violation::VersionPattern
    );
    assert_eq!(violation(validate_version("1")), Violation::VersionPattern);
    assert_eq!(
        violation(validate_version("v0")),
        Violation::VersionNumber { number: "0".into() }
    );
    assert_eq!(
        violation(validate_version("v1beta0")),
        Violation::VersionNumber { number: "0".into() }
    );
    assert_eq!(violation(validate_version("")), Violation::Empty);
    let long = format!("v{}", "1".repeat(63));
    assert!(matches!(
        violation(validate_version(&long)),
        Violation::TooLong { len: 64, max: 63 }
    ));
    // every accepted version is a DNS-1035 label, as Kubernetes requires for CRD versions
    for v in ["v1", "v2alpha3", "v3beta12"] {
        assert!(dns1035_label(v).is_ok());
    }
}

#[test]
fn kind() {
    accepts(
        validate_kind,
        &[
            "CronJob",
            "Memcached",
            "Guestbook",
            "HTTPRoute",
            "Pod2",
            "A",
            "FirstMate",
            "Admiral",
            "Type",
            "Match",
            "Selfie",
            "Options",
            "Statuses",
            "Listing",
            "Playlist",
            "Inspec",
            "ABC",
            // `<Kind>List` must stay a DNS-1035 label: 59 + 4 = 63.
            &format!("K{}", "a".repeat(58)),
        ],
    );
    rejects(validate_kind, &[&format!("K{}", "a".repeat(59))]);
    rejects(
        validate_kind,
        &[
            "",
            "cronJob",
            "Cron-Job",
            "Cron_Job",
            "1Cron",
            "Cron Job",
            "Cron.Job",
            "Crön",
            "_Cron",
            "Self",
            "Option",
            "Some",
            "String",
            "Vec",
            "Box",
            "Default",
            "Resource",
            "CustomResource",
            "JsonSchema",
            "Serialize",
            "Condition",
            "Client",
            "Error",
            "Context",
            "CronJobSpec",
            "CronJobStatus",
            "CronJobList",
            "Spec",
            "Status",
            "List",
            &format!("K{}", "a".repeat(63)),
        ],
    );
    assert_eq!(
        violation(validate_kind("cronJob")),
        Violation::BadStart {
            expected: "an uppercase ASCII letter"
        }
    );
    assert!(matches!(
        violation(validate_kind("Cron-Job")),
        Violation::InvalidChar {
            ch: '-',
            position: 5,
            ..
        }
    ));
    assert!(matches!(
        violation(validate_kind("Cron_Job")),
        Violation::InvalidChar { ch: '_', .. }
    ));
    assert!(matches!(
        violation(validate_kind("1Cron")),
        Violation::BadStart { .. }
    ));
    assert_eq!(
        violation(validate_kind("Self")),
        Violation::ReservedRustName
    );
    assert_eq!(
        violation(validate_kind("FooStatus")),
        Violation::ReservedSuffix { suffix: "Status" }
    );
}

#[test]
fn every_valid_kind_lowercases_to_a_dns1035_label() {
    for kind in ["CronJob", "HTTPRoute", "Pod2", "A"] {
        validate_kind(kind).unwrap();
        assert!(dns1035_label(&lower_kind(kind)).is_ok(), "{kind}");
    }
}

#[test]
fn reserved_kind_names_are_kind_shaped() {
    // each entry must be something the other kind rules would accept, or the list entry
    // would be dead; and the list has no duplicates
    let mut seen = std::collections::HashSet::new();
    for name in RESERVED_KIND_NAMES {
        assert!(seen.insert(name), "duplicate {name}");
        assert!(name.starts_with(|c: char| c.is_ascii_uppercase()), "{name}");
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric()), "{name}");
    }
}

#[test]
fn plural() {
    accepts(
        validate_plural,
        &[
            "cronjobs",
            "admirales",
            "indices",
            "people",
            "a",
            "my-kinds",
            "pods2",
        ],
    );
    rejects(
        validate_plural,
        &[
            "",
            "CronJobs",
            "cron_jobs",
            "1jobs",
            "-jobs",
            "jobs-",
            "cron.jobs",
            "dnsDNSes",
            &"a".repeat(64),
        ],
    );
    assert_eq!(
        violation(validate_plural("1jobs")),
        Violation::BadStart {
            expected: "a lowercase letter"
        }
    );
}

#[test]
fn project_name() {
    accepts(
        validate_project_name,
        &[
            "memcached-operator",
            "guestbook",
            "project",
            "op2",
            "a",
            "tests",
            "typed",
            "kube-operator",
            "serde",
            "con2",
            "com0",
            "com10",
            &"a".repeat(63),
        ],
    );
    rejects(
        validate_project_name,
        &[
            "",
            "My-Operator",
            "my_operator",
            "my.operator",
            "-op",
            "op-",
            "1op",
            "42",
            "test",
            "fn",
            "type",
            "match",
            "crate",
            "self",
            "gen",
            "core",
            "std",
            "alloc",
            "proc-macro",
            "build",
            "deps",
            "examples",
            "incremental",
            "clap",
            "kube",
            "serde-json",
            "k8s-openapi",
            "con",
            "nul",
            "aux",
            "prn",
            "com1",
            "lpt9",
            &"a".repeat(64),
        ],
    );
    assert!(matches!(
        violation(validate_project_name("1op")),
        Violation::Cargo {
            reason: "it starts with a digit"
        }
    ));
    assert!(matches!(
        violation(validate_project_name("my_operator")),
        Violation::InvalidChar { ch: '_', .. }
    ));
}

#[test]
fn domain() {
    accepts(
        validate_domain,
        &[
            "example.com",
            "my.domain",
            "tutorial.kubebuilder.io",
            "testproject.org",
            "local",
        ],
    );
    rejects(
        validate_domain,
        &[
            "",
            "Example.com",
            "example_com",
            "example..com",
            ".example.com",
            "example.com.",
            "-example.com",
            "example-.com",
            "https://example.com",
        ],
    );
}

#[test]
fn messages_name_value_rule_and_example() {
    let e = validate_kind("cronJob").unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"kind "cronJob" must start with an uppercase ASCII letter; a kind is UpperCamelCase ASCII letters and digits, at most 59 characters, e.g. "CronJob" or "Memcached""#
    );
    let e = validate_group("batch_1").unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"group "batch_1" must not contain '_' (character 6); only lowercase letters, digits, '-' and '.' are allowed; a group is lowercase letters, digits, '-' and '.' (a DNS-1123 subdomain), or empty for the core group, e.g. "batch" or "webapp""#
    );
    let e = validate_version("v1Alpha").unwrap_err();
    assert!(
        e.to_string()
            .starts_with(r#"version "v1Alpha" does not have the form"#)
    );
    assert!(e.to_string().contains(r#""v1beta1""#));
    let e = validate_project_name("test").unwrap_err();
    assert!(e.to_string().contains("test library"), "{e}");
}

#[test]
fn lower_kind_and_regular_plural() {
    assert_eq!(lower_kind("CronJob"), "cronjob");
    assert_eq!(lower_kind("HTTPRoute"), "httproute");
    assert_eq!(regular_plural("CronJob"), "cronjobs");
    assert_eq!(regular_plural("NetworkPolicy"), "networkpolicies");
    assert_eq!(regular_plural("Index"), "indices");
    assert_eq!(regular_plural("Ingress"), "ingresses");
    assert_eq!(regular_plural("Endpoints"), "endpoints");
    assert_eq!(regular_plural("Admiral"), "admirals");
}

#[test]
fn snake_case() {
    for (input, want) in [
        ("CronJob", "cron_job"),
        ("HTTPRoute", "http_route"),
        ("IPAddress", "ip_address"),
        ("APIService", "api_service"),
        ("Pod2Template", "pod2_template"),
        ("V1Beta", "v1_beta"),
        ("Memcached", "memcached"),
        ("ABC", "abc"),
        ("my-operator", "my_operator"),
        ("my.operator", "my_operator"),
        ("--a--b--", "a_b"),
        ("already_snake", "already_snake"),
        ("camelCase", "camel_case"),
        ("", ""),
    ] {
        assert_eq!(to_snake_case(input), want, "{input}");
    }
}
