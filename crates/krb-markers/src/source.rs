//! Loading a project: the api crate's items (syn), their docs and markers, module/`use`
//! resolution, and the crate-level markers found in any comment of `api/` and `src/`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::spanned::Spanned;

use crate::registry::{self, Marker, Parsed, Target};
use crate::{Diagnostics, Loc};

/// Doc comment of an item: its description and its markers.
#[derive(Clone, Debug, Default)]
pub struct Docs {
    /// The description (controller-gen's rules: markers removed, blank lines trimmed).
    pub text: String,
    /// Markers, in source order.
    pub markers: Vec<Marker>,
    /// Where the item is (for errors without a better place).
    pub loc: Loc,
}

impl Docs {
    pub fn has(&self, name: &str) -> bool {
        self.markers.iter().any(|m| m.name == name)
    }
    pub fn get(&self, name: &str) -> Option<&Marker> {
        self.markers.iter().find(|m| m.name == name)
    }
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Marker> + 'a {
        self.markers.iter().filter(move |m| m.name == name)
    }
}

/// A type declared in the api crate.
#[derive(Debug)]
pub struct TypeItem {
    pub module: Vec<String>,
    pub name: String,
    pub kind: ItemKind,
    pub docs: Docs,
    pub path: PathBuf,
}

#[derive(Debug)]
pub enum ItemKind {
    Struct(syn::ItemStruct),
    Enum(syn::ItemEnum),
    Alias(syn::ItemType),
}

#[derive(Debug, Default)]
pub struct ModuleInfo {
    items: BTreeMap<String, usize>,
    children: BTreeSet<String>,
    uses: Vec<(String, Vec<String>)>,
    globs: Vec<Vec<String>>,
}

/// What a path names.
#[derive(Clone, Debug, PartialEq)]
pub enum Resolved {
    /// A type of the api crate (index into `Project::items`).
    Local(usize),
    /// A module of the api crate.
    Module(Vec<String>),
    /// A path into another crate, e.g. `k8s_openapi::api::core::v1::PodSpec`.
    Extern(String),
}

/// The loaded project.
#[derive(Debug, Default)]
pub struct Project {
    pub items: Vec<TypeItem>,
    pub modules: BTreeMap<Vec<String>, ModuleInfo>,
    /// Crate-level markers (RBAC, webhooks, groupName, ...) from every comment.
    pub package_markers: Vec<Marker>,
}

fn rs_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name()
                .is_some_and(|n| n == "target" || n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            rs_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            out.push(p);
        }
    }
}

fn module_of(rel_to_src: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel_to_src
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let last = parts.pop().unwrap_or_default();
    let stem = last.trim_end_matches(".rs");
    if parts.is_empty() && (stem == "lib" || stem == "main") {
        return parts;
    }
    if stem != "mod" {
        parts.push(stem.to_owned());
    }
    parts
}

/// 1-based line and column of a span start.
pub fn span_loc(path: &Path, span: proc_macro2::Span) -> Loc {
    let lc = span.start();
    Loc {
        path: path.to_owned(),
        line: lc.line,
        column: lc.column + 1,
    }
}

/// controller-gen's description rules applied to doc lines (markers already removed).
pub fn doc_text(lines: &[String]) -> String {
    // Go's CommentGroup.Text(): first space removed, trailing space trimmed, leading and
    // trailing blank lines removed, runs of blank lines collapsed.
    let mut cleaned: Vec<String> = Vec::new();
    for l in lines {
        let l = l.strip_prefix(' ').unwrap_or(l).trim_end().to_owned();
        if l.is_empty() && cleaned.last().is_none_or(String::is_empty) {
            continue;
        }
        cleaned.push(l);
    }
    while cleaned.last().is_some_and(String::is_empty) {
        cleaned.pop();
    }
    let mut out: Vec<String> = Vec::new();
    let mut in_code = false;
    for l in cleaned {
        if l.starts_with("```") || l.starts_with("~~~") {
            in_code = !in_code;
        }
        if !in_code {
            if l.starts_with("TODO") {
                continue;
            }
            if l.starts_with("---") {
                break;
            }
        }
        out.push(l);
    }
    out.join("\n")
}

/// Read the doc attributes of an item: description and markers for `target`.
pub fn read_docs(
    attrs: &[syn::Attribute],
    target: Target,
    path: &Path,
    item_span: proc_macro2::Span,
    diags: &mut Diagnostics,
) -> Docs {
    let mut lines = Vec::new();
    let mut markers = Vec::new();
    for attr in attrs {
        if !attr.path().is_ident("doc") {
            continue;
        }
        let syn::Meta::NameValue(nv) = &attr.meta else {
            continue;
        };
        let syn::Expr::Lit(syn::ExprLit {
            lit: syn::Lit::Str(s),
            ..
        }) = &nv.value
        else {
            continue;
        };
        let value = s.value();
        let start = span_loc(path, attr.span());
        for (k, line) in value.split('\n').enumerate() {
            let Some((off, raw)) = registry::marker_in_line(line) else {
                lines.push(line.to_owned());
                continue;
            };
            let chars_before = line[..off].chars().count();
            let loc = if k == 0 {
                Loc {
                    path: path.to_owned(),
                    line: start.line,
                    column: start.column + 3 + chars_before,
                }
            } else {
                Loc {
                    path: path.to_owned(),
                    line: start.line + k,
                    column: chars_before + 1,
                }
            };
            match registry::parse(raw, target) {
                Parsed::Known(def, value) => markers.push(Marker {
                    name: def.name.clone(),
                    value,
                    loc,
                }),
                Parsed::Error(o, msg) => {
                    let col = raw[..o.min(raw.len())].chars().count();
                    diags.push(&loc.offset(col), msg);
                }
                // unknown markers are reported by the comment scan; crate-level ones are read there
                Parsed::Unknown(_) | Parsed::Foreign | Parsed::Elsewhere(_) => {}
            }
        }
    }
    Docs {
        text: doc_text(&lines),
        markers,
        loc: span_loc(path, item_span),
    }
}

fn flatten_use(tree: &syn::UseTree, prefix: &mut Vec<String>, info: &mut ModuleInfo) {
    match tree {
        syn::UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, info);
            prefix.pop();
        }
        syn::UseTree::Name(n) => {
            if n.ident == "self" {
                if let Some(last) = prefix.last() {
                    info.uses.push((last.clone(), prefix.clone()));
                }
            } else {
                let mut p = prefix.clone();
                p.push(n.ident.to_string());
                info.uses.push((n.ident.to_string(), p));
            }
        }
        syn::UseTree::Rename(r) => {
            let mut p = prefix.clone();
            p.push(r.ident.to_string());
            info.uses.push((r.rename.to_string(), p));
        }
        syn::UseTree::Glob(_) => info.globs.push(prefix.clone()),
        syn::UseTree::Group(g) => {
            for t in &g.items {
                flatten_use(t, prefix, info);
            }
        }
    }
}

impl Project {
    /// Load `api/src/**/*.rs` (parsed) and scan `api/` and `src/` comments for crate markers.
    pub fn load(root: &Path, diags: &mut Diagnostics) -> Project {
        let mut project = Project::default();
        let api_src = root.join("api").join("src");
        let mut api_files = Vec::new();
        rs_files(&api_src, &mut api_files);
        for file in &api_files {
            let rel = file.strip_prefix(root).unwrap_or(file).to_owned();
            let Ok(text) = std::fs::read_to_string(file) else {
                diags.push(
                    &Loc {
                        path: rel,
                        line: 1,
                        column: 1,
                    },
                    "cannot read file",
                );
                continue;
            };
            project.scan_comments(&rel, &text, diags);
            match syn::parse_file(&text) {
                Ok(ast) => {
                    let module = module_of(file.strip_prefix(&api_src).unwrap_or(file));
                    project.index_items(&ast.items, module, &rel, diags);
                }
                Err(e) => diags.push(&span_loc(&rel, e.span()), format!("cannot parse: {e}")),
            }
        }
        let mut src_files = Vec::new();
        rs_files(&root.join("src"), &mut src_files);
        for file in &src_files {
            let rel = file.strip_prefix(root).unwrap_or(file).to_owned();
            if let Ok(text) = std::fs::read_to_string(file) {
                project.scan_comments(&rel, &text, diags);
            }
        }
        project
    }

    /// Load one crate the way krb-derive sees it at compile time: every `.rs` file under
    /// `src_dir` (its `lib.rs`/`main.rs` is the crate root), or only `src_dir` itself when it
    /// is a file (a one-file crate). Locations carry the paths as read (`src_dir` joined with
    /// the file). Returns the project and the files read.
    pub fn load_crate(src_dir: &Path, diags: &mut Diagnostics) -> (Project, Vec<PathBuf>) {
        let mut project = Project::default();
        let mut files = Vec::new();
        let single = src_dir.is_file();
        if single {
            files.push(src_dir.to_owned());
        } else {
            rs_files(src_dir, &mut files);
        }
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                diags.push(
                    &Loc {
                        path: file.clone(),
                        line: 1,
                        column: 1,
                    },
                    "cannot read file",
                );
                continue;
            };
            project.scan_comments(file, &text, diags);
            match syn::parse_file(&text) {
                Ok(ast) => {
                    let module = if single {
                        Vec::new()
                    } else {
                        module_of(file.strip_prefix(src_dir).unwrap_or(file))
                    };
                    project.index_items(&ast.items, module, file, diags);
                }
                Err(e) => diags.push(&span_loc(file, e.span()), format!("cannot parse: {e}")),
            }
        }
        (project, files)
    }

    /// Load from in-memory files of the api crate (path relative to `api/src`, text).
    #[cfg(test)]
    pub fn from_sources(files: &[(&str, &str)], diags: &mut Diagnostics) -> Project {
        let mut project = Project::default();
        for (path, text) in files {
            let rel = Path::new("api/src").join(path);
            project.scan_comments(&rel, text, diags);
            match syn::parse_file(text) {
                Ok(ast) => project.index_items(&ast.items, module_of(Path::new(path)), &rel, diags),
                Err(e) => diags.push(&span_loc(&rel, e.span()), format!("cannot parse: {e}")),
            }
        }
        project
    }

    fn scan_comments(&mut self, rel: &Path, text: &str, diags: &mut Diagnostics) {
        for (n, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let Some(after) = trimmed.strip_prefix("//") else {
                continue;
            };
            let (body, doc) = match after.strip_prefix('/') {
                Some(b) if !b.starts_with('/') => (b, true),
                _ => (after.strip_prefix('!').unwrap_or(after), false),
            };
            let Some((off, raw)) = registry::marker_in_line(body) else {
                continue;
            };
            let col0 = line[..line.len() - body.len() + off].chars().count();
            let loc = Loc {
                path: rel.to_owned(),
                line: n + 1,
                column: col0 + 1,
            };
            match registry::parse(raw, Target::Package) {
                Parsed::Known(def, value) => self.package_markers.push(Marker {
                    name: def.name.clone(),
                    value,
                    loc,
                }),
                Parsed::Error(o, msg) => {
                    let col = raw[..o.min(raw.len())].chars().count();
                    diags.push(&loc.offset(col), msg);
                }
                Parsed::Unknown(msg) => diags.push(&loc, msg),
                Parsed::Elsewhere(def) => {
                    if !doc {
                        diags.push(
                            &loc,
                            format!(
                                "marker +{} is in a plain `//` comment, where krb does not read it; put it in the `///` doc comment of the type or field",
                                def.name
                            ),
                        );
                    }
                }
                Parsed::Foreign => {}
            }
        }
    }

    fn index_items(
        &mut self,
        items: &[syn::Item],
        module: Vec<String>,
        rel: &Path,
        diags: &mut Diagnostics,
    ) {
        for m in 1..module.len() {
            let parent = module[..m].to_vec();
            self.modules
                .entry(parent)
                .or_default()
                .children
                .insert(module[m].clone());
        }
        if let Some(first) = module.first() {
            self.modules
                .entry(Vec::new())
                .or_default()
                .children
                .insert(first.clone());
        }
        self.modules.entry(module.clone()).or_default();
        for item in items {
            let (name, kind, attrs, span) = match item {
                syn::Item::Struct(s) => (
                    s.ident.to_string(),
                    ItemKind::Struct(s.clone()),
                    &s.attrs,
                    s.ident.span(),
                ),
                syn::Item::Enum(e) => (
                    e.ident.to_string(),
                    ItemKind::Enum(e.clone()),
                    &e.attrs,
                    e.ident.span(),
                ),
                syn::Item::Type(t) => (
                    t.ident.to_string(),
                    ItemKind::Alias(t.clone()),
                    &t.attrs,
                    t.ident.span(),
                ),
                syn::Item::Mod(m) => {
                    let mut sub = module.clone();
                    sub.push(m.ident.to_string());
                    self.modules
                        .entry(module.clone())
                        .or_default()
                        .children
                        .insert(m.ident.to_string());
                    if let Some((_, content)) = &m.content {
                        self.index_items(content, sub, rel, diags);
                    }
                    continue;
                }
                syn::Item::Use(u) => {
                    let info = self.modules.entry(module.clone()).or_default();
                    flatten_use(&u.tree, &mut Vec::new(), info);
                    continue;
                }
                _ => continue,
            };
            let docs = read_docs(attrs, Target::Type, rel, span, diags);
            let idx = self.items.len();
            self.items.push(TypeItem {
                module: module.clone(),
                name: name.clone(),
                kind,
                docs,
                path: rel.to_owned(),
            });
            self.modules
                .entry(module.clone())
                .or_default()
                .items
                .insert(name, idx);
        }
    }

    /// Resolve `segs` as written in `module`.
    pub fn resolve(&self, module: &[String], segs: &[String]) -> Option<Resolved> {
        self.resolve_in(module, segs, 0)
    }

    fn resolve_in(&self, module: &[String], segs: &[String], depth: usize) -> Option<Resolved> {
        if depth > 24 || segs.is_empty() {
            return None;
        }
        match segs[0].as_str() {
            "crate" => self.lookup_abs(Vec::new(), &segs[1..], depth),
            "self" => self.lookup_abs(module.to_vec(), &segs[1..], depth),
            "super" => {
                let mut m = module.to_vec();
                m.pop();
                if segs.len() > 1 && segs[1] == "super" {
                    return self.resolve_in(&m, &segs[1..], depth + 1);
                }
                self.lookup_abs(m, &segs[1..], depth)
            }
            first => match self.lookup_name(module, first, depth) {
                Some(Resolved::Module(m)) => self.lookup_abs(m, &segs[1..], depth),
                Some(Resolved::Extern(p)) => {
                    let mut full = p;
                    for s in &segs[1..] {
                        full.push_str("::");
                        full.push_str(s);
                    }
                    Some(Resolved::Extern(full))
                }
                Some(Resolved::Local(i)) if segs.len() == 1 => Some(Resolved::Local(i)),
                Some(Resolved::Local(_)) => None,
                None if segs.len() > 1 => Some(Resolved::Extern(segs.join("::"))),
                None => None,
            },
        }
    }

    fn lookup_abs(&self, mut m: Vec<String>, segs: &[String], depth: usize) -> Option<Resolved> {
        if segs.is_empty() {
            return Some(Resolved::Module(m));
        }
        for (i, s) in segs.iter().enumerate() {
            let r = self.lookup_name(&m, s, depth + 1)?;
            if i + 1 == segs.len() {
                return Some(r);
            }
            match r {
                Resolved::Module(mm) => m = mm,
                Resolved::Extern(p) => {
                    return Some(Resolved::Extern(format!(
                        "{p}::{}",
                        segs[i + 1..].join("::")
                    )));
                }
                Resolved::Local(_) => return None,
            }
        }
        None
    }

    fn lookup_name(&self, module: &[String], name: &str, depth: usize) -> Option<Resolved> {
        if depth > 24 {
            return None;
        }
        let info = self.modules.get(module)?;
        if let Some(&i) = info.items.get(name) {
            return Some(Resolved::Local(i));
        }
        if info.children.contains(name) {
            let mut m = module.to_vec();
            m.push(name.to_owned());
            return Some(Resolved::Module(m));
        }
        for (alias, path) in &info.uses {
            if alias == name {
                return self.resolve_use(module, path, depth + 1);
            }
        }
        for g in &info.globs {
            match self.resolve_use(module, g, depth + 1) {
                Some(Resolved::Module(gm)) => {
                    if let Some(r) = self.lookup_name(&gm, name, depth + 1) {
                        return Some(r);
                    }
                }
                Some(Resolved::Extern(p)) => {
                    let full = format!("{p}::{name}");
                    if crate::k8s::contains(&full) {
                        return Some(Resolved::Extern(full));
                    }
                }
                _ => {}
            }
        }
        None
    }

    fn resolve_use(&self, module: &[String], path: &[String], depth: usize) -> Option<Resolved> {
        let first = path.first()?;
        match first.as_str() {
            "crate" | "self" | "super" => self.resolve_in(module, path, depth + 1),
            f => {
                let info = self.modules.get(module)?;
                if info.children.contains(f) || info.items.contains_key(f) {
                    self.lookup_abs(module.to_vec(), path, depth + 1)
                } else {
                    Some(Resolved::Extern(path.join("::")))
                }
            }
        }
    }

    /// The only type of the api crate named `name`, if exactly one exists.
    pub fn unique_named(&self, name: &str) -> Option<usize> {
        let mut found = self
            .items
            .iter()
            .enumerate()
            .filter(|(_, t)| t.name == name);
        let first = found.next()?.0;
        found.next().is_none().then_some(first)
    }

    /// Crate-level markers named `name`.
    pub fn package_markers<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Marker> + 'a {
        self.package_markers.iter().filter(move |m| m.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn descriptions() {
        assert_eq!(
            doc_text(&lines(&[" CronJobSpec defines.", "", ""])),
            "CronJobSpec defines."
        );
        assert_eq!(
            doc_text(&lines(&["", " a", " b", "", "", " c", ""])),
            "a\nb\n\nc"
        );
        assert_eq!(
            doc_text(&lines(&[" a", " TODO: later", " b", " ---", " hidden"])),
            "a\nb"
        );
        assert_eq!(
            doc_text(&lines(&[" ```", " TODO x", " ```"])),
            "```\nTODO x\n```"
        );
        assert_eq!(doc_text(&lines(&["  indented  "])), " indented");
    }

    #[test]
    fn modules() {
        assert_eq!(module_of(Path::new("lib.rs")), Vec::<String>::new());
        assert_eq!(module_of(Path::new("v1/mod.rs")), ["v1"]);
        assert_eq!(
            module_of(Path::new("v1/cronjob_types.rs")),
            ["v1", "cronjob_types"]
        );
        assert_eq!(module_of(Path::new("v1.rs")), ["v1"]);
    }

    #[test]
    fn resolution() {
        let mut d = Diagnostics::default();
        let p = Project::from_sources(
            &[
                ("lib.rs", "pub mod v1;"),
                ("v1/mod.rs", "mod types; pub use types::*; pub mod common;"),
                (
                    "v1/types.rs",
                    "use super::common::Shared as S; use k8s_openapi::api::core::v1 as corev1; pub struct A;",
                ),
                ("v1/common.rs", "pub struct Shared;"),
            ],
            &mut d,
        );
        assert!(d.is_empty(), "{d}");
        let m = vec!["v1".to_owned(), "types".to_owned()];
        let seg = |s: &str| s.split("::").map(str::to_owned).collect::<Vec<_>>();
        let shared = p.unique_named("Shared").unwrap();
        assert_eq!(p.resolve(&m, &seg("S")), Some(Resolved::Local(shared)));
        assert_eq!(
            p.resolve(&m, &seg("crate::v1::A")),
            Some(Resolved::Local(p.unique_named("A").unwrap()))
        );
        assert_eq!(
            p.resolve(&m, &seg("corev1::PodSpec")),
            Some(Resolved::Extern(
                "k8s_openapi::api::core::v1::PodSpec".into()
            ))
        );
        assert_eq!(p.resolve(&m, &seg("String")), None);
    }
}
