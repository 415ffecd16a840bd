//! `tests/fixtures/<name>/api` are krb-markers' fixtures' API crates, which `tests/parity.rs`
//! compiles as modules, after two mechanical edits: `krb::Schema` is added first in every
//! `#[derive(...)]` (which also gives kube's `CustomResource` the `JsonSchema` it needs), and
//! every `mod` is made `pub`, so that the test can name the kinds. `tests/fixtures/mod.rs` lists
//! them and their kinds. All of it is generated: `fixtures_are_fresh` fails when it is stale, and
//! `KRB_BLESS=1 cargo test -p krb-derive --test fixture_copies` (or `SNAPSHOTS=overwrite`)
//! rewrites it. This test does not include the copies, so it builds even when they are stale.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Fixtures that are not compiled, with the reason. A fixture whose manifests have errors (the
/// diagnostics fixture) is skipped by itself.
const NOT_COMPILED: &[(&str, &str)] = &[
    (
        "defaults",
        "uses k8s_openapi::apimachinery::pkg::apis::meta::v1::Duration, which krb's table has but k8s-openapi does not",
    ),
    (
        "k8s-meta",
        "uses k8s_openapi::apimachinery::pkg::apis::meta::v1::Duration, which krb's table has but k8s-openapi does not",
    ),
    (
        "modules",
        "uses `crate::` paths, which name this test crate when the fixture is compiled as a module",
    ),
];

fn bless() -> bool {
    std::env::var("KRB_BLESS").is_ok_and(|v| v == "1")
        || std::env::var("SNAPSHOTS").is_ok_and(|v| v == "overwrite")
}

fn markers_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../krb-markers/tests/fixtures")
}

fn copies() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Does `krb make manifests` succeed on the fixture?
fn has_manifests(fixture: &str) -> bool {
    krb_markers::generate(
        &markers_fixtures().join(fixture),
        &krb_markers::Options::default(),
    )
    .is_ok()
}

fn rs_files(dir: &Path, base: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd {
        let p = e.unwrap().path();
        if p.is_dir() {
            rs_files(&p, base, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p.strip_prefix(base).unwrap().to_owned());
        }
    }
    out.sort();
}

/// The two edits: `krb::Schema` first in every derive, every `mod` public.
fn edit(text: &str) -> String {
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        if let Some(rest) = body.strip_prefix("#[derive(") {
            out.push_str(&format!("{indent}#[derive(krb::Schema, {rest}"));
        } else if body.starts_with("mod ") {
            out.push_str(&format!("{indent}pub {body}"));
        } else {
            out.push_str(line);
        }
    }
    out
}

fn module_name(fixture: &str) -> String {
    fixture.replace('-', "_")
}

/// What `tests/fixtures` must hold: path (relative to it) -> text.
fn expected_copies() -> BTreeMap<PathBuf, String> {
    let mut files = BTreeMap::new();
    let mut fixtures: Vec<String> = std::fs::read_dir(markers_fixtures())
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().join("api/src").is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    fixtures.sort();
    let mut mods = String::new();
    let mut kinds = String::new();
    let mut skipped = String::new();
    for fixture in &fixtures {
        if let Some((_, why)) = NOT_COMPILED.iter().find(|(f, _)| f == fixture) {
            skipped.push_str(&format!("//   {fixture}: {why}\n"));
            continue;
        }
        if !has_manifests(fixture) {
            skipped.push_str(&format!(
                "//   {fixture}: krb make manifests reports errors\n"
            ));
            continue;
        }
        let api = markers_fixtures().join(fixture).join("api");
        let mut rs = Vec::new();
        rs_files(&api, &api, &mut rs);
        for file in rs {
            let text = std::fs::read_to_string(api.join(&file)).unwrap();
            files.insert(Path::new(fixture).join("api").join(file), edit(&text));
        }
        let m = module_name(fixture);
        mods.push_str(&format!(
            "#[path = \"{fixture}/api/src/lib.rs\"]\npub mod {m};\n"
        ));
        let schemas = krb_markers::compiled::load(&api.join("src"), "Schema");
        for t in &schemas.types {
            let Some(cr) = &t.custom_resource else {
                continue;
            };
            let mut path = vec![m.clone()];
            path.extend(t.module.iter().cloned());
            path.push(cr.root.clone());
            let path = path.join("::");
            kinds.push_str(&format!(
                "        Kind::of::<{path}>(\"{fixture}\", \"{path}\"),\n"
            ));
        }
    }
    let mod_rs = format!(
        "// Generated by `KRB_BLESS=1 cargo test -p krb-derive --test fixture_copies` from\n\
         // crates/krb-markers/tests/fixtures. DO NOT EDIT.\n\
         // Not compiled:\n{skipped}\n\
         #![allow(dead_code, unused_imports, missing_debug_implementations, clippy::all, clippy::pedantic)]\n\n\
         use super::Kind;\n\n{mods}\n\
         /// Every kind of the compiled fixtures.\n\
         pub fn kinds() -> Vec<Kind> {{\n    vec![\n{kinds}    ]\n}}\n"
    );
    files.insert(PathBuf::from("mod.rs"), mod_rs);
    files
}

#[test]
fn fixtures_are_fresh() {
    let want = expected_copies();
    let mut have = Vec::new();
    rs_files(&copies(), &copies(), &mut have);
    if bless() {
        for stale in have.iter().filter(|p| !want.contains_key(*p)) {
            let mut path = copies().join(stale);
            std::fs::remove_file(&path).unwrap();
            // and the directories it leaves empty
            while path.pop() && path != copies() && std::fs::remove_dir(&path).is_ok() {}
        }
        for (path, text) in &want {
            let full = copies().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            if std::fs::read_to_string(&full).ok().as_deref() != Some(text.as_str()) {
                std::fs::write(&full, text).unwrap();
            }
        }
        return;
    }
    let hint = "run `KRB_BLESS=1 cargo test -p krb-derive --test fixture_copies`";
    assert_eq!(
        have,
        want.keys().cloned().collect::<Vec<_>>(),
        "tests/fixtures has other files than the fixtures: {hint}"
    );
    for (path, text) in &want {
        let got = std::fs::read_to_string(copies().join(path)).unwrap();
        assert!(
            got == *text,
            "tests/fixtures/{} is stale: {hint}",
            path.display()
        );
    }
}
