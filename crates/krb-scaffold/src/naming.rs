//! Names: validation of what users type for groups, versions, kinds, plurals, domains and
//! project names, and the derived names krb generates from them.
//!
//! The rules follow kubebuilder v4 (`pkg/model/resource/gvk.go`, `resource.go`, the
//! kustomize/v2 `init` plugin), which in turn follow Kubernetes' `apimachinery` validation.
//! Where krb is stricter, it is because the name becomes Rust code or a Cargo package:
//!
//! | name | kubebuilder rule | extra krb rule |
//! |---|---|---|
//! | group | `<group>.<domain>` is a DNS-1123 subdomain | the group alone is a DNS-1123 subdomain; empty means the core group |
//! | version | DNS-1123 subdomain (v4.2+); `^v\d+(?:alpha\d+\|beta\d+)?$` before | that pattern again (also a DNS-1035 label, at most 63 characters); numbers start at 1, no leading zeros (`v0`, `v01`, `v1beta0` are rejected) |
//! | kind | lowercased is a DNS-1035 label; first character uppercase | ASCII letters and digits only (kubebuilder lets `Cron-Job` through); not a name the generated Rust code already uses ([`RESERVED_KIND_NAMES`]); no `Spec`, `Status` or `List` suffix |
//! | plural | DNS-1035 label | none |
//! | project name | DNS-1123 label | also a valid Cargo package name: no leading digit, not a Rust keyword, not `test`, a standard-library crate name, a Cargo build-directory name or a reserved Windows file name |
//! | domain | part of the group's DNS-1123 subdomain | not empty |
//!
//! The default plural is kubebuilder's: [`regular_plural`] is `flect.Pluralize` (ported in
//! [`pluralize`]) of the lowercased kind.

use std::fmt;

mod plural;

pub use plural::pluralize;

/// Which user-supplied name a [`NameError`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum NameField {
    Group,
    Version,
    Kind,
    Plural,
    ProjectName,
    Domain,
    /// The fully qualified API group, `<group>.<domain>`.
    QualifiedGroup,
}

impl NameField {
    /// The rule for this kind of name, in one sentence fragment.
    fn rule(self) -> &'static str {
        match self {
            NameField::Group => {
                "a group is lowercase letters, digits, '-' and '.' (a DNS-1123 subdomain), \
                 or empty for the core group"
            }
            NameField::Version => {
                "a version is 'v' and a major version, optionally followed by 'alpha' or 'beta' \
                 and a number (kubebuilder's ^v\\d+(?:alpha\\d+|beta\\d+)?$)"
            }
            NameField::Kind => {
                "a kind is UpperCamelCase ASCII letters and digits, at most 59 characters"
            }
            NameField::Plural => {
                "a plural is lowercase letters, digits and '-', starting with a letter, \
                 at most 63 characters (a DNS-1035 label)"
            }
            NameField::ProjectName => {
                "a project name is lowercase letters, digits and '-', at most 63 characters \
                 (a DNS-1123 label), and must also be a valid Cargo package name"
            }
            NameField::Domain => {
                "a domain is lowercase letters, digits, '-' and '.', at most 253 characters \
                 (a DNS-1123 subdomain)"
            }
            NameField::QualifiedGroup => {
                "the API group <group>.<domain> is lowercase letters, digits, '-' and '.', \
                 at most 253 characters (a DNS-1123 subdomain)"
            }
        }
    }

    /// Accepted examples, ready to print.
    fn examples(self) -> &'static str {
        match self {
            NameField::Group => r#""batch" or "webapp""#,
            NameField::Version => r#""v1", "v1beta1" or "v2alpha3""#,
            NameField::Kind => r#""CronJob" or "Memcached""#,
            NameField::Plural => r#""cronjobs""#,
            NameField::ProjectName => r#""memcached-operator""#,
            NameField::Domain => r#""example.com" or "my.domain""#,
            NameField::QualifiedGroup => r#""batch.example.com""#,
        }
    }
}

impl fmt::Display for NameField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameField::Group => "group",
            NameField::Version => "version",
            NameField::Kind => "kind",
            NameField::Plural => "plural",
            NameField::ProjectName => "project name",
            NameField::Domain => "domain",
            NameField::QualifiedGroup => "API group",
        })
    }
}

/// The rule a name breaks. Character positions are 1-based.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Violation {
    Empty,
    TooLong {
        len: usize,
        max: usize,
    },
    Uppercase {
        ch: char,
        position: usize,
    },
    InvalidChar {
        ch: char,
        position: usize,
        allowed: &'static str,
    },
    BadStart {
        expected: &'static str,
    },
    BadEnd {
        expected: &'static str,
    },
    /// A dot-separated part of a subdomain is empty (`.a`, `a.`, `a..b`).
    EmptyLabel,
    /// A dot-separated part of a subdomain starts or ends with `-`.
    LabelEdge {
        label: String,
    },
    VersionPattern,
    /// A version number is 0 or has a leading zero.
    VersionNumber {
        number: String,
    },
    /// The kind is a name the generated Rust code already uses.
    ReservedRustName,
    ReservedSuffix {
        suffix: &'static str,
    },
    /// Not a usable Cargo package name.
    Cargo {
        reason: &'static str,
    },
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::Empty => write!(f, "must not be empty"),
            Violation::TooLong { len, max } => {
                write!(f, "is {len} characters long, more than the {max} allowed")
            }
            Violation::Uppercase { ch, position } => {
                write!(f, "must be lowercase, but character {position} is '{ch}'")
            }
            Violation::InvalidChar {
                ch,
                position,
                allowed,
            } => write!(
                f,
                "must not contain {ch:?} (character {position}); only {allowed} are allowed"
            ),
            Violation::BadStart { expected } => write!(f, "must start with {expected}"),
            Violation::BadEnd { expected } => write!(f, "must end with {expected}"),
            Violation::EmptyLabel => {
                write!(f, "must not start or end with '.' or contain \"..\"")
            }
            Violation::LabelEdge { label } => write!(
                f,
                "has the part {label:?}, but each dot-separated part must start and end \
                 with a letter or digit"
            ),
            Violation::VersionPattern => write!(
                f,
                "does not have the form v<major>, v<major>alpha<n> or v<major>beta<n> \
                 (all lowercase)"
            ),
            Violation::VersionNumber { number } => write!(
                f,
                "has the number {number:?}, but version numbers start at 1 and have no \
                 leading zeros (Kubernetes API versions begin at v1)"
            ),
            Violation::ReservedRustName => write!(
                f,
                "is a name the generated Rust code already uses (the Rust prelude or an \
                 import of the scaffolded types and controller modules), so it would not compile"
            ),
            Violation::ReservedSuffix { suffix } => write!(
                f,
                "must not end in {suffix:?}: krb generates <Kind>Spec and <Kind>Status types \
                 and Kubernetes lists a kind as <Kind>List, so this name would collide with \
                 another kind's"
            ),
            Violation::Cargo { reason } => {
                write!(f, "is not a usable Cargo package name: {reason}")
            }
        }
    }
}

/// A name that breaks a rule: which name, its value, the broken rule, and (in the message)
/// the general rule with accepted examples.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "{field} {value:?} {violation}; {rule}, e.g. {examples}",
    rule = .field.rule(),
    examples = .field.examples()
)]
pub struct NameError {
    field: NameField,
    value: String,
    violation: Violation,
}

impl NameError {
    fn new(field: NameField, value: &str, violation: Violation) -> Self {
        NameError {
            field,
            value: value.to_string(),
            violation,
        }
    }

    /// Which name was rejected.
    pub fn field(&self) -> NameField {
        self.field
    }

    /// The rejected value, as given.
    pub fn value(&self) -> &str {
        &self.value
    }

    /// The rule it breaks.
    pub fn violation(&self) -> &Violation {
        &self.violation
    }
}

/// Maximum length of a DNS-1123 or DNS-1035 label.
const LABEL_MAX: usize = 63;

/// The longest kind whose list kind (`<Kind>List`) is still a DNS-1035 label.
const KIND_MAX: usize = LABEL_MAX - "List".len();
/// Maximum length of a DNS-1123 subdomain.
const SUBDOMAIN_MAX: usize = 253;

const LABEL_CHARS: &str = "lowercase letters, digits and '-'";
const SUBDOMAIN_CHARS: &str = "lowercase letters, digits, '-' and '.'";

/// Checks the characters of a DNS name: lowercase ASCII letters, digits, '-' and, when
/// `dots`, '.'.
fn dns_chars(s: &str, dots: bool) -> Result<(), Violation> {
    for (i, ch) in s.chars().enumerate() {
        let position = i + 1;
        if ch.is_ascii_uppercase() {
            return Err(Violation::Uppercase { ch, position });
        }
        let ok = ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-' || (dots && ch == '.');
        if !ok {
            let allowed = if dots { SUBDOMAIN_CHARS } else { LABEL_CHARS };
            return Err(Violation::InvalidChar {
                ch,
                position,
                allowed,
            });
        }
    }
    Ok(())
}

fn max_len(s: &str, max: usize) -> Result<(), Violation> {
    let len = s.chars().count();
    if len > max {
        return Err(Violation::TooLong { len, max });
    }
    Ok(())
}

fn alnum_end(s: &str) -> Result<(), Violation> {
    if s.ends_with('-') {
        return Err(Violation::BadEnd {
            expected: "a letter or digit",
        });
    }
    Ok(())
}

/// A DNS-1123 label (`apimachinery` `IsDNS1123Label`): at most 63 lowercase letters, digits
/// and '-', starting and ending with a letter or digit.
fn dns1123_label(s: &str) -> Result<(), Violation> {
    if s.is_empty() {
        return Err(Violation::Empty);
    }
    dns_chars(s, false)?;
    if s.starts_with('-') {
        return Err(Violation::BadStart {
            expected: "a letter or digit",
        });
    }
    alnum_end(s)?;
    max_len(s, LABEL_MAX)
}

/// A DNS-1035 label (`IsDNS1035Label`): a DNS-1123 label that starts with a letter.
fn dns1035_label(s: &str) -> Result<(), Violation> {
    if s.is_empty() {
        return Err(Violation::Empty);
    }
    dns_chars(s, false)?;
    if !s.starts_with(|c: char| c.is_ascii_lowercase()) {
        return Err(Violation::BadStart {
            expected: "a lowercase letter",
        });
    }
    alnum_end(s)?;
    max_len(s, LABEL_MAX)
}

/// A DNS-1123 subdomain (`IsDNS1123Subdomain`): at most 253 characters of dot-separated
/// labels, each lowercase letters, digits and '-' that start and end with a letter or digit.
/// As in `apimachinery`, the parts themselves have no length limit.
fn dns1123_subdomain(s: &str) -> Result<(), Violation> {
    if s.is_empty() {
        return Err(Violation::Empty);
    }
    dns_chars(s, true)?;
    for label in s.split('.') {
        if label.is_empty() {
            return Err(Violation::EmptyLabel);
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err(Violation::LabelEdge {
                label: label.to_string(),
            });
        }
    }
    max_len(s, SUBDOMAIN_MAX)
}

/// Validates an API group as typed by the user (`--group`), without the domain.
///
/// Kubernetes requires a DNS-1123 subdomain. The empty group is accepted: it names the core
/// (legacy) API group, as in kubebuilder. Check the combined `<group>.<domain>` with
/// [`validate_qualified_group`].
///
/// Accepted: `batch`, `webapp`, `crew.example`, `""`. Rejected: `Batch`, `batch_1`, `-batch`.
pub fn validate_group(group: &str) -> Result<(), NameError> {
    if group.is_empty() {
        return Ok(());
    }
    dns1123_subdomain(group).map_err(|v| NameError::new(NameField::Group, group, v))
}

/// Validates the fully qualified API group `<group>.<domain>` (see [`qualified_group`]), as
/// kubebuilder does: it must be non-empty and a DNS-1123 subdomain of at most 253 characters.
pub fn validate_qualified_group(group: &str, domain: &str) -> Result<(), NameError> {
    let qualified = qualified_group(group, domain);
    dns1123_subdomain(&qualified)
        .map_err(|v| NameError::new(NameField::QualifiedGroup, &qualified, v))
}

/// Validates an API version (`--version`).
///
/// kubebuilder v3 to v4.1 required `^v\d+(?:alpha\d+|beta\d+)?$`; v4.2+ only requires a
/// DNS-1123 subdomain, which lets `example.com` through. krb keeps the pattern, which makes
/// the version a DNS-1035 label of at most 63 characters as Kubernetes requires for CRD
/// versions, and sorts by Kubernetes' version priority. krb also requires every number to be
/// at least 1 without leading zeros: kubebuilder accepts `v0`, `v01` and `v1beta0`, but
/// Kubernetes API versions start at `v1`/`alpha1`/`beta1` and `v01` would be a second
/// spelling of `v1`.
///
/// Accepted: `v1`, `v1beta1`, `v2alpha3`. Rejected: `1`, `v1Alpha`, `version1`, `v0`, `v1.0`.
pub fn validate_version(version: &str) -> Result<(), NameError> {
    check_version(version).map_err(|v| NameError::new(NameField::Version, version, v))
}

fn check_version(version: &str) -> Result<(), Violation> {
    if version.is_empty() {
        return Err(Violation::Empty);
    }
    let (major, rest) = version
        .strip_prefix('v')
        .map(split_digits)
        .ok_or(Violation::VersionPattern)?;
    let minor = if rest.is_empty() {
        None
    } else {
        let after = rest
            .strip_prefix("alpha")
            .or_else(|| rest.strip_prefix("beta"))
            .ok_or(Violation::VersionPattern)?;
        let (minor, tail) = split_digits(after);
        if !tail.is_empty() || minor.is_empty() {
            return Err(Violation::VersionPattern);
        }
        Some(minor)
    };
    if major.is_empty() {
        return Err(Violation::VersionPattern);
    }
    max_len(version, LABEL_MAX)?;
    for number in std::iter::once(major).chain(minor) {
        if number.starts_with('0') {
            return Err(Violation::VersionNumber {
                number: number.to_string(),
            });
        }
    }
    Ok(())
}

/// Splits leading ASCII digits off `s`.
fn split_digits(s: &str) -> (&str, &str) {
    let end = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    s.split_at(end)
}

/// Kind names the scaffolded Rust code already uses unqualified, so a kind (which becomes a
/// struct of the same name, imported next to these) must not take them:
/// - `Self`, the only keyword a kind can spell;
/// - the Rust 2024 prelude, which kube-derive's generated code and the types template use
///   unqualified (`Option`, `Some`, `None`, `Default`, `Vec`, `String`, `Clone`, ...);
/// - the names `templates/api` imports or defines in the types module (`CustomResource`,
///   `JsonSchema`, `Serialize`, `Deserialize`, `Condition`, `CustomResourceExt`, `Resource`)
///   and in the controller module (`Arc`, `Manager`, `Backoff`, `Api`, `Client`,
///   `ResourceExt`, `Patch`, `PatchParams`, `Controller`, `Action`, `Context`, `Error`);
/// - `Kind`, the alias the generated tests import the kind as.
///
/// `tests/naming.rs` checks that every capitalized name the `templates/api` Rust files import
/// or define is listed here.
pub const RESERVED_KIND_NAMES: &[&str] = &[
    // keyword
    "Self",
    // Rust 2024 prelude (types, traits, variants) and the std derives the templates name
    "AsMut",
    "AsRef",
    "AsyncFn",
    "AsyncFnMut",
    "AsyncFnOnce",
    "Box",
    "Clone",
    "Copy",
    "Debug",
    "Default",
    "DoubleEndedIterator",
    "Drop",
    "Eq",
    "Err",
    "ExactSizeIterator",
    "Extend",
    "Fn",
    "FnMut",
    "FnOnce",
    "From",
    "FromIterator",
    "Future",
    "Hash",
    "Into",
    "IntoFuture",
    "IntoIterator",
    "Iterator",
    "None",
    "Ok",
    "Option",
    "Ord",
    "PartialEq",
    "PartialOrd",
    "Result",
    "Send",
    "Sized",
    "Some",
    "String",
    "Sync",
    "ToOwned",
    "ToString",
    "TryFrom",
    "TryInto",
    "Unpin",
    "Vec",
    // templates/api types module
    "Condition",
    "CustomResource",
    "CustomResourceExt",
    "Deserialize",
    "JsonSchema",
    "Path",
    "Resource",
    "Serialize",
    // the alias the generated tests give the kind (`use ...::CronJob as Kind;`); rustfmt
    // rewrites `Kind as Kind` to `Kind`, so a kind of that name would fail `cargo fmt --check`
    "Kind",
    // templates/api controller module
    "Action",
    "Api",
    "Arc",
    "Backoff",
    "Client",
    "Context",
    "Controller",
    "Error",
    "Manager",
    "Patch",
    "PatchParams",
    "ResourceExt",
];

/// Kind suffixes krb rejects; see [`validate_kind`].
const RESERVED_KIND_SUFFIXES: [&str; 3] = ["Spec", "Status", "List"];

/// Validates a kind (`--kind`).
///
/// kubebuilder requires the first character to be uppercase and the lowercased kind to be a
/// DNS-1035 label (so at most 63 characters); the API server also checks `<kind>List`, so krb
/// allows 59. krb adds three rules, because the kind becomes
/// a Rust struct:
/// 1. Only ASCII letters and digits: kubebuilder accepts `Cron-Job` (its lowercase form is a
///    valid label), which is not a Rust identifier.
/// 2. Not one of [`RESERVED_KIND_NAMES`] (`Self`, prelude names such as `Option`, and the
///    names the scaffolded modules import such as `Resource`, `Client` or `Error`).
/// 3. No `Spec`, `Status` or `List` suffix (nor those words alone): for a kind `Foo`, krb
///    generates `FooSpec` and `FooStatus` (kube-derive turns `FooSpec` into `Foo`, and
///    rejects a kind equal to the spec struct name), and Kubernetes names its list kind
///    `FooList`; a kind `FooSpec`, `FooStatus` or `FooList` would collide with those.
///
/// Accepted: `CronJob`, `Memcached`, `HTTPRoute`, `Pod2`. Rejected: `cronJob`, `Cron-Job`,
/// `Cron_Job`, `1Cron`, `Self`, `Option`, `CronJobSpec`.
pub fn validate_kind(kind: &str) -> Result<(), NameError> {
    check_kind(kind).map_err(|v| NameError::new(NameField::Kind, kind, v))
}

fn check_kind(kind: &str) -> Result<(), Violation> {
    let Some(first) = kind.chars().next() else {
        return Err(Violation::Empty);
    };
    if !first.is_ascii_uppercase() {
        return Err(Violation::BadStart {
            expected: "an uppercase ASCII letter",
        });
    }
    if let Some((i, ch)) = kind
        .chars()
        .enumerate()
        .find(|(_, c)| !c.is_ascii_alphanumeric())
    {
        return Err(Violation::InvalidChar {
            ch,
            position: i + 1,
            allowed: "ASCII letters and digits",
        });
    }
    // The API server checks `<kind>List`, lowercased, as a DNS-1035 label too.
    max_len(kind, KIND_MAX)?;
    if RESERVED_KIND_NAMES.contains(&kind) {
        return Err(Violation::ReservedRustName);
    }
    if let Some(suffix) = RESERVED_KIND_SUFFIXES
        .into_iter()
        .find(|s| kind.ends_with(s))
    {
        return Err(Violation::ReservedSuffix { suffix });
    }
    Ok(())
}

/// Validates a CRD plural (`--plural`): a DNS-1035 label, as kubebuilder and the
/// apiextensions API server require (stricter than a DNS-1123 label: it starts with a
/// letter).
///
/// Accepted: `cronjobs`, `admirales`. Rejected: `CronJobs`, `cron_jobs`, `1jobs`, `dnsDNSes`.
pub fn validate_plural(plural: &str) -> Result<(), NameError> {
    dns1035_label(plural).map_err(|v| NameError::new(NameField::Plural, plural, v))
}

/// Validates a project name (`--project-name`, default: the directory name).
///
/// kubebuilder requires a DNS-1123 label (it prefixes namespaces and object names). krb also
/// uses it as the Cargo package name of the manager, so it must be one `cargo new` accepts
/// without complaint: not starting with a digit, not a Rust keyword, not `test`, not a
/// standard-library crate name (`core`, `std`, `alloc`, `proc-macro`), not a Cargo build
/// directory name (`build`, `deps`, `examples`, `incremental`), and not a reserved Windows
/// file name (`con`, `nul`, `com1`, ...).
///
/// Accepted: `memcached-operator`, `guestbook`. Rejected: `My-Operator`, `my_operator`,
/// `-op`, `1op`, `test`, `fn`.
pub fn validate_project_name(name: &str) -> Result<(), NameError> {
    check_project_name(name).map_err(|v| NameError::new(NameField::ProjectName, name, v))
}

/// Rust keywords (strict and reserved, edition 2024) that pass the DNS-1123 label rule.
const LOWERCASE_KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "crate",
    "do", "dyn", "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl",
    "in", "let", "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref",
    "return", "self", "static", "struct", "super", "trait", "true", "try", "type", "typeof",
    "unsafe", "unsized", "use", "virtual", "where", "while", "yield",
];

/// Crates a generated manager package depends on by name. The package's library is named
/// after the project (src/lib.rs, so that tests/ can run the controllers), and a library with
/// the name of a dependency makes every `use` of that dependency ambiguous (E0464).
const GENERATED_DEPENDENCIES: &[&str] = &[
    "anyhow",
    "clap",
    "k8s_openapi",
    "krb",
    "kube",
    "serde_json",
    "thiserror",
    "tokio",
    "tracing",
];

fn check_project_name(name: &str) -> Result<(), Violation> {
    dns1123_label(name)?;
    let reason = if name.starts_with(|c: char| c.is_ascii_digit()) {
        Some("it starts with a digit")
    } else if LOWERCASE_KEYWORDS.contains(&name) {
        Some("it is a Rust keyword")
    } else if name == "test" {
        Some("it conflicts with Rust's built-in test library")
    } else if ["core", "std", "alloc", "proc-macro"].contains(&name) {
        Some("it is the name of a Rust standard-library crate")
    } else if ["build", "deps", "examples", "incremental"].contains(&name) {
        Some("it conflicts with Cargo's build directory names")
    } else if GENERATED_DEPENDENCIES.contains(&name.replace('-', "_").as_str()) {
        Some("the generated manager depends on a crate of that name")
    } else if is_windows_reserved(name) {
        Some("it is a reserved file name on Windows")
    } else {
        None
    };
    match reason {
        Some(reason) => Err(Violation::Cargo { reason }),
        None => Ok(()),
    }
}

fn is_windows_reserved(name: &str) -> bool {
    if ["con", "prn", "aux", "nul"].contains(&name) {
        return true;
    }
    ["com", "lpt"].into_iter().any(|prefix| {
        name.strip_prefix(prefix)
            .is_some_and(|n| n.len() == 1 && matches!(n.as_bytes()[0], b'1'..=b'9'))
    })
}

/// Validates the domain (`--domain`): a non-empty DNS-1123 subdomain. The API group of each
/// resource is `<group>.<domain>`.
///
/// Accepted: `example.com`, `my.domain`, `tutorial.kubebuilder.io`. Rejected: `Example.com`,
/// `example_com`, `example..com`, `.example.com`, `""`.
pub fn validate_domain(domain: &str) -> Result<(), NameError> {
    dns1123_subdomain(domain).map_err(|v| NameError::new(NameField::Domain, domain, v))
}

/// The fully qualified API group, as kubebuilder's `GVK.QualifiedGroup`: `<group>.<domain>`,
/// or whichever of the two is not empty.
pub fn qualified_group(group: &str, domain: &str) -> String {
    match (group.is_empty(), domain.is_empty()) {
        (_, true) => group.to_string(),
        (true, false) => domain.to_string(),
        (false, false) => format!("{group}.{domain}"),
    }
}

/// kubebuilder's default plural of a kind (`resource.RegularPlural`): [`pluralize`] of the
/// lowercased kind. `CronJob` -> `cronjobs`, `NetworkPolicy` -> `networkpolicies`,
/// `Index` -> `indices`.
pub fn regular_plural(kind: &str) -> String {
    pluralize(&kind.to_lowercase())
}

/// The lowercased kind kubebuilder uses in file names, RBAC role names and controller names:
/// `CronJob` -> `cronjob`.
pub fn lower_kind(kind: &str) -> String {
    kind.to_lowercase()
}

/// Converts a name to snake_case for Rust identifiers, splitting words the way the `heck`
/// crate does: at non-alphanumeric characters, before an uppercase letter that follows a
/// lowercase letter (digits keep the case of the letter before them), and before the last
/// capital of an acronym followed by a lowercase letter.
///
/// `CronJob` -> `cron_job`, `HTTPRoute` -> `http_route`, `Pod2Template` -> `pod2_template`,
/// `my-operator` -> `my_operator`.
pub fn to_snake_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for word in s.split(|c: char| !c.is_alphanumeric()) {
        let chars: Vec<char> = word.chars().collect();
        // Whether the last cased character seen in this word was uppercase (None: none yet).
        let mut last_upper: Option<bool> = None;
        for (i, &c) in chars.iter().enumerate() {
            let next = chars.get(i + 1).copied();
            let boundary_before = i > 0
                && c.is_uppercase()
                && (last_upper == Some(false)
                    || (last_upper == Some(true) && next.is_some_and(char::is_lowercase)));
            if (i == 0 || boundary_before) && !out.is_empty() {
                out.push('_');
            }
            out.extend(c.to_lowercase());
            if c.is_lowercase() {
                last_upper = Some(false);
            } else if c.is_uppercase() {
                last_upper = Some(true);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests;
