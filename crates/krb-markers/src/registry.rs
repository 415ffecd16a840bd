//! The typed catalogue of markers: controller-gen's names, argument types and targets.

use std::sync::OnceLock;

use crate::grammar::{self, ArgType, Value};

/// What a marker describes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// A package / crate (RBAC, webhooks, groupName): any `//` comment.
    Package,
    /// A type declaration (struct, enum, alias), in its doc comment.
    Type,
    /// A struct field, in its doc comment.
    Field,
}

impl Target {
    fn describe(self) -> &'static str {
        match self {
            Target::Package => "a crate (package) marker",
            Target::Type => "a type",
            Target::Field => "a field",
        }
    }
}

/// One argument of a struct marker.
#[derive(Clone, Copy, Debug)]
pub struct Arg {
    /// Argument name as written in the marker.
    pub name: &'static str,
    /// Its type.
    pub ty: ArgType,
    /// May it be left out?
    pub optional: bool,
}

/// The shape of a marker's arguments.
#[derive(Clone, Copy, Debug)]
pub enum Kind {
    /// `+name`.
    Flag,
    /// `+name=value`.
    Anon(ArgType),
    /// `+name:arg=v,arg=v`.
    Struct(&'static [Arg]),
}

/// A marker definition.
#[derive(Clone, Debug)]
pub struct Def {
    /// Full name without the `+`.
    pub name: String,
    /// Where it may appear.
    pub targets: Vec<Target>,
    /// Argument shape.
    pub kind: Kind,
}

/// A parsed marker value.
#[derive(Clone, Debug, PartialEq)]
pub enum MarkerValue {
    /// A flag marker.
    Flag,
    /// The value of an anonymous marker.
    Anon(Value),
    /// The arguments of a struct marker, in source order.
    Args(Vec<(String, Value)>),
}

/// A marker parsed against the catalogue.
#[derive(Clone, Debug, PartialEq)]
pub struct Marker {
    /// The definition's name (e.g. `kubebuilder:validation:Minimum`).
    pub name: String,
    /// Its value.
    pub value: MarkerValue,
    /// Where it was written.
    pub loc: crate::Loc,
}

impl Marker {
    /// A struct argument by name.
    pub fn arg(&self, name: &str) -> Option<&Value> {
        match &self.value {
            MarkerValue::Args(a) => a.iter().find(|(n, _)| n == name).map(|(_, v)| v),
            _ => None,
        }
    }

    /// A string struct argument.
    pub fn str_arg(&self, name: &str) -> Option<String> {
        self.arg(name).and_then(Value::as_str).map(str::to_owned)
    }

    /// A list-of-strings struct argument.
    pub fn list_arg(&self, name: &str) -> Vec<String> {
        self.arg(name).map(Value::as_strings).unwrap_or_default()
    }

    /// The anonymous value.
    pub fn anon(&self) -> Option<&Value> {
        match &self.value {
            MarkerValue::Anon(v) => Some(v),
            _ => None,
        }
    }
}

const STR: ArgType = ArgType::String;
const STRS: ArgType = ArgType::Slice(&ArgType::String);

const fn req(name: &'static str, ty: ArgType) -> Arg {
    Arg {
        name,
        ty,
        optional: false,
    }
}
const fn opt(name: &'static str, ty: ArgType) -> Arg {
    Arg {
        name,
        ty,
        optional: true,
    }
}

const XVALIDATION: &[Arg] = &[
    req("rule", STR),
    opt("message", STR),
    opt("messageExpression", STR),
    opt("reason", STR),
    opt("fieldPath", STR),
    opt("optionalOldSelf", ArgType::Bool),
];
const RBAC: &[Arg] = &[
    opt("groups", STRS),
    opt("resources", STRS),
    opt("resourceNames", STRS),
    req("verbs", STRS),
    opt("urls", STRS),
    opt("namespace", STR),
    opt("roleName", STR),
];
const WEBHOOK: &[Arg] = &[
    req("mutating", ArgType::Bool),
    req("failurePolicy", STR),
    opt("matchPolicy", STR),
    opt("sideEffects", STR),
    opt("timeoutSeconds", ArgType::Int),
    req("groups", STRS),
    req("resources", STRS),
    req("verbs", STRS),
    req("versions", STRS),
    req("name", STR),
    opt("path", STR),
    opt("url", STR),
    opt("serviceName", STR),
    opt("serviceNamespace", STR),
    opt("servicePort", ArgType::Int),
    req("admissionReviewVersions", STRS),
    opt("reinvocationPolicy", STR),
    opt("webhookVersions", STRS),
    opt("patch", STR),
];
const WEBHOOK_CONFIG: &[Arg] = &[req("mutating", ArgType::Bool), opt("name", STR)];
const RESOURCE: &[Arg] = &[
    opt("path", STR),
    opt("shortName", STRS),
    opt("categories", STRS),
    opt("singular", STR),
    opt("scope", STR),
];
const SCALE: &[Arg] = &[
    req("specpath", STR),
    req("statuspath", STR),
    opt("selectorpath", STR),
];
const PRINTCOLUMN: &[Arg] = &[
    req("name", STR),
    req("type", STR),
    req("JSONPath", STR),
    opt("description", STR),
    opt("format", STR),
    opt("priority", ArgType::Int),
];
const DEPRECATED: &[Arg] = &[opt("warning", STR)];
const METADATA: &[Arg] = &[opt("annotations", STRS), opt("labels", STRS)];
const SELECTABLE: &[Arg] = &[req("JSONPath", STR)];
const EXTERNAL_DOCS: &[Arg] = &[req("url", STR), opt("description", STR)];

/// The validation markers that also exist as `kubebuilder:validation:items:<Name>`.
const VALIDATION: &[(&str, Kind)] = &[
    ("Maximum", Kind::Anon(ArgType::Number)),
    ("Minimum", Kind::Anon(ArgType::Number)),
    ("ExclusiveMaximum", Kind::Anon(ArgType::Bool)),
    ("ExclusiveMinimum", Kind::Anon(ArgType::Bool)),
    ("MultipleOf", Kind::Anon(ArgType::Number)),
    ("MaxLength", Kind::Anon(ArgType::Int)),
    ("MinLength", Kind::Anon(ArgType::Int)),
    ("Pattern", Kind::Anon(ArgType::String)),
    ("MaxItems", Kind::Anon(ArgType::Int)),
    ("MinItems", Kind::Anon(ArgType::Int)),
    ("UniqueItems", Kind::Anon(ArgType::Bool)),
    ("MaxProperties", Kind::Anon(ArgType::Int)),
    ("MinProperties", Kind::Anon(ArgType::Int)),
    ("Enum", Kind::Anon(ArgType::Slice(&ArgType::Any))),
    ("Format", Kind::Anon(ArgType::String)),
    ("Type", Kind::Anon(ArgType::String)),
    ("XPreserveUnknownFields", Kind::Flag),
    ("XEmbeddedResource", Kind::Flag),
    ("XIntOrString", Kind::Flag),
    ("XValidation", Kind::Struct(XVALIDATION)),
];

fn build() -> Vec<Def> {
    use Target::{Field as F, Package as P, Type as T};
    let mut defs = Vec::new();
    let mut add = |name: &str, targets: &[Target], kind: Kind| {
        defs.push(Def {
            name: name.to_owned(),
            targets: targets.to_vec(),
            kind,
        });
    };
    for (n, k) in VALIDATION {
        add(&format!("kubebuilder:validation:{n}"), &[F, T], *k);
        add(&format!("kubebuilder:validation:items:{n}"), &[F, T], *k);
    }
    // field-only
    // Field only: controller-gen's package-level form (every field of a Go package optional
    // or required by default) has no Rust equivalent, and accepting it without applying it
    // would be silent. A crate-level use is reported as misplaced.
    add("kubebuilder:validation:Required", &[F], Kind::Flag);
    add("kubebuilder:validation:Optional", &[F], Kind::Flag);
    for n in [
        "required",
        "optional",
        "k8s:required",
        "k8s:optional",
        "nullable",
        "k8s:immutable",
    ] {
        add(n, &[F], Kind::Flag);
    }
    // Kubernetes declarative-validation aliases
    add("k8s:maxItems", &[F], Kind::Anon(ArgType::Int));
    add("k8s:minimum", &[F], Kind::Anon(ArgType::Number));
    add("k8s:maximum", &[F], Kind::Anon(ArgType::Number));
    add("kubebuilder:default", &[F], Kind::Anon(ArgType::Any));
    add("default", &[F], Kind::Anon(ArgType::Raw));
    add("kubebuilder:example", &[F], Kind::Anon(ArgType::Any));
    add("kubebuilder:validation:Schemaless", &[F], Kind::Flag);
    add("kubebuilder:validation:EmbeddedResource", &[F], Kind::Flag);
    // type-only
    for n in ["AtMostOneOf", "ExactlyOneOf", "AtLeastOneOf"] {
        add(
            &format!("kubebuilder:validation:{n}"),
            &[T],
            Kind::Anon(STRS),
        );
    }
    add("k8s:enum", &[T], Kind::Flag);
    // topology
    for n in [
        "listType",
        "k8s:listType",
        "listMapKey",
        "k8s:listMapKey",
        "mapType",
        "structType",
    ] {
        add(n, &[F, T], Kind::Anon(STR));
    }
    add(
        "kubebuilder:pruning:PreserveUnknownFields",
        &[F, T],
        Kind::Flag,
    );
    add("kubebuilder:title", &[F, T], Kind::Anon(ArgType::Any));
    add(
        "kubebuilder:externalDocs",
        &[F, T],
        Kind::Struct(EXTERNAL_DOCS),
    );
    // CRD (on the Kind)
    add("kubebuilder:resource", &[T], Kind::Struct(RESOURCE));
    add("kubebuilder:subresource:status", &[T], Kind::Flag);
    add("kubebuilder:subresource:scale", &[T], Kind::Struct(SCALE));
    add("kubebuilder:printcolumn", &[T], Kind::Struct(PRINTCOLUMN));
    add("kubebuilder:storageversion", &[T], Kind::Flag);
    add("kubebuilder:unservedversion", &[T], Kind::Flag);
    add(
        "kubebuilder:deprecatedversion",
        &[T],
        Kind::Struct(DEPRECATED),
    );
    add("kubebuilder:skipversion", &[T], Kind::Flag);
    add("kubebuilder:metadata", &[T], Kind::Struct(METADATA));
    add(
        "kubebuilder:selectablefield",
        &[T],
        Kind::Struct(SELECTABLE),
    );
    add("kubebuilder:object:root", &[T], Kind::Anon(ArgType::Bool));
    add(
        "kubebuilder:object:generate",
        &[T, P],
        Kind::Anon(ArgType::Bool),
    );
    add(
        "kubebuilder:ac:generate",
        &[T, P],
        Kind::Anon(ArgType::Bool),
    );
    add("kubebuilder:docs-gen:collapse", &[T, F, P], Kind::Anon(STR));
    // package
    add("groupName", &[P], Kind::Anon(STR));
    add("versionName", &[P], Kind::Anon(STR));
    add("kubebuilder:skip", &[P], Kind::Flag);
    add("kubebuilder:ac:output:package", &[P], Kind::Anon(STR));
    add("kubebuilder:rbac", &[P], Kind::Struct(RBAC));
    add("kubebuilder:webhook", &[P], Kind::Struct(WEBHOOK));
    add(
        "kubebuilder:webhookconfiguration",
        &[P],
        Kind::Struct(WEBHOOK_CONFIG),
    );
    defs
}

/// Every marker krb knows.
pub fn all() -> &'static [Def] {
    static DEFS: OnceLock<Vec<Def>> = OnceLock::new();
    DEFS.get_or_init(build)
}

/// Look a marker definition up by its full name.
pub fn lookup(name: &str) -> Option<&'static Def> {
    all().iter().find(|d| d.name == name)
}

/// Is `name` in a namespace where krb reports unknown markers?
fn strict_namespace(name: &str) -> bool {
    name.starts_with("kubebuilder:")
}

/// The body of a comment line if it is a marker: `+` followed by a letter.
/// Returns the byte offset of the `+` in `line`.
pub fn marker_in_line(line: &str) -> Option<(usize, &str)> {
    let trimmed = line.trim_start();
    let offset = line.len() - trimmed.len();
    let mut chars = trimmed.chars();
    if chars.next() == Some('+') && chars.next().is_some_and(|c| c.is_ascii_alphabetic()) {
        Some((offset, trimmed.trim_end()))
    } else {
        None
    }
}

/// The outcome of parsing one marker text.
#[derive(Debug)]
pub enum Parsed {
    /// A known marker.
    Known(&'static Def, MarkerValue),
    /// Not ours (e.g. `+genclient`, `+k8s:openapi-gen=true`): ignored.
    Foreign,
    /// An error at a byte offset of the marker text.
    Error(usize, String),
    /// An unknown `kubebuilder:` marker (the message says so, with a suggestion).
    Unknown(String),
    /// A known marker that belongs to another kind of place (a package marker on a type, or
    /// a type/field marker in a plain comment).
    Elsewhere(&'static Def),
}

/// Levenshtein distance on lowercase text; a pure case difference counts 1.
fn distance(a: &str, b: &str) -> usize {
    let (la, lb) = (a.to_lowercase(), b.to_lowercase());
    let a: Vec<char> = la.chars().collect();
    let b: Vec<char> = lb.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The known marker closest to `name`, if close enough to be a typo.
pub fn suggest(name: &str) -> Option<&'static str> {
    let mut best: Option<(usize, &'static str)> = None;
    for d in all() {
        let mut dist = distance(name, &d.name);
        if dist == 0 && name != d.name {
            dist = 1;
        }
        if best.is_none_or(|(b, _)| dist < b) {
            best = Some((dist, &d.name));
        }
    }
    let (dist, n) = best?;
    let limit = (name.len() / 5).clamp(2, 4);
    (dist > 0 && dist <= limit).then_some(n)
}

/// Parse a marker (`raw` starts with `+`) for `target`.
pub fn parse(raw: &str, target: Target) -> Parsed {
    let (name, anon, rest, rest_offset) = grammar::split_marker(raw);
    if anon.starts_with("kubebuilder:scaffold:") || name.starts_with("kubebuilder:scaffold") {
        return Parsed::Foreign;
    }
    let (def, fields, fields_offset) = if let Some(d) = lookup(anon) {
        (d, rest.to_owned(), rest_offset)
    } else if let Some(d) =
        lookup(name).filter(|d| matches!(d.kind, Kind::Struct(_)) && name != anon)
    {
        // `+a:b:c=v,...` with struct `a:b`: `c=v,...` are the fields.
        (d, raw[1 + name.len() + 1..].to_owned(), 1 + name.len() + 1)
    } else if let Some(d) = lookup(name).filter(|_| name != anon && anon.ends_with(':')) {
        (d, rest.to_owned(), rest_offset)
    } else {
        if strict_namespace(anon) || all().iter().any(|d| d.name.eq_ignore_ascii_case(anon)) {
            let struct_hint = suggest(name).filter(|s| {
                lookup(s).is_some_and(|d| matches!(d.kind, Kind::Struct(_))) && name != anon
            });
            let msg = match (suggest(anon), struct_hint) {
                (Some(s), _) => format!("unknown marker +{anon}, did you mean +{s}?"),
                (None, Some(s)) => format!("unknown marker +{name}, did you mean +{s}?"),
                (None, None) => format!("unknown marker +{anon}"),
            };
            return Parsed::Unknown(msg);
        }
        return Parsed::Foreign;
    };
    if !def.targets.contains(&target) {
        if target == Target::Package || def.targets.contains(&Target::Package) {
            return Parsed::Elsewhere(def);
        }
        let allowed: Vec<&str> = def.targets.iter().map(|t| t.describe()).collect();
        return Parsed::Error(
            1,
            format!(
                "marker +{} cannot be used on {}; it applies to {}",
                def.name,
                target.describe(),
                allowed.join(" or ")
            ),
        );
    }
    let value = match def.kind {
        Kind::Flag => {
            if !fields.trim().is_empty() {
                return Parsed::Error(
                    fields_offset,
                    format!("marker +{} takes no value", def.name),
                );
            }
            MarkerValue::Flag
        }
        Kind::Anon(ty) => {
            if fields.trim().is_empty()
                && !matches!(ty, ArgType::String | ArgType::Raw | ArgType::Any)
            {
                return Parsed::Error(
                    raw.len(),
                    format!(
                        "marker +{} needs a value ({ty}), e.g. +{}=<value>",
                        def.name, def.name
                    ),
                );
            }
            match grammar::parse_value(&fields, ty) {
                Ok(v) => MarkerValue::Anon(v),
                Err(e) => {
                    return Parsed::Error(
                        fields_offset + e.offset,
                        format!("invalid value for +{} ({ty}): {}", def.name, e.message),
                    );
                }
            }
        }
        Kind::Struct(args) => {
            let lookup_arg = |n: &str| args.iter().find(|a| a.name == n).map(|a| a.ty);
            match grammar::parse_args(&fields, &lookup_arg) {
                Ok(vals) => {
                    for a in args {
                        if !a.optional && !vals.iter().any(|(n, _, _)| n == a.name) {
                            return Parsed::Error(
                                0,
                                format!("marker +{} is missing argument {:?}", def.name, a.name),
                            );
                        }
                    }
                    MarkerValue::Args(vals.into_iter().map(|(n, v, _)| (n, v)).collect())
                }
                Err(e) => {
                    let mut msg = format!("invalid arguments for +{}: {}", def.name, e.message);
                    if e.message.starts_with("unknown argument") {
                        let known: Vec<&str> = args.iter().map(|a| a.name).collect();
                        msg.push_str(&format!(" (known: {})", known.join(", ")));
                    }
                    return Parsed::Error(fields_offset + e.offset, msg);
                }
            }
        }
    };
    Parsed::Known(def, value)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(raw: &str, target: Target) -> (usize, String) {
        match parse(raw, target) {
            Parsed::Error(o, m) => (o, m),
            Parsed::Unknown(m) => (1, m),
            other => panic!("expected an error for {raw}, got {other:?}"),
        }
    }

    fn known(raw: &str, target: Target) -> (String, MarkerValue) {
        match parse(raw, target) {
            Parsed::Known(d, v) => (d.name.clone(), v),
            other => panic!("expected a marker for {raw}, got {other:?}"),
        }
    }

    #[test]
    fn forms() {
        assert_eq!(
            known("+optional", Target::Field),
            ("optional".into(), MarkerValue::Flag)
        );
        assert_eq!(
            known("+kubebuilder:validation:Minimum=0", Target::Field),
            (
                "kubebuilder:validation:Minimum".into(),
                MarkerValue::Anon(Value::Num(0.0))
            )
        );
        assert_eq!(
            known("+kubebuilder:validation:Pattern:=`^a,b$`", Target::Field).1,
            MarkerValue::Anon(Value::Str("^a,b$".into()))
        );
        assert_eq!(
            known("+kubebuilder:default:={}", Target::Field).1,
            MarkerValue::Anon(Value::Map(vec![]))
        );
        assert_eq!(
            known("+listType=map", Target::Field),
            (
                "listType".into(),
                MarkerValue::Anon(Value::Str("map".into()))
            )
        );
        let (n, v) = known(
            r#"+kubebuilder:printcolumn:name="Age",type=date,JSONPath=".metadata.creationTimestamp""#,
            Target::Type,
        );
        assert_eq!(n, "kubebuilder:printcolumn");
        let MarkerValue::Args(a) = v else { panic!() };
        assert_eq!(a.len(), 3);
        let (n, _) = known(
            "+kubebuilder:rbac:groups=apps,resources=deployments,verbs=get;list",
            Target::Package,
        );
        assert_eq!(n, "kubebuilder:rbac");
        let (n, v) = known("+kubebuilder:deprecatedversion", Target::Type);
        assert_eq!(
            (n.as_str(), v),
            ("kubebuilder:deprecatedversion", MarkerValue::Args(vec![]))
        );
        let (n, _) = known("+kubebuilder:validation:items:MaxLength=5", Target::Field);
        assert_eq!(n, "kubebuilder:validation:items:MaxLength");
        let (_, v) = known(
            "+kubebuilder:validation:Enum=Allow;Forbid;Replace",
            Target::Type,
        );
        assert_eq!(
            v,
            MarkerValue::Anon(Value::List(vec![
                Value::Str("Allow".into()),
                Value::Str("Forbid".into()),
                Value::Str("Replace".into())
            ]))
        );
    }

    #[test]
    fn unknown_and_misspelled() {
        let (_, m) = err("+kubebuilder:validation:Minimun=0", Target::Field);
        assert_eq!(
            m,
            "unknown marker +kubebuilder:validation:Minimun, did you mean +kubebuilder:validation:Minimum?"
        );
        let (_, m) = err("+kubebuilder:validation:enum=a;b", Target::Field);
        assert_eq!(
            m,
            "unknown marker +kubebuilder:validation:enum, did you mean +kubebuilder:validation:Enum?"
        );
        let (_, m) = err(
            "+kubebuilder:printcolum:name=x,type=string,JSONPath=.a",
            Target::Type,
        );
        assert!(m.contains("did you mean +kubebuilder:printcolumn?"), "{m}");
        let (_, m) = err("+kubebuilder:frobnicate", Target::Type);
        assert_eq!(m, "unknown marker +kubebuilder:frobnicate");
        assert!(matches!(parse("+genclient", Target::Type), Parsed::Foreign));
        assert!(matches!(
            parse("+k8s:openapi-gen=true", Target::Type),
            Parsed::Foreign
        ));
        assert!(matches!(
            parse("+kubebuilder:scaffold:imports", Target::Package),
            Parsed::Foreign
        ));
    }

    #[test]
    fn wrong_types_and_targets() {
        let (o, m) = err("+kubebuilder:validation:MaxLength=ten", Target::Field);
        assert_eq!(
            m,
            r#"invalid value for +kubebuilder:validation:MaxLength (int): expected integer, got "ten""#
        );
        assert_eq!(o, "+kubebuilder:validation:MaxLength=".len());
        let (_, m) = err("+kubebuilder:validation:Minimum", Target::Field);
        assert!(m.contains("needs a value"), "{m}");
        let (_, m) = err("+kubebuilder:printcolumn:name=x", Target::Type);
        assert_eq!(
            m,
            r#"marker +kubebuilder:printcolumn is missing argument "type""#
        );
        let (o, m) = err("+kubebuilder:rbac:groups=apps,verb=get", Target::Package);
        assert!(
            m.starts_with(r#"invalid arguments for +kubebuilder:rbac: unknown argument "verb""#),
            "{m}"
        );
        assert_eq!(o, "+kubebuilder:rbac:groups=apps,".len());
        let (_, m) = err(
            "+kubebuilder:printcolumn:name=x,type=y,JSONPath=z",
            Target::Field,
        );
        assert!(m.contains("cannot be used on a field"), "{m}");
        let (_, m) = err("+kubebuilder:subresource:status=true", Target::Type);
        assert!(m.contains("takes no value"), "{m}");
    }

    #[test]
    fn marker_lines() {
        assert_eq!(marker_in_line(" +optional"), Some((1, "+optional")));
        assert_eq!(marker_in_line(" + a list item"), None);
        assert_eq!(marker_in_line(" text +x"), None);
    }
}
