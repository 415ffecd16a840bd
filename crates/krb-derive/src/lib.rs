//! Derive macros for krb. Use them through the `krb` crate: `#[derive(krb::Schema)]`.
//!
//! `#[derive(krb::Schema)]` runs krb's schema engine (crate `krb-markers`, the engine of
//! `krb make manifests`) at compile time, over the crate that declares the type, read from disk
//! with syn the way `krb make manifests` reads `api/src`. The compiled type then carries, as
//! JSON built in at compile time:
//!
//! - `krb::schema::Schema::schema()`: its OpenAPI v3 schema, markers applied;
//! - `schemars::JsonSchema`, from the same schema (unless the type also derives `JsonSchema`),
//!   which is what kube's `#[derive(CustomResource)]` asks of the spec and status types;
//! - on the struct that derives `CustomResource`: `krb::schema::CustomResourceSchema` on the
//!   root type kube generates (`CronJob`), with the CRD of the kind, every version of it found
//!   in the crate, exactly as `krb make manifests` writes it (as a value and as YAML).
//!
//! Every error of the engine becomes a compile error: on the span of the doc line or field it
//! is about when it is inside a type that derives `Schema`, else on the first kind that
//! derives it, with the file, line and column in the message. All of them are reported at once.

use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::SystemTime;

use krb_markers::compiled::{self, CrateSchemas, TypeInfo};
use proc_macro2::{Span, TokenStream, TokenTree};
use quote::quote;

/// The derive's name, as `krb_markers::compiled::load` matches it (the last path segment).
const DERIVE: &str = "Schema";

/// `#[derive(krb::Schema)]`: see the crate documentation.
#[proc_macro_derive(Schema)]
pub fn derive_schema(input: proc_macro::TokenStream) -> proc_macro::TokenStream {
    let tokens = TokenStream::from(input);
    match syn::parse2::<syn::DeriveInput>(tokens.clone()) {
        Ok(item) => expand(&item, &tokens).into(),
        Err(e) => e.to_compile_error().into(),
    }
}

fn expand(item: &syn::DeriveInput, tokens: &TokenStream) -> TokenStream {
    let ident = &item.ident;
    let Some(file) = ident.span().local_file() else {
        // No file behind the tokens (an IDE's macro server, or tokens made by another macro):
        // impls that compile, and say at run time why they have nothing.
        return impls(item, &Output::Unavailable, &[]);
    };
    let start = ident.span().start();
    let (line, column) = (start.line, start.column + 1);
    let src = crate_source(&file);
    let schemas = load_cached(&src);
    let Some(me) = schemas.type_at(&file, line, column) else {
        let e = syn::Error::new(
            ident.span(),
            format!(
                "krb::Schema: cannot find `{ident}` at {}:{line}:{column} in the crate read from {}",
                file.display(),
                src.display()
            ),
        );
        return e.to_compile_error();
    };
    let errors = errors_for(&schemas, me, tokens, ident.span());
    let tracking = track_files(&schemas.files);
    if let Some(e) = errors {
        let mut out = e.to_compile_error();
        out.extend(impls(item, &Output::Failed, &me.derives));
        return out;
    }
    let Some(schema) = &me.schema else {
        // The engine failed on something another derive reports (or, without an error, on
        // nothing: keep the compiler honest anyway).
        let elsewhere: Vec<String> = schemas
            .diagnostics
            .errors
            .iter()
            .map(|d| shown(&d.loc))
            .collect();
        let e = syn::Error::new(
            ident.span(),
            format!(
                "krb::Schema: no schema for `{ident}`; see the errors at {}",
                if elsewhere.is_empty() {
                    "none".to_owned()
                } else {
                    elsewhere.join(", ")
                }
            ),
        );
        let mut out = e.to_compile_error();
        out.extend(impls(item, &Output::Failed, &me.derives));
        return out;
    };
    let crd = me.custom_resource.as_ref().and_then(|cr| {
        schemas
            .crd(&cr.group, &cr.kind)
            .map(|c| (syn::Ident::new(&cr.root, ident.span()), c))
    });
    let mut out = impls(
        item,
        &Output::Ready {
            schema,
            crd: crd.as_ref().map(|(root, c)| (root, *c)),
        },
        &me.derives,
    );
    out.extend(tracking);
    out
}

enum Output<'a> {
    /// The engine ran: the schema, and for a kind its root type and CRD.
    Ready {
        schema: &'a serde_json::Value,
        crd: Option<(&'a syn::Ident, &'a compiled::CrdOutput)>,
    },
    /// Errors were reported: impls that keep other errors from piling up.
    Failed,
    /// The source could not be read.
    Unavailable,
}

fn impls(item: &syn::DeriveInput, out: &Output<'_>, derives: &[String]) -> TokenStream {
    let ident = &item.ident;
    if !item.generics.params.is_empty() {
        // The engine reports generic types; nothing sensible to implement.
        return TokenStream::new();
    }
    let name = ident.to_string();
    let body = match out {
        Output::Ready { schema, .. } => {
            let lit = proc_macro2::Literal::string(&schema.to_string());
            quote! {
                static SCHEMA: ::std::sync::OnceLock<::krb::schema::__private::serde_json::Value> =
                    ::std::sync::OnceLock::new();
                ::std::clone::Clone::clone(SCHEMA.get_or_init(|| ::krb::schema::__private::parse(#lit)))
            }
        }
        Output::Failed => quote! { ::krb::schema::__private::unavailable(#name, "it has errors") },
        Output::Unavailable => quote! {
            ::krb::schema::__private::unavailable(#name, "the derive could not read its source file")
        },
    };
    let mut tokens = quote! {
        #[automatically_derived]
        impl ::krb::schema::Schema for #ident {
            fn schema() -> ::krb::schema::__private::serde_json::Value {
                #body
            }
        }
    };
    let derives_json_schema = derives.iter().any(|d| d == "JsonSchema")
        || (matches!(out, Output::Unavailable) && derives_in_attrs(&item.attrs, "JsonSchema"));
    if !derives_json_schema {
        tokens.extend(quote! {
            #[automatically_derived]
            impl ::krb::schema::__private::schemars::JsonSchema for #ident {
                fn inline_schema() -> bool {
                    true
                }
                fn schema_name() -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed(#name)
                }
                fn schema_id() -> ::std::borrow::Cow<'static, str> {
                    ::std::borrow::Cow::Borrowed(::std::concat!(::std::module_path!(), "::", #name))
                }
                fn json_schema(
                    _: &mut ::krb::schema::__private::schemars::SchemaGenerator,
                ) -> ::krb::schema::__private::schemars::Schema {
                    ::krb::schema::__private::json_schema(<Self as ::krb::schema::Schema>::schema())
                }
            }
        });
    }
    if let Output::Ready {
        crd: Some((root, crd)),
        ..
    } = out
    {
        let json = proc_macro2::Literal::string(&crd.object.to_string());
        let yaml = proc_macro2::Literal::string(&crd.yaml);
        let file_name = &crd.file_name;
        tokens.extend(quote! {
            #[automatically_derived]
            impl ::krb::schema::CustomResourceSchema for #root {
                const CRD_FILE_NAME: &'static str = #file_name;
                const CRD_YAML: &'static str = #yaml;
                fn krb_crd() -> ::krb::schema::__private::serde_json::Value {
                    static CRD: ::std::sync::OnceLock<::krb::schema::__private::serde_json::Value> =
                        ::std::sync::OnceLock::new();
                    ::std::clone::Clone::clone(CRD.get_or_init(|| ::krb::schema::__private::parse(#json)))
                }
            }
        });
    }
    tokens
}

fn derives_in_attrs(attrs: &[syn::Attribute], what: &str) -> bool {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("derive"))
        .any(|a| {
            let mut found = false;
            let _ = a.parse_nested_meta(|m| {
                found |= m.path.segments.last().is_some_and(|s| s.ident == what);
                Ok(())
            });
            found
        })
}

/// The sources of the crate `file` belongs to: the nearest `src` directory above it that holds
/// a `lib.rs` or `main.rs` (an api crate's `api/src`), else the file alone (a one-file crate:
/// an integration test, a trybuild case).
fn crate_source(file: &Path) -> PathBuf {
    for dir in file.ancestors().skip(1) {
        if dir.file_name().is_some_and(|n| n == "src")
            && (dir.join("lib.rs").is_file() || dir.join("main.rs").is_file())
        {
            return dir.to_owned();
        }
    }
    file.to_owned()
}

/// Every `.rs` file the engine will read, with its modification time and length: the cache key.
fn stamp(src: &Path) -> Vec<(PathBuf, Option<SystemTime>, u64)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(dir) else {
            return;
        };
        for e in rd.filter_map(Result::ok) {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let mut files = Vec::new();
    if src.is_file() {
        files.push(src.to_owned());
    } else {
        walk(src, &mut files);
    }
    files.sort();
    files
        .into_iter()
        .map(|f| {
            let meta = std::fs::metadata(&f).ok();
            let modified = meta.as_ref().and_then(|m| m.modified().ok());
            let len = meta.map_or(0, |m| m.len());
            (f, modified, len)
        })
        .collect()
}

type Stamp = Vec<(PathBuf, Option<SystemTime>, u64)>;

thread_local! {
    /// One compilation expands many derives of the same crate: read and analyse it once.
    static CACHE: RefCell<Vec<(PathBuf, Stamp, Rc<CrateSchemas>)>> = const { RefCell::new(Vec::new()) };
}

fn load_cached(src: &Path) -> Rc<CrateSchemas> {
    let key = stamp(src);
    let hit = CACHE.with(|c| {
        c.borrow()
            .iter()
            .find(|(p, s, _)| p == src && *s == key)
            .map(|(_, _, v)| Rc::clone(v))
    });
    if let Some(v) = hit {
        return v;
    }
    // The engine parses files with syn and needs the line and column of what it parses:
    // proc-macro2's own implementation has them, the compiler's does not for text parsed
    // from a string. Nothing made in this window escapes it but plain data.
    let loaded = {
        let _fallback = Fallback::force();
        Rc::new(compiled::load(src, DERIVE))
    };
    CACHE.with(|c| {
        let mut c = c.borrow_mut();
        c.retain(|(p, _, _)| p != src);
        c.push((src.to_owned(), key, Rc::clone(&loaded)));
    });
    loaded
}

/// proc-macro2's own implementation, until dropped (also when the engine panics).
struct Fallback;

impl Fallback {
    fn force() -> Fallback {
        proc_macro2::fallback::force();
        Fallback
    }
}

impl Drop for Fallback {
    fn drop(&mut self) {
        proc_macro2::fallback::unforce();
    }
}

/// `include_bytes!` of every file read, so that Cargo rebuilds when any of them changes (also
/// the files that are not modules of the crate).
fn track_files(files: &[PathBuf]) -> TokenStream {
    let paths: Vec<String> = files
        .iter()
        .filter_map(|f| std::fs::canonicalize(f).ok())
        .filter_map(|f| f.to_str().map(str::to_owned))
        .collect();
    if paths.is_empty() {
        return TokenStream::new();
    }
    quote! {
        const _: () = {
            #( let _ = ::std::include_bytes!(#paths); )*
        };
    }
}

/// `path:line:column`, the path relative to the compiler's working directory when it is under it
/// (as the compiler shows paths).
fn shown(loc: &krb_markers::Loc) -> String {
    let cwd = std::env::current_dir().unwrap_or_default();
    let path = loc.path.strip_prefix(&cwd).unwrap_or(&loc.path);
    format!("{}:{}:{}", path.display(), loc.line, loc.column)
}

fn inside(t: &TypeInfo, loc: &krb_markers::Loc) -> bool {
    loc.path == t.file && (t.lines.0..=t.lines.1).contains(&loc.line)
}

/// The errors this derive reports: those inside its own type; and, when it is the crate's
/// reporter (its first kind deriving `Schema`, else its first type deriving `Schema`), those
/// inside no type that derives `Schema`.
fn errors_for(
    schemas: &CrateSchemas,
    me: &TypeInfo,
    tokens: &TokenStream,
    fallback: Span,
) -> Option<syn::Error> {
    let derived: Vec<&TypeInfo> = schemas
        .types
        .iter()
        .filter(|t| t.derives.iter().any(|d| d == DERIVE))
        .collect();
    let reporter = derived
        .iter()
        .find(|t| t.custom_resource.is_some())
        .or_else(|| derived.first())
        .is_some_and(|t| std::ptr::eq(*t, me));
    let spans = token_spans(tokens);
    let mut out: Option<syn::Error> = None;
    for d in &schemas.diagnostics.errors {
        let e = if inside(me, &d.loc) {
            match span_at(&spans, d.loc.line, d.loc.column) {
                Some(span) => syn::Error::new(span, &d.message),
                None => syn::Error::new(fallback, format!("{} (at {})", d.message, shown(&d.loc))),
            }
        } else if reporter && !derived.iter().any(|t| inside(t, &d.loc)) {
            syn::Error::new(fallback, format!("{}: {}", shown(&d.loc), d.message))
        } else {
            continue;
        };
        match &mut out {
            Some(all) => all.combine(e),
            None => out = Some(e),
        }
    }
    out
}

/// (start line, start column 1-based, end line, end column, span) of every token of the input.
fn token_spans(tokens: &TokenStream) -> Vec<(usize, usize, usize, usize, Span)> {
    fn walk(ts: TokenStream, out: &mut Vec<(usize, usize, usize, usize, Span)>) {
        for tt in ts {
            let span = tt.span();
            let (s, e) = (span.start(), span.end());
            if let TokenTree::Group(g) = &tt {
                let open = g.span_open();
                let os = open.start();
                out.push((os.line, os.column + 1, os.line, os.column + 2, open));
                walk(g.stream(), out);
            } else {
                out.push((s.line, s.column + 1, e.line, e.column + 1, span));
            }
        }
    }
    let mut out = Vec::new();
    walk(tokens.clone(), &mut out);
    out.sort_by_key(|t| (t.0, t.1));
    out
}

/// The span of the token at `line`:`column`: the last token that starts at or before it, when
/// it starts on that line or covers it (a doc comment line is one token).
fn span_at(
    spans: &[(usize, usize, usize, usize, Span)],
    line: usize,
    column: usize,
) -> Option<Span> {
    let before = spans.iter().rev().find(|t| (t.0, t.1) <= (line, column))?;
    (before.0 == line || (before.2, before.3) >= (line, column)).then_some(before.4)
}
