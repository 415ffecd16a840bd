//! CustomResourceDefinitions: one per group and kind, a version per `#[kube(version)]`.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::schema::{Engine, Schema};
use crate::source::{self, ItemKind, Project, Resolved};
use crate::{Diagnostics, Loc, Options};

/// A generated CRD.
#[derive(Debug)]
pub struct Crd {
    /// `<group>_<plural>.yaml`.
    pub file_name: String,
    /// The object.
    pub object: Value,
}

const API_VERSION_DESC: &str = "APIVersion defines the versioned schema of this representation of an object.\nServers should convert recognized schemas to the latest internal value, and\nmay reject unrecognized values.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources";
const KIND_DESC: &str = "Kind is a string value representing the REST resource this object represents.\nServers may infer this from the endpoint the client submits requests to.\nCannot be updated.\nIn CamelCase.\nMore info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds";

/// Markers that only mean something on the struct deriving `CustomResource`.
const KIND_ONLY: &[&str] = &[
    "kubebuilder:resource",
    "kubebuilder:subresource:status",
    "kubebuilder:subresource:scale",
    "kubebuilder:printcolumn",
    "kubebuilder:storageversion",
    "kubebuilder:unservedversion",
    "kubebuilder:deprecatedversion",
    "kubebuilder:skipversion",
    "kubebuilder:metadata",
    "kubebuilder:selectablefield",
];

/// `#[kube(...)]` of a CustomResource.
#[derive(Debug, Default)]
pub(crate) struct KubeAttrs {
    pub(crate) group: Option<String>,
    pub(crate) version: Option<String>,
    pub(crate) kind: Option<String>,
    /// `#[kube(root = "...")]`: the name of the generated root struct (default: the kind).
    pub(crate) root: Option<String>,
    plural: Option<String>,
    singular: Option<String>,
    namespaced: bool,
    status: Option<String>,
    doc: Option<String>,
    shortnames: Vec<String>,
    categories: Vec<String>,
    printcolumns: Vec<String>,
    selectable: Vec<String>,
    /// (specReplicasPath, statusReplicasPath, labelSelectorPath)
    scale: Option<(String, String, Option<String>)>,
    annotations: Vec<(String, String)>,
    labels: Vec<(String, String)>,
    deprecated: Option<Option<String>>,
    served: Option<bool>,
    storage: Option<bool>,
}

pub(crate) fn kube_attrs(attrs: &[syn::Attribute]) -> syn::Result<KubeAttrs> {
    let mut k = KubeAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("kube")) {
        attr.parse_nested_meta(|meta| {
            let name = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            if meta.input.peek(syn::Token![=]) {
                let expr: syn::Expr = meta.value()?.parse()?;
                let s = match &expr {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Str(s),
                        ..
                    }) => Some(s.value()),
                    _ => None,
                };
                let b = match &expr {
                    syn::Expr::Lit(syn::ExprLit {
                        lit: syn::Lit::Bool(b),
                        ..
                    }) => Some(b.value),
                    _ => None,
                };
                match name.as_str() {
                    "group" => k.group = s,
                    "version" => k.version = s,
                    "kind" => k.kind = s,
                    "root" => k.root = s,
                    "plural" => k.plural = s,
                    "singular" => k.singular = s,
                    "status" => k.status = s,
                    "doc" => k.doc = s,
                    "shortname" => k.shortnames.extend(s),
                    "category" => k.categories.extend(s),
                    "printcolumn" => k.printcolumns.extend(s),
                    "selectable" => k.selectable.extend(s),
                    "deprecated" => k.deprecated = Some(s),
                    "served" => k.served = b,
                    "storage" => k.storage = b,
                    "scale" => {
                        if let Some(json) = s.and_then(|j| serde_json::from_str::<Value>(&j).ok()) {
                            let get = |key: &str| {
                                json.get(key).and_then(Value::as_str).map(str::to_owned)
                            };
                            k.scale = Some((
                                get("specReplicasPath").unwrap_or_default(),
                                get("statusReplicasPath").unwrap_or_default(),
                                get("labelSelectorPath"),
                            ));
                        }
                    }
                    _ => {}
                }
            } else if meta.input.peek(syn::token::Paren) {
                match name.as_str() {
                    "scale" => {
                        let (mut spec, mut status, mut selector) =
                            (String::new(), String::new(), None);
                        meta.parse_nested_meta(|inner| {
                            let v: syn::LitStr = inner.value()?.parse()?;
                            if inner.path.is_ident("spec_replicas_path") {
                                spec = v.value();
                            } else if inner.path.is_ident("status_replicas_path") {
                                status = v.value();
                            } else if inner.path.is_ident("label_selector_path") {
                                selector = Some(v.value());
                            }
                            Ok(())
                        })?;
                        k.scale = Some((spec, status, selector));
                    }
                    "annotation" | "label" => {
                        let content;
                        syn::parenthesized!(content in meta.input);
                        let key: syn::LitStr = content.parse()?;
                        let _: syn::Token![,] = content.parse()?;
                        let value: syn::LitStr = content.parse()?;
                        let list = if name == "annotation" {
                            &mut k.annotations
                        } else {
                            &mut k.labels
                        };
                        list.push((key.value(), value.value()));
                    }
                    _ => {
                        let content;
                        syn::parenthesized!(content in meta.input);
                        let _: proc_macro2::TokenStream = content.parse()?;
                    }
                }
            } else if name == "deprecated" {
                k.deprecated = Some(None);
            } else if name == "namespaced" {
                k.namespaced = true;
            }
            Ok(())
        })?;
    }
    Ok(k)
}

pub(crate) fn derives(attrs: &[syn::Attribute], what: &str) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
            let mut found = false;
            let _ = a.parse_nested_meta(|meta| {
                if meta.path.segments.last().is_some_and(|s| s.ident == what) {
                    found = true;
                }
                Ok(())
            });
            found
        })
}

/// kube-derive's pluralizer (the plural kube uses at run time when none is given).
pub fn to_plural(word: &str) -> String {
    if word.ends_with('s')
        || word.ends_with('x')
        || word.ends_with('z')
        || word.ends_with("ch")
        || word.ends_with("sh")
    {
        return format!("{word}es");
    }
    if word.ends_with('y')
        && let Some(c) = word.chars().rev().nth(1)
        && !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
    {
        return format!("{}ies", &word[..word.len() - 1]);
    }
    format!("{word}s")
}

struct Version {
    name: String,
    loc: Loc,
    storage: bool,
    entry: Map<String, Value>,
}

struct KindCrd {
    group: String,
    kind: String,
    plural: String,
    singular: String,
    scope: String,
    short_names: Vec<String>,
    categories: Vec<String>,
    annotations: BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
    versions: Vec<Version>,
}

fn truncate(desc: &str, max: usize) -> String {
    if desc.len() <= max {
        return desc.to_owned();
    }
    let mut cut = max;
    while !desc.is_char_boundary(cut) {
        cut -= 1;
    }
    let head = &desc[..cut];
    if let Some(i) = head.rfind(['.', '!', '?', '。', '！', '？']) {
        let end = i + head[i..].chars().next().map_or(1, char::len_utf8);
        return head[..end].to_owned();
    }
    if let Some(i) = head.rfind(char::is_whitespace).filter(|i| *i > 0) {
        return format!("{}...", &head[..i]);
    }
    format!("{head}...")
}

fn limit_descriptions(node: &mut Value, max: usize) {
    let Value::Object(m) = node else { return };
    if max == 0 {
        m.remove("description");
    } else if let Some(Value::String(d)) = m.get_mut("description") {
        *d = truncate(d, max);
    }
    if let Some(Value::Object(props)) = m.get_mut("properties") {
        for p in props.values_mut() {
            limit_descriptions(p, max);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(v) = m.get_mut(key) {
            limit_descriptions(v, max);
        }
    }
    for key in ["anyOf", "allOf", "oneOf"] {
        if let Some(Value::Array(a)) = m.get_mut(key) {
            for v in a {
                limit_descriptions(v, max);
            }
        }
    }
}

fn key_values(
    list: &[String],
    what: &str,
    loc: &Loc,
    diags: &mut Diagnostics,
    out: &mut BTreeMap<String, String>,
) {
    for kv in list {
        match kv.split_once('=') {
            Some((k, v)) => {
                out.insert(k.to_owned(), v.to_owned());
            }
            None => diags.push(
                loc,
                format!("+kubebuilder:metadata {what} must be key=value, got {kv:?}"),
            ),
        }
    }
}

/// Build every CRD of the project.
pub fn generate(project: &Project, opts: &Options, diags: &mut Diagnostics) -> Vec<Crd> {
    let mut engine = Engine::new(project);
    let mut kinds: BTreeMap<(String, String), KindCrd> = BTreeMap::new();
    for (idx, item) in project.items.iter().enumerate() {
        if let Some(m) = item.docs.get("k8s:enum")
            && !matches!(item.kind, ItemKind::Enum(_))
        {
            diags.push(
                &m.loc,
                "+k8s:enum: in Rust, write an enum of unit variants (it becomes a string enum)",
            );
        }
        let ItemKind::Struct(s) = &item.kind else {
            for m in &item.docs.markers {
                if KIND_ONLY.contains(&m.name.as_str()) {
                    diags.push(
                        &m.loc,
                        format!(
                            "+{} only applies to the struct that derives CustomResource",
                            m.name
                        ),
                    );
                }
            }
            continue;
        };
        if !derives(&s.attrs, "CustomResource") {
            for m in &item.docs.markers {
                if KIND_ONLY.contains(&m.name.as_str()) {
                    diags.push(
                        &m.loc,
                        format!(
                            "+{} only applies to the struct that derives CustomResource",
                            m.name
                        ),
                    );
                }
            }
            continue;
        }
        let loc = item.docs.loc.clone();
        let ka = match kube_attrs(&s.attrs) {
            Ok(k) => k,
            Err(e) => {
                diags.push(
                    &source::span_loc(&item.path, e.span()),
                    format!("cannot read #[kube(...)]: {e}"),
                );
                continue;
            }
        };
        let (Some(group), Some(version), Some(kind)) =
            (ka.group.clone(), ka.version.clone(), ka.kind.clone())
        else {
            diags.push(&loc, "#[kube(...)] needs group, version and kind");
            continue;
        };
        let docs = &item.docs;
        let mut singular = ka
            .singular
            .clone()
            .unwrap_or_else(|| kind.to_ascii_lowercase());
        let mut plural = ka.plural.clone().unwrap_or_else(|| to_plural(&singular));
        let mut scope = if ka.namespaced {
            "Namespaced"
        } else {
            "Cluster"
        }
        .to_owned();
        let mut short_names = ka.shortnames.clone();
        let mut categories = ka.categories.clone();
        if let Some(r) = docs.get("kubebuilder:resource") {
            if let Some(p) = r.str_arg("path") {
                if ka.plural.as_ref().is_some_and(|kp| *kp != p) {
                    diags.push(
                        &r.loc,
                        format!("+kubebuilder:resource path={p} disagrees with #[kube(plural)]"),
                    );
                }
                plural = p;
            }
            if let Some(sg) = r.str_arg("singular") {
                singular = sg;
            }
            if let Some(sc) = r.str_arg("scope") {
                let sc = if sc.is_empty() {
                    "Namespaced".to_owned()
                } else {
                    sc
                };
                if sc != scope {
                    diags.push(
                        &r.loc,
                        format!("+kubebuilder:resource scope={sc} disagrees with #[kube(...)] ({scope}); add or remove #[kube(namespaced)]"),
                    );
                }
                scope = sc;
            }
            short_names.extend(r.list_arg("shortName"));
            categories.extend(r.list_arg("categories"));
        }
        if plural != plural.to_ascii_lowercase() {
            diags.push(&loc, format!("plural {plural:?} must be lowercase"));
        }
        // schema
        let Some(mut spec) = engine.named(idx, &loc) else {
            continue;
        };
        let mut props = Map::new();
        props.insert(
            "apiVersion".into(),
            json!({"description": API_VERSION_DESC, "type": "string"}),
        );
        props.insert(
            "kind".into(),
            json!({"description": KIND_DESC, "type": "string"}),
        );
        props.insert("metadata".into(), json!({"type": "object"}));
        spec.remove("x-krb-float");
        props.insert("spec".into(), Value::Object(spec));
        if let Some(st) = &ka.status {
            let status = match syn::parse_str::<syn::Path>(st) {
                Ok(p) => {
                    let segs: Vec<String> =
                        p.segments.iter().map(|s| s.ident.to_string()).collect();
                    match project.resolve(&item.module, &segs).or_else(|| {
                        (segs.len() == 1)
                            .then(|| project.unique_named(&segs[0]).map(Resolved::Local))
                            .flatten()
                    }) {
                        Some(Resolved::Local(i)) => engine.named(i, &loc),
                        _ => engine.type_schema(
                            &syn::Type::Path(syn::TypePath {
                                qself: None,
                                path: p,
                            }),
                            &item.module,
                            &loc,
                        ),
                    }
                }
                Err(e) => {
                    diags.push(
                        &loc,
                        format!("#[kube(status = {st:?})] is not a type path: {e}"),
                    );
                    None
                }
            };
            if let Some(s) = status {
                props.insert("status".into(), Value::Object(s));
            }
        }
        let mut root: Schema = Map::new();
        if let Some(d) = ka.doc.as_ref().filter(|d| !d.is_empty()) {
            root.insert("description".into(), d.clone().into());
        }
        root.insert("properties".into(), Value::Object(props));
        root.insert("required".into(), json!(["spec"]));
        root.insert("type".into(), "object".into());
        let mut root = Value::Object(root);
        if let Some(max) = opts.max_desc_len {
            limit_descriptions(&mut root, max);
        }
        // version entry
        let mut entry = Map::new();
        entry.insert("name".into(), version.clone().into());
        entry.insert("schema".into(), json!({"openAPIV3Schema": root}));
        let served = ka.served.unwrap_or(true) && !docs.has("kubebuilder:unservedversion");
        entry.insert("served".into(), served.into());
        let mut columns: Vec<Value> = Vec::new();
        for pc in &ka.printcolumns {
            match serde_json::from_str::<Value>(pc) {
                Ok(v) => columns.push(v),
                Err(e) => diags.push(&loc, format!("#[kube(printcolumn)] is not JSON: {e}")),
            }
        }
        for m in docs.all("kubebuilder:printcolumn") {
            let mut c = Map::new();
            for (arg, key) in [
                ("description", "description"),
                ("format", "format"),
                ("JSONPath", "jsonPath"),
                ("name", "name"),
                ("type", "type"),
            ] {
                if let Some(v) = m.str_arg(arg).filter(|v| !v.is_empty()) {
                    c.insert(key.into(), v.into());
                }
            }
            if let Some(crate::grammar::Value::Int(p)) = m.arg("priority")
                && *p != 0
            {
                c.insert("priority".into(), (*p).into());
            }
            columns.push(Value::Object(c));
        }
        // controller-gen's printcolumn marker also creates an empty `subresources`.
        let has_columns = !columns.is_empty();
        if has_columns {
            entry.insert("additionalPrinterColumns".into(), Value::Array(columns));
        }
        if let Some(d) = docs.get("kubebuilder:deprecatedversion") {
            entry.insert("deprecated".into(), true.into());
            if let Some(w) = d.str_arg("warning") {
                entry.insert("deprecationWarning".into(), w.into());
            }
        } else if let Some(w) = &ka.deprecated {
            entry.insert("deprecated".into(), true.into());
            if let Some(w) = w {
                entry.insert("deprecationWarning".into(), w.clone().into());
            }
        }
        let mut selectable: Vec<Value> = ka
            .selectable
            .iter()
            .map(|p| json!({"jsonPath": p}))
            .collect();
        for m in docs.all("kubebuilder:selectablefield") {
            selectable.push(json!({"jsonPath": m.str_arg("JSONPath").unwrap_or_default()}));
        }
        if !selectable.is_empty() {
            entry.insert("selectableFields".into(), Value::Array(selectable));
        }
        let mut sub = Map::new();
        if docs.has("kubebuilder:subresource:status") || ka.status.is_some() {
            sub.insert("status".into(), json!({}));
        }
        if let Some((spec_path, status_path, selector)) = &ka.scale {
            let mut s = Map::new();
            if let Some(sel) = selector {
                s.insert("labelSelectorPath".into(), sel.clone().into());
            }
            s.insert("specReplicasPath".into(), spec_path.clone().into());
            s.insert("statusReplicasPath".into(), status_path.clone().into());
            sub.insert("scale".into(), Value::Object(s));
        }
        if let Some(sc) = docs.get("kubebuilder:subresource:scale") {
            let mut s = Map::new();
            if let Some(sel) = sc.str_arg("selectorpath") {
                s.insert("labelSelectorPath".into(), sel.into());
            }
            s.insert(
                "specReplicasPath".into(),
                sc.str_arg("specpath").unwrap_or_default().into(),
            );
            s.insert(
                "statusReplicasPath".into(),
                sc.str_arg("statuspath").unwrap_or_default().into(),
            );
            sub.insert("scale".into(), Value::Object(s));
        }
        if !sub.is_empty() || has_columns {
            entry.insert("subresources".into(), Value::Object(sub));
        }
        let key = (group.clone(), kind.clone());
        let crd = kinds.entry(key).or_insert_with(|| KindCrd {
            group: group.clone(),
            kind: kind.clone(),
            plural: plural.clone(),
            singular: singular.clone(),
            scope: scope.clone(),
            short_names: Vec::new(),
            categories: Vec::new(),
            annotations: BTreeMap::new(),
            labels: BTreeMap::new(),
            versions: Vec::new(),
        });
        if crd.plural != plural || crd.scope != scope || crd.singular != singular {
            diags.push(&loc, format!("version {version} of {kind} disagrees with another version on plural, singular or scope"));
        }
        for s in short_names {
            if !crd.short_names.contains(&s) {
                crd.short_names.push(s);
            }
        }
        for c in categories {
            if !crd.categories.contains(&c) {
                crd.categories.push(c);
            }
        }
        for (k, v) in &ka.annotations {
            crd.annotations.insert(k.clone(), v.clone());
        }
        for (k, v) in &ka.labels {
            crd.labels.insert(k.clone(), v.clone());
        }
        if let Some(m) = docs.get("kubebuilder:metadata") {
            key_values(
                &m.list_arg("annotations"),
                "annotations",
                &m.loc,
                diags,
                &mut crd.annotations,
            );
            key_values(
                &m.list_arg("labels"),
                "labels",
                &m.loc,
                diags,
                &mut crd.labels,
            );
        }
        if crd.versions.iter().any(|v| v.name == version) {
            diags.push(&loc, format!("{kind} version {version} is declared twice"));
            continue;
        }
        if docs.has("kubebuilder:skipversion") {
            continue;
        }
        let storage = docs.has("kubebuilder:storageversion") || ka.storage == Some(true);
        crd.versions.push(Version {
            name: version,
            loc,
            storage,
            entry,
        });
    }
    diags
        .errors
        .extend(std::mem::take(&mut engine.diags.errors));

    let mut out = Vec::new();
    for crd in kinds.into_values() {
        let mut versions = crd.versions;
        if versions.is_empty() {
            continue;
        }
        versions.sort_by(|a, b| a.name.cmp(&b.name));
        if versions.len() == 1 {
            versions[0].storage = true;
        } else {
            let storage: Vec<&Version> = versions.iter().filter(|v| v.storage).collect();
            if storage.is_empty() {
                let names: Vec<&str> = versions.iter().map(|v| v.name.as_str()).collect();
                diags.push(
                    &versions[0].loc,
                    format!(
                        "{} has versions {} but none is marked +kubebuilder:storageversion (exactly one must be)",
                        crd.kind,
                        names.join(", ")
                    ),
                );
            } else if storage.len() > 1 {
                for v in &storage[1..] {
                    diags.push(&v.loc, format!("{} has more than one +kubebuilder:storageversion (exactly one must be)", crd.kind));
                }
            }
        }
        if !versions
            .iter()
            .any(|v| v.entry.get("served") == Some(&Value::Bool(true)))
        {
            diags.push(
                &versions[0].loc,
                format!("no version of {} is served", crd.kind),
            );
        }
        let versions: Vec<Value> = versions
            .into_iter()
            .map(|v| {
                let mut e = v.entry;
                e.insert("storage".into(), v.storage.into());
                Value::Object(e)
            })
            .collect();
        let mut names = Map::new();
        names.insert("kind".into(), crd.kind.clone().into());
        names.insert("listKind".into(), format!("{}List", crd.kind).into());
        names.insert("plural".into(), crd.plural.clone().into());
        names.insert("singular".into(), crd.singular.clone().into());
        if !crd.short_names.is_empty() {
            names.insert("shortNames".into(), json!(crd.short_names));
        }
        if !crd.categories.is_empty() {
            names.insert("categories".into(), json!(crd.categories));
        }
        let mut metadata = Map::new();
        metadata.insert(
            "name".into(),
            format!("{}.{}", crd.plural, crd.group).into(),
        );
        if !crd.annotations.is_empty() {
            metadata.insert("annotations".into(), json!(crd.annotations));
        }
        if !crd.labels.is_empty() {
            metadata.insert("labels".into(), json!(crd.labels));
        }
        let object = json!({
            "apiVersion": "apiextensions.k8s.io/v1",
            "kind": "CustomResourceDefinition",
            "metadata": metadata,
            "spec": {
                "group": crd.group,
                "names": names,
                "scope": crd.scope,
                "versions": versions,
            }
        });
        out.push(Crd {
            file_name: format!("{}_{}.yaml", crd.group, crd.plural),
            object,
        });
    }
    out.sort_by(|a, b| a.file_name.cmp(&b.file_name));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plurals() {
        assert_eq!(to_plural("cronjob"), "cronjobs");
        assert_eq!(to_plural("policy"), "policies");
        assert_eq!(to_plural("gateway"), "gateways");
        assert_eq!(to_plural("ingress"), "ingresses");
        assert_eq!(to_plural("box"), "boxes");
    }

    #[test]
    fn truncation() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(
            truncate("First sentence. Second sentence.", 20),
            "First sentence."
        );
        assert_eq!(
            truncate("APIVersion defines the versioned schema", 20),
            "APIVersion defines..."
        );
        assert_eq!(truncate("abcdefghijkl", 5), "abcde...");
    }
}

#[cfg(test)]
mod engine_tests {
    use super::*;

    fn run(files: &[(&str, &str)]) -> (Vec<Crd>, String) {
        let mut diags = Diagnostics::default();
        let project = Project::from_sources(files, &mut diags);
        let crds = generate(&project, &Options::default(), &mut diags);
        diags.errors.sort();
        (crds, diags.to_string())
    }

    fn kind(version: &str, markers: &str) -> String {
        format!(
            "{markers}\n#[derive(CustomResource)]\n#[kube(group = \"g.io\", version = \"{version}\", kind = \"Foo\", namespaced)]\npub struct FooSpec {{ pub a: String }}\n"
        )
    }

    #[test]
    fn storage_version_rules() {
        let (_, e) = run(&[("v1.rs", &kind("v1", "")), ("v2.rs", &kind("v2", ""))]);
        assert_eq!(
            e,
            "api/src/v1.rs:4:12: error: Foo has versions v1, v2 but none is marked +kubebuilder:storageversion (exactly one must be)"
        );
        let s = "/// +kubebuilder:storageversion";
        let (_, e) = run(&[("v1.rs", &kind("v1", s)), ("v2.rs", &kind("v2", s))]);
        assert!(
            e.contains("more than one +kubebuilder:storageversion"),
            "{e}"
        );
        let (crds, e) = run(&[
            ("v1.rs", &kind("v1", "")),
            ("v2.rs", &kind("v2", s)),
            ("v10.rs", &kind("v10", "")),
        ]);
        assert_eq!(e, "");
        let versions: Vec<(String, bool)> = crds[0].object["spec"]["versions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| {
                (
                    v["name"].as_str().unwrap().to_owned(),
                    v["storage"].as_bool().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            versions,
            [
                ("v1".into(), false),
                ("v10".into(), false),
                ("v2".into(), true)
            ]
        );
    }

    #[test]
    fn placement_errors() {
        let src = r#"
/// +kubebuilder:printcolumn:name="A",type=string,JSONPath=".a"
pub struct NotAKind { pub a: String }

/// +kubebuilder:validation:Minimum=1
#[derive(CustomResource)]
#[kube(group = "g.io", version = "v1", kind = "Foo")]
pub struct FooSpec {
    /// +kubebuilder:validation:items:MaxLength=3
    pub a: String,
    /// +listMapKey=name
    pub b: Vec<String>,
    /// +kubebuilder:validation:XValidation:rule="self > 0",reason=Bad
    pub c: i32,
    pub d: NotAKind,
}
"#;
        let (_, e) = run(&[("lib.rs", src)]);
        assert_eq!(
            e,
            "api/src/lib.rs:2:5: error: +kubebuilder:printcolumn only applies to the struct that derives CustomResource\n\
             api/src/lib.rs:5:5: error: +kubebuilder:validation:Minimum applies to integers and numbers, but this is an object\n\
             api/src/lib.rs:9:9: error: +kubebuilder:validation:items:MaxLength applies to the items of an array, but this is a string\n\
             api/src/lib.rs:11:9: error: +listMapKey needs +listType=map on the same field\n\
             api/src/lib.rs:13:9: error: XValidation reason must be one of FieldValueInvalid, FieldValueForbidden, FieldValueRequired, FieldValueDuplicate, got \"Bad\""
        );
    }

    #[test]
    fn rust_shapes() {
        let src = r#"
#[derive(CustomResource)]
#[kube(group = "g.io", version = "v1", kind = "Foo")]
#[serde(rename_all = "camelCase")]
pub struct FooSpec {
    pub any: serde_json::Value,
    pub bytes: Vec<u8>,
    #[serde(default)]
    pub maybe: Option<Option<String>>,
    pub arr: [i64; 3],
    pub tagged: Tagged,
    pub float: f64,
    /// +kubebuilder:validation:Type=number
    pub opted_in: f32,
}

pub enum Tagged { A(String), B }
"#;
        let (crds, e) = run(&[("lib.rs", src)]);
        let props = &crds[0].object["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]
            ["spec"]["properties"];
        assert_eq!(
            props["any"],
            json!({"x-kubernetes-preserve-unknown-fields": true})
        );
        assert_eq!(
            props["bytes"],
            json!({"type": "array", "items": {"type": "integer", "minimum": 0}})
        );
        assert_eq!(props["maybe"], json!({"type": "string"}));
        assert_eq!(
            props["arr"],
            json!({"type": "array", "items": {"type": "integer", "format": "int64"}})
        );
        assert_eq!(props["optedIn"], json!({"type": "number"}));
        assert_eq!(
            crds[0].object["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]
                ["required"],
            json!(["any", "arr", "bytes", "float", "optedIn"])
        );
        assert_eq!(
            e,
            "api/src/lib.rs:12:9: error: field `float` is a float: floats are discouraged in Kubernetes APIs (use a Quantity, a string or an integer); to use one anyway, add +kubebuilder:validation:Type=number (or items:Type=number) to the field\n\
             api/src/lib.rs:17:10: error: enum Tagged has a variant with data (A); only enums of unit variants (string enums) are supported in CRD schemas"
        );
    }

    #[test]
    fn kube_attributes() {
        let src = r##"
#[derive(CustomResource)]
#[kube(group = "g.io", version = "v1", kind = "Foo", namespaced, shortname = "fo", category = "all")]
#[kube(scale(spec_replicas_path = ".spec.r", status_replicas_path = ".status.r", label_selector_path = ".status.s"))]
#[kube(annotation("a.io/x", "1"), label("app", "foo"), deprecated = "old", served = false)]
#[kube(printcolumn = r#"{"name":"R","type":"integer","jsonPath":".spec.r"}"#, selectable = ".spec.r")]
pub struct FooSpec { pub r: i32 }
"##;
        let (crds, e) = run(&[("lib.rs", src)]);
        assert_eq!(e, "api/src/lib.rs:7:12: error: no version of Foo is served");
        let o = &crds[0].object;
        assert_eq!(
            o["metadata"],
            json!({"name": "foos.g.io", "annotations": {"a.io/x": "1"}, "labels": {"app": "foo"}})
        );
        assert_eq!(
            o["spec"]["names"],
            json!({"kind": "Foo", "listKind": "FooList", "plural": "foos", "singular": "foo", "shortNames": ["fo"], "categories": ["all"]})
        );
        let v = &o["spec"]["versions"][0];
        assert_eq!(v["served"], json!(false));
        assert_eq!(v["deprecated"], json!(true));
        assert_eq!(v["deprecationWarning"], json!("old"));
        assert_eq!(
            v["additionalPrinterColumns"],
            json!([{"name": "R", "type": "integer", "jsonPath": ".spec.r"}])
        );
        assert_eq!(v["selectableFields"], json!([{"jsonPath": ".spec.r"}]));
        assert_eq!(
            v["subresources"],
            json!({"scale": {"labelSelectorPath": ".status.s", "specReplicasPath": ".spec.r", "statusReplicasPath": ".status.r"}})
        );
    }
}
