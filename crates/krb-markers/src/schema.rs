//! The schema engine: Rust types (syn) + serde attributes + markers → OpenAPI v3 schemas as
//! controller-gen writes them.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::grammar::Value as MValue;
use crate::registry::{Marker, Target};
use crate::source::{self, Docs, ItemKind, Project, Resolved};
use crate::{Diagnostics, Loc};

/// A schema node (JSONSchemaProps as JSON).
pub type Schema = Map<String, Value>;

const FLOAT_KEY: &str = "x-krb-float";

/// A float as JSON the way Go's json.Marshal → yaml round trip keeps it: integral values
/// become integers.
pub fn json_number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        Value::from(f as i64)
    } else {
        serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

/// serde's field/container attributes that matter for the schema.
#[derive(Debug, Default)]
pub struct SerdeAttrs {
    pub rename: Option<String>,
    pub rename_all: Option<String>,
    pub skip: bool,
    pub skip_serializing: bool,
    pub skip_deserializing: bool,
    pub flatten: bool,
    pub default: bool,
    pub transparent: bool,
    pub untagged: bool,
    pub tag: Option<String>,
    pub other: bool,
}

fn lit_str(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<Option<String>> {
    let expr: syn::Expr = meta.value()?.parse()?;
    Ok(match expr {
        syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) => Some(s.value()),
        _ => None,
    })
}

/// Skip whatever follows a nested meta name we do not care about.
fn skip_meta(meta: &syn::meta::ParseNestedMeta<'_>) -> syn::Result<()> {
    if meta.input.peek(syn::Token![=]) {
        let _: syn::Expr = meta.value()?.parse()?;
    } else if meta.input.peek(syn::token::Paren) {
        meta.parse_nested_meta(|m| skip_meta(&m))?;
    }
    Ok(())
}

/// Read `#[serde(...)]` attributes.
pub fn serde_attrs(attrs: &[syn::Attribute]) -> SerdeAttrs {
    let mut out = SerdeAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            let name = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            match name.as_str() {
                "rename" | "rename_all" => {
                    let value = if meta.input.peek(syn::Token![=]) {
                        lit_str(&meta)?
                    } else {
                        let mut de = None;
                        let mut ser = None;
                        meta.parse_nested_meta(|inner| {
                            if inner.path.is_ident("deserialize") {
                                de = lit_str(&inner)?;
                            } else if inner.path.is_ident("serialize") {
                                ser = lit_str(&inner)?;
                            } else {
                                skip_meta(&inner)?;
                            }
                            Ok(())
                        })?;
                        ser.or(de)
                    };
                    if name == "rename" {
                        out.rename = value;
                    } else {
                        out.rename_all = value;
                    }
                }
                "skip" => out.skip = true,
                "skip_serializing" => out.skip_serializing = true,
                "skip_deserializing" => out.skip_deserializing = true,
                "flatten" => out.flatten = true,
                "default" => {
                    out.default = true;
                    skip_meta(&meta)?;
                }
                "transparent" => out.transparent = true,
                "untagged" => out.untagged = true,
                "other" => out.other = true,
                "tag" => out.tag = lit_str(&meta)?,
                _ => skip_meta(&meta)?,
            }
            Ok(())
        });
    }
    out
}

fn pascal(field: &str) -> String {
    let mut out = String::new();
    let mut cap = true;
    for c in field.chars() {
        if c == '_' {
            cap = true;
        } else if cap {
            out.extend(c.to_uppercase());
            cap = false;
        } else {
            out.push(c);
        }
    }
    out
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// serde's `rename_all` on a field name (snake_case in source).
pub fn rename_field(rule: &str, name: &str) -> Option<String> {
    Some(match rule {
        "lowercase" | "snake_case" => name.to_owned(),
        "UPPERCASE" | "SCREAMING_SNAKE_CASE" => name.to_ascii_uppercase(),
        "PascalCase" => pascal(name),
        "camelCase" => lower_first(&pascal(name)),
        "kebab-case" => name.replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => name.to_ascii_uppercase().replace('_', "-"),
        _ => return None,
    })
}

fn snake(variant: &str) -> String {
    let mut out = String::new();
    for (i, c) in variant.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// serde's `rename_all` on a variant name (PascalCase in source).
pub fn rename_variant(rule: &str, name: &str) -> Option<String> {
    Some(match rule {
        "lowercase" => name.to_ascii_lowercase(),
        "UPPERCASE" => name.to_ascii_uppercase(),
        "PascalCase" => name.to_owned(),
        "camelCase" => lower_first(name),
        "snake_case" => snake(name),
        "SCREAMING_SNAKE_CASE" => snake(name).to_ascii_uppercase(),
        "kebab-case" => snake(name).replace('_', "-"),
        "SCREAMING-KEBAB-CASE" => snake(name).to_ascii_uppercase().replace('_', "-"),
        _ => return None,
    })
}

fn ident_name(i: &syn::Ident) -> String {
    let s = i.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}

fn type_of(s: &Schema) -> &str {
    s.get("type").and_then(Value::as_str).unwrap_or("")
}

fn describe(s: &Schema) -> String {
    if s.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true)) {
        return "an int-or-string".into();
    }
    match type_of(s) {
        "" => "untyped".into(),
        "integer" => "an integer".into(),
        "array" => "an array".into(),
        "object" => "an object".into(),
        t => format!("a {t}"),
    }
}

/// The engine, over one loaded project.
pub struct Engine<'p> {
    pub project: &'p Project,
    pub diags: Diagnostics,
    cache: HashMap<usize, Option<Schema>>,
    stack: Vec<usize>,
}

impl std::fmt::Debug for Engine<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

fn path_segments(p: &syn::Path) -> Vec<String> {
    p.segments.iter().map(|s| s.ident.to_string()).collect()
}

fn generic_args(p: &syn::Path) -> Vec<&syn::Type> {
    match p.segments.last().map(|s| &s.arguments) {
        Some(syn::PathArguments::AngleBracketed(a)) => a
            .args
            .iter()
            .filter_map(|g| match g {
                syn::GenericArgument::Type(t) => Some(t),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// `Option<T>` → `T`.
pub fn option_inner(ty: &syn::Type) -> Option<&syn::Type> {
    if let syn::Type::Path(p) = ty {
        let last = p.path.segments.last()?;
        if last.ident == "Option" {
            return generic_args(&p.path).first().copied();
        }
    }
    None
}

impl<'p> Engine<'p> {
    pub fn new(project: &'p Project) -> Self {
        Engine {
            project,
            diags: Diagnostics::default(),
            cache: HashMap::new(),
            stack: Vec::new(),
        }
    }

    fn err(&mut self, loc: &Loc, msg: impl Into<String>) {
        self.diags.push(loc, msg);
    }

    /// The schema of the type declared at `idx`, with its doc and type-level markers.
    pub fn named(&mut self, idx: usize, loc: &Loc) -> Option<Schema> {
        if let Some(s) = self.cache.get(&idx) {
            return s.clone();
        }
        if self.stack.contains(&idx) {
            let name = self.project.items[idx].name.clone();
            self.err(loc, format!("type {name} contains itself; recursive types cannot be expressed in a CRD schema"));
            return None;
        }
        self.stack.push(idx);
        let s = self.build_named(idx);
        self.stack.pop();
        self.cache.insert(idx, s.clone());
        s
    }

    fn build_named(&mut self, idx: usize) -> Option<Schema> {
        let item = &self.project.items[idx];
        let module = item.module.clone();
        let docs = item.docs.clone();
        let mut schema = match &item.kind {
            ItemKind::Struct(s) => {
                if !s.generics.params.is_empty() {
                    self.err(
                        &docs.loc,
                        format!("generic type {} is not supported in a CRD schema", s.ident),
                    );
                    return None;
                }
                self.struct_schema(s, &module, &item.path)?
            }
            ItemKind::Enum(e) => self.enum_schema(e, &docs.loc)?,
            ItemKind::Alias(a) => self.type_schema(&a.ty, &module, &docs.loc)?,
        };
        if !docs.text.is_empty() {
            schema.insert("description".into(), Value::String(docs.text.clone()));
        }
        self.apply_markers(&mut schema, &docs.markers, Target::Type);
        self.one_of_rules(&mut schema, &docs);
        Some(schema)
    }

    fn enum_schema(&mut self, e: &syn::ItemEnum, loc: &Loc) -> Option<Schema> {
        let attrs = serde_attrs(&e.attrs);
        let mut values = Vec::new();
        for v in &e.variants {
            if !matches!(v.fields, syn::Fields::Unit) {
                self.err(
                    loc,
                    format!(
                        "enum {} has a variant with data ({}); only enums of unit variants (string enums) are supported in CRD schemas",
                        e.ident, v.ident
                    ),
                );
                return None;
            }
            let va = serde_attrs(&v.attrs);
            if va.skip || va.skip_deserializing {
                continue;
            }
            if va.other {
                // any other string is accepted: no enum
                return Some(json_obj(json!({"type": "string"})));
            }
            let name = va.rename.unwrap_or_else(|| {
                let n = ident_name(&v.ident);
                attrs
                    .rename_all
                    .as_deref()
                    .and_then(|r| rename_variant(r, &n))
                    .unwrap_or(n)
            });
            values.push(Value::String(name));
        }
        Some(json_obj(json!({"type": "string", "enum": values})))
    }

    fn struct_schema(
        &mut self,
        s: &syn::ItemStruct,
        module: &[String],
        path: &std::path::Path,
    ) -> Option<Schema> {
        let cattrs = serde_attrs(&s.attrs);
        let loc = source::span_loc(path, s.ident.span());
        match &s.fields {
            syn::Fields::Unnamed(f) if f.unnamed.len() == 1 => {
                return self.type_schema(&f.unnamed[0].ty, module, &loc);
            }
            syn::Fields::Named(f) if cattrs.transparent && f.named.len() == 1 => {
                return self.type_schema(&f.named[0].ty, module, &loc);
            }
            syn::Fields::Unnamed(_) | syn::Fields::Unit => {
                self.err(
                    &loc,
                    format!(
                        "struct {} must have named fields (or be a newtype) to have a CRD schema",
                        s.ident
                    ),
                );
                return None;
            }
            syn::Fields::Named(_) => {}
        }
        let mut props = Map::new();
        let mut required: Vec<String> = Vec::new();
        let mut parent_rules: Vec<Value> = Vec::new();
        for field in &s.fields {
            let fa = serde_attrs(&field.attrs);
            let Some(ident) = &field.ident else { continue };
            let floc = source::span_loc(path, ident.span());
            let docs = source::read_docs(
                &field.attrs,
                Target::Field,
                path,
                ident.span(),
                &mut self.diags,
            );
            if fa.skip || (fa.skip_serializing && fa.skip_deserializing) {
                continue;
            }
            if fa.flatten {
                let Some(inner) = self.type_schema(&field.ty, module, &floc) else {
                    continue;
                };
                match inner.get("properties") {
                    Some(Value::Object(p)) => {
                        for (k, v) in p {
                            props.insert(k.clone(), v.clone());
                        }
                        if let Some(Value::Array(r)) = inner.get("required")
                            && option_inner(&field.ty).is_none()
                        {
                            required.extend(r.iter().filter_map(|v| v.as_str().map(str::to_owned)));
                        }
                    }
                    _ => self.err(
                        &floc,
                        "#[serde(flatten)] is supported only on struct fields (with named fields)",
                    ),
                }
                continue;
            }
            let name = fa.rename.clone().unwrap_or_else(|| {
                let n = ident_name(ident);
                cattrs
                    .rename_all
                    .as_deref()
                    .and_then(|r| rename_field(r, &n))
                    .unwrap_or(n)
            });
            let Some(schema) = self.field_schema(&field.ty, &docs, module, &floc, &name) else {
                continue;
            };
            let rust_optional = option_inner(&field.ty).is_some() || fa.default || cattrs.default;
            let explicit = if docs.has("kubebuilder:validation:Optional") {
                Some(false)
            } else if docs.has("kubebuilder:validation:Required") {
                Some(true)
            } else if docs.has("optional") || docs.has("k8s:optional") {
                Some(false)
            } else if docs.has("required") || docs.has("k8s:required") {
                Some(true)
            } else {
                None
            };
            if explicit == Some(false) && !rust_optional {
                self.err(
                    &floc,
                    format!(
                        "field `{}` is marked optional, but an object without it cannot be deserialized: make it an Option<_> or add #[serde(default)]",
                        ident_name(ident)
                    ),
                );
            }
            let is_required = explicit.unwrap_or(!rust_optional);
            if is_required {
                required.push(name.clone());
            }
            if docs.has("k8s:immutable") && !is_required {
                parent_rules.push(json!({
                    "message": format!("field {name} is immutable once set"),
                    "rule": format!("!has(oldSelf.{name}) || has(self.{name})"),
                }));
            }
            props.insert(name, Value::Object(schema));
        }
        let mut out = Map::new();
        out.insert("type".into(), "object".into());
        if !props.is_empty() {
            out.insert("properties".into(), Value::Object(props));
        }
        if !required.is_empty() {
            required.sort();
            required.dedup();
            out.insert("required".into(), json!(required));
        }
        if !parent_rules.is_empty() {
            out.insert(
                "x-kubernetes-validations".into(),
                Value::Array(parent_rules),
            );
        }
        Some(out)
    }

    /// The schema of a field: its type, its doc, its markers.
    fn field_schema(
        &mut self,
        ty: &syn::Type,
        docs: &Docs,
        module: &[String],
        loc: &Loc,
        name: &str,
    ) -> Option<Schema> {
        let mut schema = if docs.has("kubebuilder:validation:Schemaless") {
            Map::new()
        } else {
            self.type_schema(ty, module, loc)?
        };
        if !docs.text.is_empty() {
            schema.insert("description".into(), Value::String(docs.text.clone()));
        }
        self.apply_markers(&mut schema, &docs.markers, Target::Field);
        if docs.has("k8s:required") {
            // controller-gen: a required string, list or map must not be empty; a field of a
            // named type (a reference before flattening) gets minProperties.
            let key = if self.is_named(ty, module) {
                "minProperties"
            } else {
                match type_of(&schema) {
                    "string" => "minLength",
                    "array" => "minItems",
                    "object" => "minProperties",
                    _ => "",
                }
            };
            if !key.is_empty() && !schema.contains_key(key) {
                schema.insert(key.into(), 1.into());
            }
        }
        if docs.has("k8s:immutable") {
            let rules = schema
                .entry("x-kubernetes-validations")
                .or_insert_with(|| json!([]));
            if let Value::Array(a) = rules {
                a.insert(
                    0,
                    json!({"message": "field is immutable", "rule": "self == oldSelf"}),
                );
            }
        }
        if schema.values().any(has_float) || schema.contains_key(FLOAT_KEY) {
            let mut v = Value::Object(schema);
            strip_float(&mut v);
            schema = match v {
                Value::Object(m) => m,
                _ => Map::new(),
            };
            self.err(
                loc,
                format!(
                    "field `{name}` is a float: floats are discouraged in Kubernetes APIs (use a Quantity, a string or an integer); to use one anyway, add +kubebuilder:validation:Type=number (or items:Type=number) to the field"
                ),
            );
        }
        Some(schema)
    }

    /// Is `ty` (through Option/Box) a named type (of the api crate or Kubernetes)?
    fn is_named(&self, ty: &syn::Type, module: &[String]) -> bool {
        let syn::Type::Path(p) = ty else { return false };
        let segs = path_segments(&p.path);
        let last = segs.last().map(String::as_str).unwrap_or("");
        if matches!(last, "Option" | "Box" | "Arc" | "Rc") {
            return generic_args(&p.path)
                .first()
                .is_some_and(|t| self.is_named(t, module));
        }
        match self.project.resolve(module, &segs) {
            Some(Resolved::Local(_)) => true,
            Some(Resolved::Extern(e)) => crate::k8s::contains(&e),
            _ => segs.len() == 1 && self.project.unique_named(last).is_some(),
        }
    }

    /// The schema of a Rust type.
    pub fn type_schema(&mut self, ty: &syn::Type, module: &[String], loc: &Loc) -> Option<Schema> {
        match ty {
            syn::Type::Paren(p) => self.type_schema(&p.elem, module, loc),
            syn::Type::Group(g) => self.type_schema(&g.elem, module, loc),
            syn::Type::Array(a) => {
                let items = self.type_schema(&a.elem, module, loc)?;
                Some(json_obj(json!({"type": "array", "items": items})))
            }
            syn::Type::Path(p) if p.qself.is_none() => self.path_schema(&p.path, module, loc),
            other => {
                let text = quote_type(other);
                self.err(
                    loc,
                    format!("type `{text}` cannot be expressed in a CRD schema"),
                );
                None
            }
        }
    }

    fn path_schema(&mut self, path: &syn::Path, module: &[String], loc: &Loc) -> Option<Schema> {
        let segs = path_segments(path);
        let resolved = self.project.resolve(module, &segs);
        let builtin_name = match &resolved {
            Some(Resolved::Local(i)) => return self.named(*i, loc),
            Some(Resolved::Extern(p)) => {
                if let Some(rest) = ["std::", "core::", "alloc::"]
                    .iter()
                    .find_map(|pre| p.strip_prefix(pre))
                {
                    rest.rsplit("::").next().unwrap_or(rest).to_owned()
                } else {
                    return self.extern_schema(p, loc);
                }
            }
            Some(Resolved::Module(_)) => {
                self.err(
                    loc,
                    format!("`{}` is a module, not a type", segs.join("::")),
                );
                return None;
            }
            None if segs.len() == 1 => segs[0].clone(),
            None => {
                self.err(loc, format!("cannot resolve type `{}`", segs.join("::")));
                return None;
            }
        };
        let args = generic_args(path);
        let int = |format: Option<&str>, unsigned: bool| {
            let mut m = Map::new();
            m.insert("type".into(), "integer".into());
            if let Some(f) = format {
                m.insert("format".into(), f.into());
            }
            if unsigned {
                m.insert("minimum".into(), 0.into());
            }
            Some(m)
        };
        match builtin_name.as_str() {
            "String" | "str" | "char" => Some(json_obj(json!({"type": "string"}))),
            "bool" => Some(json_obj(json!({"type": "boolean"}))),
            "i8" | "i16" => int(None, false),
            "u8" | "u16" => int(None, true),
            "i32" => int(Some("int32"), false),
            "u32" => int(Some("int64"), true),
            "i64" | "isize" => int(Some("int64"), false),
            "u64" | "usize" => int(Some("int64"), true),
            "f32" | "f64" => Some(json_obj(json!({"type": "number", FLOAT_KEY: true}))),
            "Option" | "Box" | "Arc" | "Rc" => {
                let inner = args.first().copied()?;
                self.type_schema(inner, module, loc)
            }
            "Vec" | "VecDeque" | "BTreeSet" | "HashSet" | "IndexSet" => {
                let inner = args.first().copied()?;
                let items = self.type_schema(inner, module, loc)?;
                Some(json_obj(json!({"type": "array", "items": items})))
            }
            "BTreeMap" | "HashMap" | "IndexMap" => {
                let (Some(k), Some(v)) = (args.first().copied(), args.get(1).copied()) else {
                    self.err(loc, "a map needs key and value types");
                    return None;
                };
                let key = self.type_schema(k, module, loc)?;
                if type_of(&key) != "string" {
                    self.err(loc, "map keys must be strings (String, or a string enum/newtype) in a CRD schema");
                    return None;
                }
                let value = self.type_schema(v, module, loc)?;
                Some(json_obj(
                    json!({"type": "object", "additionalProperties": value}),
                ))
            }
            other => {
                if let Some(i) = self.project.unique_named(other) {
                    return self.named(i, loc);
                }
                self.err(loc, format!("cannot resolve type `{}`", segs.join("::")));
                let _ = other;
                None
            }
        }
    }

    fn extern_schema(&mut self, path: &str, loc: &Loc) -> Option<Schema> {
        match path {
            "serde_json::Value" => {
                return Some(json_obj(
                    json!({"x-kubernetes-preserve-unknown-fields": true}),
                ));
            }
            "serde_json::Map" => {
                return Some(json_obj(
                    json!({"type": "object", "x-kubernetes-preserve-unknown-fields": true}),
                ));
            }
            "k8s_openapi::ByteString" => {
                return Some(json_obj(json!({"type": "string", "format": "byte"})));
            }
            _ => {}
        }
        if let Some(Value::Object(m)) = crate::k8s::lookup(path) {
            return Some(m);
        }
        let hint = if path.starts_with("k8s_openapi::") {
            " (krb's table of Kubernetes types does not have it yet: add it to crates/krb-markers/k8s-schemas/types.txt, or mark the field +kubebuilder:validation:Schemaless with +kubebuilder:validation:Type=object and +kubebuilder:pruning:PreserveUnknownFields)"
        } else {
            " (only types of the api crate, std types, serde_json::Value and Kubernetes types from k8s_openapi are supported)"
        };
        self.err(loc, format!("type `{path}` is not known to krb{hint}"));
        None
    }

    /// Apply markers to a node, in controller-gen's priority order.
    pub fn apply_markers(&mut self, schema: &mut Schema, markers: &[Marker], target: Target) {
        let first = |m: &&Marker| {
            matches!(
                m.name.as_str(),
                "kubebuilder:validation:Type"
                    | "kubebuilder:validation:XIntOrString"
                    | "listType"
                    | "k8s:listType"
                    | "default"
            )
        };
        let mut ordered: Vec<&Marker> = markers.iter().filter(first).collect();
        ordered.extend(
            markers
                .iter()
                .filter(|m| !first(m) && !m.name.starts_with("kubebuilder:validation:items:")),
        );
        let mut rule_at = 0usize;
        let existing_rules = schema
            .get("x-kubernetes-validations")
            .and_then(Value::as_array)
            .map_or(0, Vec::len);
        let _ = existing_rules;
        for m in ordered {
            self.apply_one(schema, m, m.name.as_str(), target, &mut rule_at);
        }
        let items: Vec<&Marker> = markers
            .iter()
            .filter(|m| m.name.starts_with("kubebuilder:validation:items:"))
            .collect();
        if !items.is_empty() {
            if type_of(schema) != "array" || !schema.contains_key("items") {
                let m = items[0];
                let what = describe(schema);
                self.err(
                    &m.loc,
                    format!(
                        "+{} applies to the items of an array, but this is {what}",
                        m.name
                    ),
                );
                return;
            }
            let Some(Value::Object(item_schema)) = schema.get_mut("items") else {
                return;
            };
            let mut item_schema = std::mem::take(item_schema);
            let mut at = 0usize;
            for m in items {
                let base = m.name.replacen("items:", "", 1);
                self.apply_one(&mut item_schema, m, &base, target, &mut at);
            }
            schema.insert("items".into(), Value::Object(item_schema));
        }
    }

    fn apply_one(
        &mut self,
        s: &mut Schema,
        m: &Marker,
        name: &str,
        target: Target,
        rule_at: &mut usize,
    ) {
        let short = name.strip_prefix("kubebuilder:validation:").unwrap_or(name);
        let v = m.anon();
        let numeric = |s: &Schema| matches!(type_of(s), "integer" | "number");
        let stringy = |s: &Schema| {
            type_of(s) == "string"
                || s.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true))
        };
        let need = |this: &mut Self, ok: bool, what: &str, s: &Schema| {
            if !ok {
                let found = describe(s);
                this.err(
                    &m.loc,
                    format!("+{} applies to {what}, but this is {found}", m.name),
                );
            }
            ok
        };
        let short = match short {
            "k8s:maxItems" => "MaxItems",
            "k8s:minimum" => "Minimum",
            "k8s:maximum" => "Maximum",
            other => other,
        };
        match short {
            "Maximum" | "Minimum" | "MultipleOf" => {
                if !need(self, numeric(s), "integers and numbers", s) {
                    return;
                }
                let Some(MValue::Num(n)) = v else { return };
                if type_of(s) == "integer" && n.fract() != 0.0 {
                    self.err(
                        &m.loc,
                        format!("+{} on an integer needs an integral value, got {n}", m.name),
                    );
                    return;
                }
                let key = match short {
                    "Maximum" => "maximum",
                    "Minimum" => "minimum",
                    _ => "multipleOf",
                };
                s.insert(key.into(), json_number(*n));
            }
            "ExclusiveMaximum" | "ExclusiveMinimum" => {
                if !need(self, numeric(s), "integers and numbers", s) {
                    return;
                }
                if let Some(MValue::Bool(true)) = v {
                    let key = if short == "ExclusiveMaximum" {
                        "exclusiveMaximum"
                    } else {
                        "exclusiveMinimum"
                    };
                    s.insert(key.into(), true.into());
                }
            }
            "MaxLength" | "MinLength" | "Pattern" => {
                if !need(self, stringy(s), "strings (or int-or-strings)", s) {
                    return;
                }
                let key = match short {
                    "MaxLength" => "maxLength",
                    "MinLength" => "minLength",
                    _ => "pattern",
                };
                if let Some(v) = v {
                    s.insert(key.into(), v.to_json());
                }
            }
            "MaxItems" | "MinItems" | "UniqueItems" => {
                if !need(self, type_of(s) == "array", "arrays", s) {
                    return;
                }
                match (short, v) {
                    ("UniqueItems", Some(MValue::Bool(true))) => {
                        // controller-gen writes it, but no API server installs such a CRD.
                        self.err(
                            &m.loc,
                            format!(
                                "+{}=true: the API server rejects uniqueItems: true in a CRD (quadratic cost); use +listType=set for a list of unique scalars",
                                m.name
                            ),
                        );
                    }
                    ("UniqueItems", _) => {}
                    (_, Some(v)) => {
                        s.insert(
                            if short == "MaxItems" {
                                "maxItems"
                            } else {
                                "minItems"
                            }
                            .into(),
                            v.to_json(),
                        );
                    }
                    _ => {}
                }
            }
            "MaxProperties" | "MinProperties" => {
                if !need(self, type_of(s) == "object", "objects", s) {
                    return;
                }
                if let Some(v) = v {
                    s.insert(
                        if short == "MaxProperties" {
                            "maxProperties"
                        } else {
                            "minProperties"
                        }
                        .into(),
                        v.to_json(),
                    );
                }
            }
            "Enum" => {
                if let Some(v) = v {
                    s.insert("enum".into(), v.to_json());
                }
            }
            "Format" => {
                if let Some(v) = v {
                    s.insert("format".into(), v.to_json());
                }
            }
            "Type" => {
                if let Some(v) = v {
                    s.insert("type".into(), v.to_json());
                    s.remove(FLOAT_KEY);
                }
            }
            "XPreserveUnknownFields" | "kubebuilder:pruning:PreserveUnknownFields" => {
                s.insert("x-kubernetes-preserve-unknown-fields".into(), true.into());
            }
            "XEmbeddedResource" | "EmbeddedResource" => {
                s.insert("x-kubernetes-embedded-resource".into(), true.into());
            }
            "XIntOrString" => {
                s.insert("x-kubernetes-int-or-string".into(), true.into());
            }
            "XValidation" => {
                let mut rule = Map::new();
                for key in [
                    "fieldPath",
                    "message",
                    "messageExpression",
                    "reason",
                    "rule",
                ] {
                    if let Some(val) = m.str_arg(key).filter(|v| !v.is_empty()) {
                        rule.insert(key.into(), val.into());
                    }
                }
                if let Some(MValue::Bool(b)) = m.arg("optionalOldSelf") {
                    rule.insert("optionalOldSelf".into(), (*b).into());
                }
                if let Some(r) = rule.get("reason").and_then(Value::as_str) {
                    const REASONS: [&str; 4] = [
                        "FieldValueInvalid",
                        "FieldValueForbidden",
                        "FieldValueRequired",
                        "FieldValueDuplicate",
                    ];
                    if !REASONS.contains(&r) {
                        self.err(
                            &m.loc,
                            format!(
                                "XValidation reason must be one of {}, got {r:?}",
                                REASONS.join(", ")
                            ),
                        );
                    }
                }
                let rules = s
                    .entry("x-kubernetes-validations")
                    .or_insert_with(|| json!([]));
                if let Value::Array(a) = rules {
                    let at = if target == Target::Field {
                        (*rule_at).min(a.len())
                    } else {
                        a.len()
                    };
                    a.insert(at, Value::Object(rule));
                    *rule_at = at + 1;
                }
            }
            "nullable" => {
                s.insert("nullable".into(), true.into());
            }
            "kubebuilder:default" => {
                let Some(v) = v else { return };
                let mut d = v.to_json();
                if type_of(s) == "array" && d == json!({}) {
                    d = json!([]);
                }
                if let Err(e) = check_value(&d, s) {
                    self.err(
                        &m.loc,
                        format!("default value does not match the schema: {e}"),
                    );
                }
                s.insert("default".into(), d);
            }
            "default" => {
                let Some(MValue::Str(text)) = v else { return };
                let text = text.trim();
                if text.starts_with("ref(") {
                    return;
                }
                match serde_json::from_str::<Value>(text) {
                    Ok(d) => {
                        if let Err(e) = check_value(&d, s) {
                            self.err(&m.loc, format!("default value does not match the schema: {e}"));
                        }
                        s.insert("default".into(), d);
                    }
                    Err(e) => self.err(&m.loc, format!("+default takes a JSON value ({e}); use +kubebuilder:default for kubebuilder's literal syntax")),
                }
            }
            "kubebuilder:example" => {
                if let Some(v) = v {
                    s.insert("example".into(), v.to_json());
                }
            }
            "listType" | "k8s:listType" => {
                if !need(self, type_of(s) == "array", "arrays", s) {
                    return;
                }
                let t = v.and_then(MValue::as_str).unwrap_or("");
                if !matches!(t, "map" | "set" | "atomic") {
                    self.err(
                        &m.loc,
                        format!("+{} must be map, set or atomic, got {t:?}", m.name),
                    );
                    return;
                }
                s.insert("x-kubernetes-list-type".into(), t.into());
            }
            "listMapKey" | "k8s:listMapKey" => {
                if !need(self, type_of(s) == "array", "arrays", s) {
                    return;
                }
                if s.get("x-kubernetes-list-type").and_then(Value::as_str) != Some("map") {
                    self.err(
                        &m.loc,
                        format!("+{} needs +listType=map on the same field", m.name),
                    );
                    return;
                }
                let key = v.and_then(MValue::as_str).unwrap_or("").to_owned();
                let keys = s
                    .entry("x-kubernetes-list-map-keys")
                    .or_insert_with(|| json!([]));
                if let Value::Array(a) = keys {
                    a.push(key.into());
                }
            }
            "mapType" | "structType" => {
                let ok = if short == "mapType" {
                    type_of(s) == "object"
                } else {
                    matches!(type_of(s), "object" | "")
                };
                if !need(self, ok, "objects", s) {
                    return;
                }
                let t = v.and_then(MValue::as_str).unwrap_or("");
                if !matches!(t, "granular" | "atomic") {
                    self.err(
                        &m.loc,
                        format!("+{} must be granular or atomic, got {t:?}", m.name),
                    );
                    return;
                }
                s.insert("x-kubernetes-map-type".into(), t.into());
            }
            "kubebuilder:title" => match v {
                Some(MValue::Str(t)) => {
                    s.insert("title".into(), t.clone().into());
                }
                _ => self.err(&m.loc, "+kubebuilder:title takes a string"),
            },
            "kubebuilder:externalDocs" => {
                let mut d = Map::new();
                if let Some(desc) = m.str_arg("description").filter(|d| !d.is_empty()) {
                    d.insert("description".into(), desc.into());
                }
                let url = m.str_arg("url").unwrap_or_default();
                if !url.contains("://") {
                    self.err(
                        &m.loc,
                        format!("externalDocs url must be an absolute URL, got {url:?}"),
                    );
                }
                d.insert("url".into(), url.into());
                s.insert("externalDocs".into(), Value::Object(d));
            }
            _ => {}
        }
    }

    fn one_of_rules(&mut self, schema: &mut Schema, docs: &Docs) {
        for (marker, op) in [
            ("kubebuilder:validation:AtMostOneOf", "<= 1"),
            ("kubebuilder:validation:ExactlyOneOf", "== 1"),
            ("kubebuilder:validation:AtLeastOneOf", ""),
        ] {
            for m in docs.all(marker) {
                let fields = m.anon().map(MValue::as_strings).unwrap_or_default();
                let props = schema
                    .get("properties")
                    .and_then(Value::as_object)
                    .cloned()
                    .unwrap_or_default();
                let required: Vec<&str> = schema
                    .get("required")
                    .and_then(Value::as_array)
                    .map(|a| a.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                for f in &fields {
                    if !props.contains_key(f) {
                        self.err(&m.loc, format!("+{marker}: no field {f:?} in this type"));
                    } else if required.contains(&f.as_str()) {
                        self.err(&m.loc, format!("+{marker}: field {f:?} must be optional (Option<_> or #[serde(default)])"));
                    }
                }
                let list = fields.join(" ");
                let (rule, message) = if op.is_empty() {
                    let r: Vec<String> = fields.iter().map(|f| format!("has(self.{f})")).collect();
                    (
                        r.join("||"),
                        format!("at least one of the fields in [{list}] must be set"),
                    )
                } else {
                    let r: Vec<String> = fields
                        .iter()
                        .map(|f| format!("(has(self.{f})?1:0)"))
                        .collect();
                    let msg = if op == "<= 1" {
                        format!("at most one of the fields in [{list}] may be set")
                    } else {
                        format!("exactly one of the fields in [{list}] must be set")
                    };
                    (format!("{} {op}", r.join("+")), msg)
                };
                let rules = schema
                    .entry("x-kubernetes-validations")
                    .or_insert_with(|| json!([]));
                if let Value::Array(a) = rules {
                    a.push(json!({"message": message, "rule": rule}));
                }
            }
        }
    }
}

fn quote_type(ty: &syn::Type) -> String {
    use quote_free::ToText;
    ty.to_text()
}

mod quote_free {
    /// Render a type for messages without depending on `quote`.
    pub trait ToText {
        fn to_text(&self) -> String;
    }
    impl ToText for syn::Type {
        fn to_text(&self) -> String {
            match self {
                syn::Type::Reference(r) => format!("&{}", r.elem.to_text()),
                syn::Type::Tuple(t) if t.elems.is_empty() => "()".into(),
                syn::Type::Tuple(t) => {
                    let parts: Vec<String> = t.elems.iter().map(ToText::to_text).collect();
                    format!("({})", parts.join(", "))
                }
                syn::Type::Slice(s) => format!("[{}]", s.elem.to_text()),
                syn::Type::Path(p) => {
                    let parts: Vec<String> = p
                        .path
                        .segments
                        .iter()
                        .map(|s| s.ident.to_string())
                        .collect();
                    parts.join("::")
                }
                syn::Type::TraitObject(_) => "dyn Trait".into(),
                syn::Type::ImplTrait(_) => "impl Trait".into(),
                syn::Type::Ptr(_) => "raw pointer".into(),
                syn::Type::BareFn(_) => "fn pointer".into(),
                _ => "this type".into(),
            }
        }
    }
}

/// Whether a float marker is anywhere in `v` (checked without copying the schema: fields
/// holding Kubernetes types are large).
fn has_float(v: &Value) -> bool {
    match v {
        Value::Object(m) => m.contains_key(FLOAT_KEY) || m.values().any(has_float),
        Value::Array(a) => a.iter().any(has_float),
        _ => false,
    }
}

/// Remove the float markers; true if any was there.
pub(crate) fn strip_float(v: &mut Value) -> bool {
    match v {
        Value::Object(m) => {
            let mut found = m.remove(FLOAT_KEY).is_some();
            for x in m.values_mut() {
                found |= strip_float(x);
            }
            found
        }
        Value::Array(a) => {
            let mut found = false;
            for x in a {
                found |= strip_float(x);
            }
            found
        }
        _ => false,
    }
}

fn json_obj(v: Value) -> Schema {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

/// Does `v` fit `schema` (types, enums, known properties)? Used to check defaults.
pub fn check_value(v: &Value, s: &Schema) -> Result<(), String> {
    if let Some(Value::Array(e)) = s.get("enum")
        && !e.contains(v)
    {
        return Err(format!(
            "{v} is not one of the allowed values {}",
            Value::Array(e.clone())
        ));
    }
    let int_or_string = s.get("x-kubernetes-int-or-string") == Some(&Value::Bool(true));
    let ok = match (type_of(s), v) {
        _ if int_or_string => v.is_string() || v.is_i64() || v.is_u64(),
        ("", _) => true,
        ("string", Value::String(_)) | ("boolean", Value::Bool(_)) => true,
        ("integer", Value::Number(n)) => n.is_i64() || n.is_u64(),
        ("number", Value::Number(_)) => true,
        ("array", Value::Array(items)) => {
            if let Some(Value::Object(is)) = s.get("items") {
                for (i, it) in items.iter().enumerate() {
                    check_value(it, is).map_err(|e| format!("item {i}: {e}"))?;
                }
            }
            true
        }
        ("object", Value::Object(m)) => {
            let props = s.get("properties").and_then(Value::as_object);
            let extra = s.get("additionalProperties").and_then(Value::as_object);
            let preserve =
                s.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
            for (k, x) in m {
                match (props.and_then(|p| p.get(k)), extra) {
                    (Some(Value::Object(ps)), _) => {
                        check_value(x, ps).map_err(|e| format!("{k}: {e}"))?
                    }
                    (_, Some(ps)) => check_value(x, ps).map_err(|e| format!("{k}: {e}"))?,
                    _ if preserve || props.is_none() => {}
                    _ => return Err(format!("unknown field {k:?}")),
                }
            }
            true
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{v} is not {}", describe(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renames() {
        assert_eq!(
            rename_field("camelCase", "starting_deadline_seconds").unwrap(),
            "startingDeadlineSeconds"
        );
        assert_eq!(rename_field("PascalCase", "foo_bar").unwrap(), "FooBar");
        assert_eq!(rename_field("kebab-case", "foo_bar").unwrap(), "foo-bar");
        assert_eq!(rename_variant("camelCase", "AllowAll").unwrap(), "allowAll");
        assert_eq!(
            rename_variant("snake_case", "AllowAll").unwrap(),
            "allow_all"
        );
        assert_eq!(
            rename_variant("SCREAMING_SNAKE_CASE", "AllowAll").unwrap(),
            "ALLOW_ALL"
        );
        assert_eq!(rename_variant("lowercase", "AllowAll").unwrap(), "allowall");
    }

    #[test]
    fn defaults_are_checked() {
        let s = json_obj(json!({"type": "string", "enum": ["A", "B"]}));
        assert!(check_value(&json!("A"), &s).is_ok());
        assert!(check_value(&json!("C"), &s).is_err());
        let o = json_obj(json!({"type": "object", "properties": {"a": {"type": "integer"}}}));
        assert!(check_value(&json!({"a": 1}), &o).is_ok());
        assert_eq!(
            check_value(&json!({"a": "x"}), &o).unwrap_err(),
            "a: \"x\" is not an integer"
        );
        assert_eq!(
            check_value(&json!({"b": 1}), &o).unwrap_err(),
            "unknown field \"b\""
        );
    }
}
