//! The engine as krb-derive runs it at compile time: one crate, read with syn like
//! [`generate`](crate::generate) reads `api/src`, and everything the derive needs to give the
//! compiled types their schemas: the schema of each type that derives krb's `Schema`, the CRD
//! of each kind (all its versions, exactly as `krb make manifests` writes it), and every error
//! with its location, so that the derive can put each one on a span.
//!
//! ```no_run
//! use std::path::Path;
//! let out = krb_markers::compiled::load(Path::new("api/src"), "Schema");
//! for crd in &out.crds {
//!     println!("{}: {} bytes of YAML", crd.file_name, crd.yaml.len());
//! }
//! ```

use std::path::{Path, PathBuf};

use serde_json::Value;
use syn::spanned::Spanned;

use crate::schema::{self, Engine};
use crate::source::{ItemKind, Project};
use crate::{Diagnostics, GENERATED_HEADER, Options, crd, yaml};

/// A type declared in the crate.
#[derive(Clone, Debug, PartialEq)]
pub struct TypeInfo {
    /// The type's name.
    pub name: String,
    /// The file it is declared in (as read: the source directory joined with the file).
    pub file: PathBuf,
    /// Its module in the crate (`["v1", "cronjob_types"]`; empty at the crate root).
    pub module: Vec<String>,
    /// Where its name is (1-based line and column).
    pub ident: (usize, usize),
    /// The first and the last line of the item, attributes and doc comment included.
    pub lines: (usize, usize),
    /// The last path segment of everything in its `#[derive(...)]` attributes.
    pub derives: Vec<String>,
    /// For the struct that derives `CustomResource`: what `#[kube(...)]` says.
    pub custom_resource: Option<CustomResourceRef>,
    /// Its schema, for the types that derive the derive named in [`load`], when the engine
    /// could build it: type-level markers and description applied, as it appears wherever the
    /// type is used.
    pub schema: Option<Value>,
}

/// The kind a `CustomResource` struct declares.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CustomResourceRef {
    /// `#[kube(group)]`.
    pub group: String,
    /// `#[kube(version)]`.
    pub version: String,
    /// `#[kube(kind)]`.
    pub kind: String,
    /// The name of the root struct kube's derive generates (`#[kube(root)]`, else the kind).
    pub root: String,
}

/// One CRD: every version of one kind.
#[derive(Clone, Debug, PartialEq)]
pub struct CrdOutput {
    /// `spec.group`.
    pub group: String,
    /// `spec.names.kind`.
    pub kind: String,
    /// `<group>_<plural>.yaml`, its file name in `config/crd/bases`.
    pub file_name: String,
    /// The object.
    pub object: Value,
    /// The file `krb make manifests` writes for it, byte for byte.
    pub yaml: String,
}

/// Everything krb-derive needs from one crate.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CrateSchemas {
    /// The files read.
    pub files: Vec<PathBuf>,
    /// Every struct, enum and type alias, in file and source order.
    pub types: Vec<TypeInfo>,
    /// The CRDs, by file name.
    pub crds: Vec<CrdOutput>,
    /// Every error, sorted by location. Paths are the files as read.
    pub diagnostics: Diagnostics,
}

impl CrateSchemas {
    /// The type declared in `file` whose name starts at `line`/`column` (1-based).
    pub fn type_at(&self, file: &Path, line: usize, column: usize) -> Option<&TypeInfo> {
        self.types
            .iter()
            .find(|t| t.file == file && t.ident == (line, column))
    }

    /// The CRD of `group`/`kind`.
    pub fn crd(&self, group: &str, kind: &str) -> Option<&CrdOutput> {
        self.crds
            .iter()
            .find(|c| c.group == group && c.kind == kind)
    }
}

fn derive_names(attrs: &[syn::Attribute]) -> Vec<String> {
    let mut out = Vec::new();
    for a in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let _ = a.parse_nested_meta(|meta| {
            if let Some(s) = meta.path.segments.last() {
                out.push(s.ident.to_string());
            }
            Ok(())
        });
    }
    out
}

/// Load the crate whose sources are under `src_dir` (every `.rs` file; `lib.rs` or `main.rs`
/// is the root), or the one-file crate `src_dir` when it is a file, and run the engine: the
/// CRDs of every kind (with [`Options::default`]), and the schema of every type that derives
/// `derive` (matched on the last path segment, e.g. `"Schema"` for `krb::Schema`).
///
/// The engine and its rules are those of [`generate`](crate::generate): for the same files, the
/// CRDs are the ones `krb make manifests` writes. The errors are those `generate` reports for
/// the api crate, plus the errors of the types deriving `derive` that no CRD uses.
pub fn load(src_dir: &Path, derive: &str) -> CrateSchemas {
    let mut diags = Diagnostics::default();
    let (project, files) = Project::load_crate(src_dir, &mut diags);
    let crds = crd::generate(&project, &Options::default(), &mut diags);
    let mut engine = Engine::new(&project);
    let mut types = Vec::new();
    for (idx, item) in project.items.iter().enumerate() {
        let (attrs, span) = match &item.kind {
            ItemKind::Struct(s) => (&s.attrs, s.span()),
            ItemKind::Enum(e) => (&e.attrs, e.span()),
            ItemKind::Alias(a) => (&a.attrs, a.span()),
        };
        let derives = derive_names(attrs);
        let custom_resource = match &item.kind {
            ItemKind::Struct(s) if crd::derives(&s.attrs, "CustomResource") => {
                crd::kube_attrs(&s.attrs).ok().and_then(|k| {
                    let kind = k.kind?;
                    Some(CustomResourceRef {
                        group: k.group?,
                        version: k.version?,
                        root: k.root.unwrap_or_else(|| kind.clone()),
                        kind,
                    })
                })
            }
            _ => None,
        };
        let schema =
            if derives.iter().any(|d| d == derive) && !matches!(item.kind, ItemKind::Alias(_)) {
                engine.named(idx, &item.docs.loc).map(|s| {
                    let mut v = Value::Object(s);
                    schema::strip_float(&mut v);
                    v
                })
            } else {
                None
            };
        let start = span.start();
        let end = span.end();
        types.push(TypeInfo {
            name: item.name.clone(),
            file: item.path.clone(),
            module: item.module.clone(),
            ident: (item.docs.loc.line, item.docs.loc.column),
            lines: (start.line, end.line),
            derives,
            custom_resource,
            schema,
        });
    }
    diags.errors.append(&mut engine.diags.errors);
    let crds = crds
        .into_iter()
        .map(|c| {
            let text = |p: &str| {
                c.object
                    .pointer(p)
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_owned()
            };
            CrdOutput {
                group: text("/spec/group"),
                kind: text("/spec/names/kind"),
                yaml: format!(
                    "{GENERATED_HEADER}{}",
                    yaml::to_documents(std::slice::from_ref(&c.object))
                ),
                file_name: c.file_name,
                object: c.object,
            }
        })
        .collect();
    CrateSchemas {
        files,
        types,
        crds,
        diagnostics: diags.finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_file_crate() {
        let dir = std::env::temp_dir().join(format!("krb-compiled-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("types.rs");
        std::fs::write(
            &file,
            "/// Foo spec.\n#[derive(CustomResource, krb::Schema)]\n#[kube(group = \"g.io\", version = \"v1\", kind = \"Foo\", root = \"FooRoot\")]\npub struct FooSpec {\n    /// +kubebuilder:validation:Minimum=1\n    pub a: String,\n    pub b: Bar,\n}\n\n#[derive(Schema)]\npub enum Bar { X, Y }\n",
        )
        .unwrap();
        let out = load(&file, "Schema");
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(out.files, std::slice::from_ref(&file));
        assert_eq!(out.types.len(), 2);
        let foo = &out.types[0];
        assert_eq!((foo.ident, foo.lines), ((4, 12), (1, 8)));
        assert_eq!(foo.derives, ["CustomResource", "Schema"]);
        assert_eq!(foo.custom_resource.as_ref().unwrap().root, "FooRoot");
        assert_eq!(
            out.types[1].schema,
            Some(serde_json::json!({"type": "string", "enum": ["X", "Y"]}))
        );
        assert_eq!(
            out.diagnostics.to_string(),
            format!(
                "{}:5:9: error: +kubebuilder:validation:Minimum applies to integers and numbers, but this is a string",
                file.display()
            )
        );
        assert_eq!(
            out.crd("g.io", "Foo").map(|c| c.file_name.as_str()),
            Some("g.io_foos.yaml")
        );
    }
}
