//! The contract of the derive: for every fixture of krb-markers, the CRD the compiled types
//! carry (`CustomResourceSchema::krb_crd` and `CRD_YAML`) is the CRD `krb make manifests`
//! writes (`krb_markers::generate` on the fixture), as a value and byte for byte.
//!
//! The fixtures' API crates are compiled here as modules, from the copies under
//! `tests/fixtures` that `tests/fixture_copies.rs` keeps in step with krb-markers' fixtures.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};

use krb::schema::{CustomResourceSchema, Schema};
use serde_json::{Value, json};

#[rustfmt::skip]
#[path = "fixtures/mod.rs"]
mod fixtures;

/// A kind of a compiled fixture.
#[derive(Debug)]
pub struct Kind {
    fixture: &'static str,
    path: &'static str,
    file_name: &'static str,
    yaml: &'static str,
    crd: fn() -> Value,
}

impl Kind {
    pub fn of<K: CustomResourceSchema>(fixture: &'static str, path: &'static str) -> Kind {
        Kind {
            fixture,
            path,
            file_name: K::CRD_FILE_NAME,
            yaml: K::CRD_YAML,
            crd: K::krb_crd,
        }
    }
}

fn markers_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../krb-markers/tests/fixtures")
}

/// The CRD files of a fixture (file name -> text), or its errors.
type Manifests = Result<BTreeMap<String, String>, String>;

/// `krb make manifests` on a fixture: `config/crd/bases/<file>` -> text, or its errors.
fn manifests(fixture: &str) -> Manifests {
    static CACHE: OnceLock<Mutex<BTreeMap<String, Manifests>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(r) = cache.lock().unwrap().get(fixture) {
        return r.clone();
    }
    let out = krb_markers::generate(
        &markers_fixtures().join(fixture),
        &krb_markers::Options::default(),
    );
    let r = out.map_err(|e| e.to_string()).map(|out| {
        out.files
            .into_iter()
            .filter_map(|(path, text)| {
                let name = path.strip_prefix("config/crd/bases").ok()?;
                Some((name.to_string_lossy().into_owned(), text))
            })
            .collect()
    });
    cache.lock().unwrap().insert(fixture.to_owned(), r.clone());
    r
}

/// For every kind of every compiled fixture: the CRD equals what `krb make manifests` writes.
#[test]
fn crds_are_the_manifests() {
    let kinds = fixtures::kinds();
    assert!(kinds.len() >= 3, "too few kinds: {}", kinds.len());
    let mut covered: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut failures = Vec::new();
    for k in &kinds {
        let files = manifests(k.fixture).unwrap();
        let Some(text) = files.get(k.file_name) else {
            failures.push(format!(
                "{}: {}: krb make manifests writes no {}",
                k.fixture, k.path, k.file_name
            ));
            continue;
        };
        let want: Value = serde_yaml_ng::from_str(text).expect("valid YAML");
        if (k.crd)() != want {
            failures.push(format!(
                "{}: {}: krb_crd() differs from {}",
                k.fixture, k.path, k.file_name
            ));
        }
        if k.yaml != text {
            failures.push(format!(
                "{}: {}: CRD_YAML differs from {}",
                k.fixture, k.path, k.file_name
            ));
        }
        *covered.entry((k.fixture, k.file_name)).or_default() += 1;
    }
    // Every CRD of every compiled fixture is checked.
    let fixtures: std::collections::BTreeSet<&str> = kinds.iter().map(|k| k.fixture).collect();
    for f in fixtures {
        for name in manifests(f).unwrap().keys() {
            if !covered.contains_key(&(f, name.as_str())) {
                failures.push(format!("{f}: {name} is not checked"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The fixtures the contract names are compiled.
#[test]
fn the_named_fixtures_are_compiled() {
    let kinds = fixtures::kinds();
    for f in ["cronjob", "tutorial", "markers"] {
        assert!(kinds.iter().any(|k| k.fixture == f), "{f} is not compiled");
    }
    // Each version of a kind carries the whole CRD.
    assert_eq!(
        fixtures::tutorial::v1beta1::CronJob::krb_crd(),
        fixtures::tutorial::v1::cronjob_types::CronJob::krb_crd()
    );
}

fn spec_props(crd: &Value, version: &str) -> Value {
    let versions = crd["spec"]["versions"].as_array().unwrap();
    let v = versions.iter().find(|v| v["name"] == version).unwrap();
    v["schema"]["openAPIV3Schema"]["properties"].clone()
}

/// Each type's own schema is the one its uses get.
#[test]
fn type_schemas() {
    use fixtures::tutorial::v1;
    let crd = v1::Widget::krb_crd();
    let props = spec_props(&crd, "v1");
    assert_eq!(v1::WidgetSpec::schema(), props["spec"]);
    assert_eq!(v1::WidgetStatus::schema(), props["status"]);
    assert_eq!(
        v1::Port::schema(),
        props["spec"]["properties"]["ports"]["items"]
    );
    assert_eq!(v1::Mode::schema()["enum"], json!(["fast", "safe"]));
    assert_eq!(
        v1::Percent::schema(),
        json!({"description": "Percent is a whole percentage.", "type": "integer", "format": "int32", "minimum": 0, "maximum": 100})
    );
}

/// kube's `crd()` goes through schemars, so it gets krb's schemas from the `JsonSchema` impls
/// the derive provides, then rewrites them in its own ways (numbers become floats, an
/// int-or-string's `anyOf` loses its types, `uniqueItems` is dropped): use `krb_crd()` (or
/// `krb make manifests`) for the manifests. Where kube rewrites nothing, the two agree.
#[test]
fn kube_crd_carries_the_krb_schema() {
    use fixtures::{markers, tutorial};
    use kube::CustomResourceExt;
    let kube_crd = serde_json::to_value(tutorial::v1beta1::CronJob::crd()).unwrap();
    let krb_crd = tutorial::v1::CronJob::krb_crd();
    assert_eq!(
        spec_props(&kube_crd, "v1beta1")["spec"],
        spec_props(&krb_crd, "v1beta1")["spec"]
    );
    let kube_crd = serde_json::to_value(markers::v1::Gadget::crd()).unwrap();
    let krb_crd = markers::v1::Gadget::krb_crd();
    let (kube_spec, krb_spec) = (
        &spec_props(&kube_crd, "v1")["spec"],
        &spec_props(&krb_crd, "v1")["spec"],
    );
    for key in ["description", "required", "x-kubernetes-validations"] {
        assert_eq!(kube_spec[key], krb_spec[key], "{key}");
    }
    for field in ["kind", "even", "endpoints", "ruled", "documented"] {
        assert_eq!(
            kube_spec["properties"][field], krb_spec["properties"][field],
            "{field}"
        );
    }
}
