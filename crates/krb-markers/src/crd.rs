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
struct KubeAttrs {
    group: Option<String>,
    version: Option<String>,
    kind: Option<String>,
    plural: Option<String>,
    singular: Option<String>,
    namespaced: bool,
    status: Option<String>,
    doc: Option<String>,
    shortnames: Vec<String>,
    categories: Vec<String>,
    printcolumns: Vec<String>,
    selectable: Vec<String>,
}

fn kube_attrs(attrs: &[syn::Attribute]) -> syn::Result<KubeAttrs> {
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
                match name.as_str() {
                    "group" => k.group = s,
                    "version" => k.version = s,
                    "kind" => k.kind = s,
                    "plural" => k.plural = s,
                    "singular" => k.singular = s,
                    "status" => k.status = s,
                    "doc" => k.doc = s,
                    "shortname" => k.shortnames.extend(s),
                    "category" => k.categories.extend(s),
                    "printcolumn" => k.printcolumns.extend(s),
                    "selectable" => k.selectable.extend(s),
                    _ => {}
                }
            } else if meta.input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in meta.input);
                let _: proc_macro2::TokenStream = content.parse()?;
            } else if name == "namespaced" {
                k.namespaced = true;
            }
            Ok(())
        })?;
    }
    Ok(k)
}

fn derives(attrs: &[syn::Attribute], what: &str) -> bool {
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
    if word.ends_with('y') {
        if let Some(c) = word.chars().rev().nth(1) {
            if !matches!(c, 'a' | 'e' | 'i' | 'o' | 'u') {
                return format!("{}ies", &word[..word.len() - 1]);
            }
        }
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
        entry.insert(
            "served".into(),
            (!docs.has("kubebuilder:unservedversion")).into(),
        );
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
            if let Some(crate::grammar::Value::Int(p)) = m.arg("priority") {
                if *p != 0 {
                    c.insert("priority".into(), (*p).into());
                }
            }
            columns.push(Value::Object(c));
        }
        if !columns.is_empty() {
            entry.insert("additionalPrinterColumns".into(), Value::Array(columns));
        }
        if let Some(d) = docs.get("kubebuilder:deprecatedversion") {
            entry.insert("deprecated".into(), true.into());
            if let Some(w) = d.str_arg("warning") {
                entry.insert("deprecationWarning".into(), w.into());
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
        if !sub.is_empty() {
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
        crd.versions.push(Version {
            name: version,
            loc,
            storage: docs.has("kubebuilder:storageversion"),
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
