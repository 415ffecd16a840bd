//! The CRDs krb writes, on a real API server (krb's envtest harness: etcd and kube-apiserver).
//!
//! 1. Every CRD of the markers fixtures (crates/krb-markers/tests/fixtures/*, rendered by
//!    `krb_markers::generate`) and every CRD under testdata/*/config/crd/bases installs and
//!    becomes Established.
//! 2. Each validation marker does what it says: a violating object is rejected with 422 and a
//!    message naming the field, a conforming one is accepted (server-side dry run; a table of
//!    fixture, kind, field, bad value, good value); k8s:immutable and the oldSelf rules on
//!    updates; unknown fields kept or pruned and defaults filled in.
//! 3. The Guestbook of kubebuilder's book: `size: 11` and `alias: Email` are rejected.
//!
//! Without the envtest binaries the tests print SKIP, unless `CI=true`: then they fail.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use krb::envtest::{Environment, TestEnv};
use krb_tests::repo_root;
use kube::api::{
    Api, ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams,
};
use serde_json::{Value, json};

/// Bound of every wait for the API server.
const WAIT: Duration = Duration::from_secs(60);

fn fixtures_dir() -> PathBuf {
    repo_root().join("crates/krb-markers/tests/fixtures")
}

/// The CRDs krb renders for one fixture, with the file they would be written to.
fn fixture_crds(name: &str) -> Vec<(String, CustomResourceDefinition)> {
    let root = fixtures_dir().join(name);
    let out = krb_markers::generate(&root, &krb_markers::Options::default())
        .unwrap_or_else(|d| panic!("fixture {name}:\n{d}"));
    let mut crds = Vec::new();
    for (path, text) in out.files {
        if !path.starts_with("config/crd/bases") {
            continue;
        }
        let origin = format!("fixtures/{name}/{}", path.display());
        for crd in krb::envtest::parse_crds(&text).unwrap_or_else(|e| panic!("{origin}: {e}")) {
            crds.push((origin.clone(), crd));
        }
    }
    crds
}

/// The fixtures that have an api crate (every one but the diagnostics fixture has CRDs or RBAC).
fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures dir")
        .filter_map(Result::ok)
        .filter(|e| e.path().join("api/src").is_dir() && e.file_name() != "errors")
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every CRD under testdata/*/config/crd/bases, with its file.
fn testdata_crds() -> Vec<(String, CustomResourceDefinition)> {
    let mut crds = Vec::new();
    let mut projects: Vec<PathBuf> = std::fs::read_dir(repo_root().join("testdata"))
        .expect("testdata dir")
        .filter_map(Result::ok)
        .map(|e| e.path().join("config/crd/bases"))
        .filter(|p| p.is_dir())
        .collect();
    projects.sort();
    for dir in projects {
        let origin = dir
            .strip_prefix(repo_root())
            .unwrap_or(&dir)
            .display()
            .to_string();
        for crd in krb::envtest::read_crds(&dir).unwrap_or_else(|e| panic!("{origin}: {e}")) {
            crds.push((origin.clone(), crd));
        }
    }
    crds
}

fn crd_name(crd: &CustomResourceDefinition) -> String {
    crd.metadata.name.clone().unwrap_or_default()
}

/// Deletes a CRD and waits until it is gone, so the next one of that name is a fresh install.
async fn delete_crd(env: &TestEnv, name: &str) {
    let api: Api<CustomResourceDefinition> = Api::all(env.client());
    api.delete(name, &DeleteParams::default())
        .await
        .unwrap_or_else(|e| panic!("deleting CRD {name}: {e}"));
    let deadline = Instant::now() + WAIT;
    while api.get_opt(name).await.expect("reading a CRD").is_some() {
        assert!(
            Instant::now() < deadline,
            "CRD {name} still exists after {WAIT:?}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The CRD as the API server has it: its Established and NamesAccepted conditions.
async fn conditions(env: &TestEnv, name: &str) -> BTreeMap<String, String> {
    let api: Api<CustomResourceDefinition> = Api::all(env.client());
    let crd = api.get(name).await.expect("reading an installed CRD");
    crd.status
        .and_then(|s| s.conditions)
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.type_, c.status))
        .collect()
}

#[tokio::test]
async fn every_fixture_and_testdata_crd_installs_and_becomes_established() {
    let Some(env) = Environment::builder().build().start_or_skip().await else {
        return;
    };
    let mut all = Vec::new();
    for name in fixture_names() {
        all.extend(fixture_crds(&name));
    }
    all.extend(testdata_crds());
    assert!(all.len() >= 35, "only {} CRDs found", all.len());
    let mut installed: Vec<String> = Vec::new();
    let mut failures = Vec::new();
    for (origin, crd) in &all {
        let name = crd_name(crd);
        // Several fixtures (and testdata/project) define cronjobs.batch.tutorial.kubebuilder.io.
        if installed.contains(&name) {
            delete_crd(&env, &name).await;
        }
        if let Err(e) = env.install_crd_objects(std::slice::from_ref(crd)).await {
            failures.push(format!("{origin} ({name}): {e}"));
            continue;
        }
        installed.push(name.clone());
        let c = conditions(&env, &name).await;
        for cond in ["Established", "NamesAccepted"] {
            if c.get(cond).map(String::as_str) != Some("True") {
                failures.push(format!("{origin} ({name}): {cond} is {:?}", c.get(cond)));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} CRDs failed:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
    eprintln!("{} CRDs installed and Established", all.len());
}

/// A custom resource kind of a fixture, as served.
struct Kind {
    resource: ApiResource,
    namespaced: bool,
}

impl Kind {
    fn api(&self, env: &TestEnv) -> Api<DynamicObject> {
        if self.namespaced {
            Api::namespaced_with(env.client(), "default", &self.resource)
        } else {
            Api::all_with(env.client(), &self.resource)
        }
    }

    /// An object of this kind with `spec`.
    fn object(&self, name: &str, spec: Value) -> DynamicObject {
        let mut obj = DynamicObject::new(name, &self.resource);
        obj.data = json!({ "spec": spec });
        obj
    }
}

/// Installs the CRDs of `fixtures` and returns their kinds by name (the storage version).
async fn install_fixtures(env: &TestEnv, fixtures: &[&str]) -> BTreeMap<String, Kind> {
    let mut kinds = BTreeMap::new();
    let mut crds = Vec::new();
    for f in fixtures {
        crds.extend(fixture_crds(f).into_iter().map(|(_, c)| c));
    }
    env.install_crd_objects(&crds)
        .await
        .unwrap_or_else(|e| panic!("installing the CRDs of {fixtures:?}: {e}"));
    for crd in crds {
        let spec = &crd.spec;
        let version = spec
            .versions
            .iter()
            .find(|v| v.storage)
            .expect("a storage version");
        let gvk = GroupVersionKind::gvk(&spec.group, &version.name, &spec.names.kind);
        kinds.insert(
            spec.names.kind.clone(),
            Kind {
                resource: ApiResource::from_gvk_with_plural(&gvk, &spec.names.plural),
                namespaced: spec.scope == "Namespaced",
            },
        );
    }
    kinds
}

/// Sets `value` at the dotted `path` of `spec` (numbers index lists); `null` is kept as null.
fn set_path(spec: &mut Value, path: &str, value: Value) {
    let mut node = spec;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        if let Ok(index) = part.parse::<usize>() {
            let list = node.as_array_mut().expect("a list on the path");
            if last {
                list[index] = value;
                return;
            }
            node = &mut list[index];
        } else {
            let map = node.as_object_mut().expect("an object on the path");
            if last {
                map.insert((*part).to_owned(), value);
                return;
            }
            node = map.entry(*part).or_insert_with(|| json!({}));
        }
    }
}

/// What the API server said to a dry-run create.
enum Answer {
    Created,
    Rejected { code: u16, message: String },
}

async fn dry_run_create(kind: &Kind, env: &TestEnv, spec: Value) -> Answer {
    let pp = PostParams {
        dry_run: true,
        ..PostParams::default()
    };
    match kind.api(env).create(&pp, &kind.object("probe", spec)).await {
        Ok(_) => Answer::Created,
        Err(kube::Error::Api(s)) => Answer::Rejected {
            code: s.code,
            message: s.message,
        },
        Err(e) => panic!("create failed without an API status: {e}"),
    }
}

/// One row of the table: a field of a fixture's kind, a value that breaks its marker and one
/// that satisfies it. `names` is what the 422 message must contain (the field's path).
struct Case {
    marker: &'static str,
    fixture: &'static str,
    kind: &'static str,
    field: &'static str,
    bad: Option<Value>,
    good: Option<Value>,
    names: &'static str,
}

/// A spec each kind accepts; a case changes one field of it.
fn base_spec(kind: &str) -> Value {
    match kind {
        "Meter" => json!({"replicas": 1}),
        "Label" => json!({"name": "ok"}),
        "Endpoint" => json!({}),
        "Shelf" => json!({"books": ["a"]}),
        "Atlas" => json!({"labels": {"a": "b"}}),
        "Shirt" => json!({"size": "M"}),
        "Plugin" => json!({"config": {}}),
        "Budget" => json!({"maxUnavailable": 1}),
        "Range" => json!({"low": 1, "high": 2}),
        "Form" => json!({
            "plain": "p", "explicit": "e", "forced": 1, "strong": "s", "k8sName": "n",
            "k8sList": ["a"], "k8sMap": {"a": "b"}, "k8sStruct": {"c": true},
            "k8sKeep": "abc", "part": {"c": true}
        }),
        "Note" => json!({"count": 1}),
        "Payment" => json!({"card": "4111"}),
        "Mesh" => json!({}),
        "Vault" => json!({"region": "eu", "size": 1}),
        "Basket" => json!({}),
        "Tree" => json!({"name": "oak", "branch": {"length": 1}}),
        "Guestbook" => json!({"size": 1, "configMapName": "cm"}),
        other => panic!("no base spec for {other}"),
    }
}

#[rustfmt::skip]
fn cases() -> Vec<Case> {
    let c = |marker, fixture, kind, field, bad: Value, good: Value, names| Case {
        marker, fixture, kind, field, bad: Some(bad), good: Some(good), names,
    };
    vec![
        c("Minimum", "numeric", "Meter", "replicas", json!(-1), json!(0), "spec.replicas"),
        c("Maximum", "numeric", "Meter", "replicas", json!(11), json!(10), "spec.replicas"),
        c("ExclusiveMinimum", "numeric", "Meter", "offset", json!(-5), json!(-4), "spec.offset"),
        c("ExclusiveMaximum", "numeric", "Meter", "offset", json!(5), json!(4), "spec.offset"),
        c("MultipleOf", "numeric", "Meter", "step", json!(7), json!(10), "spec.step"),
        c("MultipleOf (number)", "numeric", "Meter", "ratio", json!(0.3), json!(0.75), "spec.ratio"),
        c("k8s:minimum", "numeric", "Meter", "count", json!(0), json!(1), "spec.count"),
        c("k8s:maximum", "numeric", "Meter", "count", json!(4), json!(3), "spec.count"),
        c("unsigned (minimum 0)", "numeric", "Meter", "big", json!(-1), json!(1), "spec.big"),
        c("Minimum (on a type)", "numeric", "Meter", "percent", json!(-1), json!(100), "spec.percent"),
        c("MinLength", "strings", "Label", "name", json!(""), json!("a"), "spec.name"),
        c("MaxLength", "strings", "Label", "note", json!("12345678901"), json!("1234567890"), "spec.note"),
        c("Pattern", "strings", "Label", "name", json!("Bad_Name"), json!("good-name"), "spec.name"),
        c("Pattern (on an alias)", "strings", "Label", "code", json!("abc"), json!("ABC"), "spec.code"),
        c("MaxLength (on a newtype)", "strings", "Label", "token", json!("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0"), json!("0123456789abcdef"), "spec.token"),
        c("Format=date-time", "format-type", "Endpoint", "when", json!("yesterday"), json!("2024-01-15T10:00:00Z"), "spec.when"),
        c("Format=uuid", "format-type", "Endpoint", "id", json!("not-a-uuid"), json!("123e4567-e89b-12d3-a456-426614174000"), "spec.id"),
        c("Format=byte", "format-type", "Endpoint", "payload", json!("%%%"), json!("aGVsbG8="), "spec.payload"),
        c("Type=number", "format-type", "Endpoint", "weight", json!("heavy"), json!(1.5), "spec.weight"),
        c("Type=integer", "format-type", "Endpoint", "whole", json!(1.5), json!(2), "spec.whole"),
        c("MinItems", "arrays", "Shelf", "books", json!([]), json!(["a"]), "spec.books"),
        c("MaxItems", "arrays", "Shelf", "books", json!(["a", "b", "c", "d"]), json!(["a", "b", "c"]), "spec.books"),
        c("k8s:maxItems", "arrays", "Shelf", "slots", json!([1, 2, 3]), json!([1, 2]), "spec.slots"),
        c("MinItems (on an alias)", "arrays", "Shelf", "shelves", json!([]), json!([{"width": 1}]), "spec.shelves"),
        c("MinProperties", "maps", "Atlas", "labels", json!({}), json!({"a": "b"}), "spec.labels"),
        c("MaxProperties", "maps", "Atlas", "labels", json!({"a": "1", "b": "2", "c": "3", "d": "4", "e": "5"}), json!({"a": "1"}), "spec.labels"),
        c("MaxProperties (on a struct)", "maps", "Atlas", "home", json!({"lat": 1, "lon": 2, "alt": 3}), json!({"lat": 1}), "spec.home"),
        c("Enum (Rust enum)", "enums", "Shirt", "size", json!("XXL"), json!("XL"), "spec.size"),
        c("Enum (rename_all)", "enums", "Shirt", "fit", json!("SlimFit"), json!("SLIM_FIT"), "spec.fit"),
        c("Enum (marker)", "enums", "Shirt", "color", json!("pink"), json!("red"), "spec.color"),
        c("Enum (integers)", "enums", "Shirt", "sleeves", json!(3), json!(2), "spec.sleeves"),
        c("Enum (on an alias)", "enums", "Shirt", "level", json!("mid"), json!("low"), "spec.level"),
        c("XIntOrString", "intorstring", "Budget", "maxUnavailable", json!(true), json!("25%"), "spec.maxUnavailable"),
        c("Pattern (int-or-string)", "intorstring", "Budget", "maxUnavailable", json!("many"), json!("30%"), "spec.maxUnavailable"),
        c("Enum (int-or-string)", "intorstring", "Budget", "level", json!("min"), json!("max"), "spec.level"),
        c("Schemaless + XIntOrString", "intorstring", "Budget", "loose", json!(true), json!("5"), "spec.loose"),
        c("Format=email", "format-type", "Endpoint", "email", json!("not-an-email"), json!("a@example.com"), "spec.email"),
        c("XEmbeddedResource", "preserve", "Plugin", "template", json!({"data": 1}), json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}}), "spec.template"),
        c("XValidation (rule)", "xvalidation", "Range", "name", json!("abcdefghijk"), json!("abc"), "spec.name"),
        c("XValidation (message)", "xvalidation", "Range", "name", json!("xyz"), json!("abc"), "spec.name"),
        c("XValidation (messageExpression)", "xvalidation", "Range", "step", json!(3), json!(4), "spec.step"),
        c("XValidation (fieldPath on the spec)", "xvalidation", "Range", "low", json!(5), json!(2), "spec.low"),
        c("XValidation (on a type, fieldPath)", "xvalidation", "Range", "window", json!({"start": 5, "end": 3}), json!({"start": 3, "end": 5}), "spec.window.start"),
        c("XValidation (on an alias)", "xvalidation", "Range", "even", json!(3), json!(4), "spec.even"),
        c("items:XValidation", "xvalidation", "Range", "hosts", json!(["Upper"]), json!(["lower"]), "spec.hosts[0]"),
        c("Required (kubebuilder)", "required", "Form", "explicit", Value::Null, json!("e"), "spec.explicit"),
        c("+required", "required", "Form", "forced", Value::Null, json!(1), "spec.forced"),
        c("+k8s:required (minLength 1)", "required", "Form", "k8sName", json!(""), json!("n"), "spec.k8sName"),
        c("+k8s:required (minItems 1)", "required", "Form", "k8sList", json!([]), json!(["a"]), "spec.k8sList"),
        c("+k8s:required (minProperties 1)", "required", "Form", "k8sStruct", json!({}), json!({"c": true}), "spec.k8sStruct"),
        c("required by the Rust type", "required", "Form", "plain", Value::Null, json!("p"), "spec.plain"),
        c("nullable", "nullable", "Note", "text", json!(5), Value::Null, "spec.text"),
        c("ExactlyOneOf", "oneof", "Payment", "cash", json!(5), Value::Null, "spec"),
        c("AtLeastOneOf", "oneof", "Payment", "contact", json!({"pager": "1"}), json!({"email": "a@b.c"}), "spec.contact"),
        c("AtMostOneOf", "oneof", "Payment", "delivery", json!({"street": "s", "poBox": "1"}), json!({"street": "s"}), "spec.delivery"),
        c("listType=set", "topology", "Mesh", "zones", json!(["a", "a"]), json!(["a", "b"]), "spec.zones[1]"),
        c("listType=map", "topology", "Mesh", "routes", json!([{"name": "a"}, {"name": "a"}]), json!([{"name": "a"}, {"name": "b"}]), "spec.routes[1]"),
        c("listMapKey (two keys)", "topology", "Mesh", "bindings", json!([{"port": 80}, {"port": 80, "protocol": "TCP"}]), json!([{"port": 80}, {"port": 80, "protocol": "UDP"}]), "spec.bindings[1]"),
        c("items:Minimum", "items", "Basket", "weights", json!([0]), json!([5]), "spec.weights[0]"),
        c("items:Maximum", "items", "Basket", "weights", json!([105]), json!([100]), "spec.weights[0]"),
        c("items:MultipleOf", "items", "Basket", "weights", json!([7]), json!([10]), "spec.weights[0]"),
        c("items:ExclusiveMaximum", "items", "Basket", "offsets", json!([10]), json!([9]), "spec.offsets[0]"),
        c("items:MinLength", "items", "Basket", "names", json!(["a"]), json!(["ab"]), "spec.names[0]"),
        c("items:Pattern", "items", "Basket", "names", json!(["AB"]), json!(["ab"]), "spec.names[0]"),
        c("items:Enum", "items", "Basket", "fruits", json!(["kiwi"]), json!(["pear"]), "spec.fruits[0]"),
        c("items:MaxItems", "items", "Basket", "rows", json!([[1, 2, 3, 4]]), json!([[1, 2, 3]]), "spec.rows[0]"),
        c("items:MinProperties", "items", "Basket", "bags", json!([{}]), json!([{"a": "b"}]), "spec.bags[0]"),
        c("items:Pattern (int-or-string)", "items", "Basket", "keys", json!(["x"]), json!(["5%", 3]), "spec.keys[0]"),
        c("MinLength (on a newtype)", "newtypes", "Tree", "name", json!(""), json!("oak"), "spec.name"),
        c("Pattern (field on a newtype)", "newtypes", "Tree", "tag", json!("Oak"), json!("oak"), "spec.tag"),
        c("Minimum (newtype of newtype)", "newtypes", "Tree", "height", json!(-1), json!(300), "spec.height"),
        c("MaxItems (on an alias)", "newtypes", "Tree", "leaves", json!(vec![json!({"color": "g"}); 101]), json!([{"color": "g"}]), "spec.leaves"),
        c("Minimum (transparent)", "newtypes", "Tree", "trunk", json!(0), json!(1), "spec.trunk"),
    ]
}

/// An update step: marker, merge patch of the spec, what the 422 must name ("" = accepted),
/// and whether to keep the change (else a dry run).
type Step = (&'static str, Value, &'static str, bool);

/// Objects to create, then the updates to try on them.
fn updates() -> Vec<(&'static str, &'static str, Value, Vec<Step>)> {
    vec![
        (
            "Vault",
            "vault",
            base_spec("Vault"),
            vec![
                (
                    "k8s:immutable",
                    json!({"region": "us"}),
                    "spec.region",
                    false,
                ),
                ("k8s:immutable", json!({"size": 2}), "spec.size", false),
                (
                    "k8s:immutable (may be set later)",
                    json!({"class": "gold"}),
                    "",
                    true,
                ),
                (
                    "k8s:immutable (once set)",
                    json!({"class": "silver"}),
                    "spec.class",
                    false,
                ),
                (
                    "k8s:immutable (not removed)",
                    json!({"class": null}),
                    "spec",
                    false,
                ),
                ("no marker", json!({"note": "changed"}), "", false),
            ],
        ),
        (
            "Range",
            "range",
            json!({"low": 1, "high": 2, "owner": "ann", "version": 2}),
            vec![
                (
                    "XValidation (oldSelf)",
                    json!({"owner": "bob"}),
                    "spec.owner",
                    false,
                ),
                (
                    "XValidation (optionalOldSelf)",
                    json!({"version": 1}),
                    "spec.version",
                    false,
                ),
                (
                    "XValidation (optionalOldSelf)",
                    json!({"version": 3}),
                    "",
                    false,
                ),
            ],
        ),
    ]
}

#[tokio::test]
async fn validation_markers_reject_violations_with_422_and_accept_conforming_objects() {
    let Some(env) = Environment::builder().build().start_or_skip().await else {
        return;
    };
    let cases = cases();
    let mut fixtures: Vec<&str> = cases.iter().map(|c| c.fixture).collect();
    fixtures.extend(["immutable", "defaults"]);
    fixtures.sort_unstable();
    fixtures.dedup();
    let kinds = install_fixtures(&env, &fixtures).await;
    let mut failures = Vec::new();
    for case in &cases {
        let kind = &kinds[case.kind];
        let what = format!(
            "{} ({}: {}.spec.{})",
            case.marker, case.fixture, case.kind, case.field
        );
        for (value, want_ok) in [(&case.bad, false), (&case.good, true)] {
            let Some(value) = value else { continue };
            let mut spec = base_spec(case.kind);
            if value.is_null() {
                // null means "absent" for required fields and "explicit null" for nullable.
                if case.marker == "nullable" {
                    set_path(&mut spec, case.field, Value::Null);
                } else if let Some(m) = spec.as_object_mut() {
                    m.remove(case.field);
                }
            } else {
                set_path(&mut spec, case.field, value.clone());
            }
            match (dry_run_create(kind, &env, spec.clone()).await, want_ok) {
                (Answer::Created, true) => {}
                (Answer::Rejected { code: 422, message }, false)
                    if message.contains(case.names) => {}
                (Answer::Created, false) => {
                    failures.push(format!("{what}: {spec} was accepted, want 422"));
                }
                (Answer::Rejected { code, message }, false) => failures.push(format!(
                    "{what}: {spec} rejected with {code}, want 422 naming {}: {message}",
                    case.names
                )),
                (Answer::Rejected { code, message }, true) => {
                    failures.push(format!("{what}: {spec} rejected with {code}: {message}"));
                }
            }
        }
    }
    // k8s:immutable and the other transition rules need an old object: create one, then
    // change it (a merge patch; dry run unless the step says "apply").
    let updates = updates();
    for (kind_name, name, initial, steps) in &updates {
        let kind = &kinds[*kind_name];
        kind.api(&env)
            .create(&PostParams::default(), &kind.object(name, initial.clone()))
            .await
            .unwrap_or_else(|e| panic!("creating {kind_name} {name}: {e}"));
        for (marker, patch, names, apply) in steps {
            let pp = PatchParams {
                dry_run: !apply,
                ..PatchParams::default()
            };
            let patch = json!({ "spec": patch });
            let answer = kind.api(&env).patch(name, &pp, &Patch::Merge(&patch)).await;
            match (answer, names.is_empty()) {
                (Ok(_), true) => {}
                (Err(kube::Error::Api(s)), false) if s.code == 422 && s.message.contains(names) => {
                }
                (other, _) => failures.push(format!(
                    "{marker} ({kind_name}): patch {patch} gave {:?}, want {}",
                    other.map(|_| "accepted"),
                    if names.is_empty() {
                        "accepted".to_owned()
                    } else {
                        format!("422 naming {names}")
                    }
                )),
            }
        }
    }
    failures.extend(preserved_and_defaulted(&env, &kinds).await);
    assert!(
        failures.is_empty(),
        "{} of {} validation checks failed:\n{}",
        failures.len(),
        cases.len() * 2 + updates.iter().map(|u| u.3.len()).sum::<usize>() + 2,
        failures.join("\n")
    );
    eprintln!(
        "{} validation cases: each bad value rejected with 422, each good one accepted",
        cases.len()
    );
}

/// The markers that change what is stored rather than what is rejected: unknown fields kept
/// (XPreserveUnknownFields, pruning:PreserveUnknownFields, serde_json::Value) or pruned, and
/// defaults (+kubebuilder:default, +default) filled in.
async fn preserved_and_defaulted(env: &TestEnv, kinds: &BTreeMap<String, Kind>) -> Vec<String> {
    let mut failures = Vec::new();
    let plugin = &kinds["Plugin"];
    let spec = json!({
        "config": {"any": ["thing", 1]},
        "settings": {"level": 1, "unknown": "kept"},
        "options": {"verbose": true, "unknown": "kept"},
        "template": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "data": {"k": "v"}},
        "raw": {"free": {"form": true}},
        "bogus": "pruned",
    });
    let created = plugin
        .api(env)
        .create(&PostParams::default(), &plugin.object("plugin", spec))
        .await
        .expect("creating a Plugin");
    let got = &created.data["spec"];
    for (pointer, want) in [
        ("/config/any/1", json!(1)),
        ("/settings/unknown", json!("kept")),
        ("/options/unknown", json!("kept")),
        ("/template/data/k", json!("v")),
        ("/raw/free/form", json!(true)),
    ] {
        if got.pointer(pointer) != Some(&want) {
            failures.push(format!("Plugin spec{pointer}: want {want}, stored {got}"));
        }
    }
    if got.get("bogus").is_some() {
        failures.push(format!("Plugin spec.bogus was not pruned: {got}"));
    }
    let preset = &kinds["Preset"];
    let created = preset
        .api(env)
        .create(
            &PostParams::default(),
            &preset.object("preset", json!({"probe": {"path": "/x"}})),
        )
        .await
        .expect("creating a Preset");
    let got = &created.data["spec"];
    for (pointer, want) in [
        ("/replicas", json!(3)),
        ("/mode", json!("safe")),
        ("/policy", json!("Allow")),
        ("/tags", json!(["a", "b"])),
        ("/limits", json!({"cpu": 1, "memory": 2})),
        ("/probe/port", json!(8080)),
        ("/empty/level", json!(1)),
        ("/surge", json!("25%")),
        ("/memory", json!("1Gi")),
        ("/jsonList", json!(["x", "y"])),
        ("/jsonObject", json!({"path": "/ready", "port": 8080})),
    ] {
        if got.pointer(pointer) != Some(&want) {
            failures.push(format!(
                "Preset spec{pointer}: want default {want}, stored {got}"
            ));
        }
    }
    failures
}

/// kubebuilder's book, "Generating CRDs": the Guestbook with Minimum/Maximum on `size` and an
/// Enum on the field serialized as `alias`.
#[tokio::test]
async fn guestbook_rejects_size_11_and_alias_email() {
    let Some(env) = Environment::builder().build().start_or_skip().await else {
        return;
    };
    let kinds = install_fixtures(&env, &["guestbook"]).await;
    let guestbook = &kinds["Guestbook"];
    for (spec, names) in [
        (json!({"size": 11, "configMapName": "cm"}), "spec.size"),
        (
            json!({"size": 3, "configMapName": "cm", "alias": "Email"}),
            "spec.alias",
        ),
        (json!({"size": 3, "configMapName": "a-name-too-long"}), ""),
        (
            json!({"size": 3, "configMapName": "a-name-much-too-long"}),
            "spec.configMapName",
        ),
    ] {
        match (dry_run_create(guestbook, &env, spec.clone()).await, names) {
            (Answer::Created, "") => {}
            (Answer::Rejected { code: 422, message }, n)
                if !n.is_empty() && message.contains(n) =>
            {
                eprintln!("rejected as expected: {message}");
            }
            (Answer::Created, n) => panic!("{spec} was accepted, want 422 naming {n}"),
            (Answer::Rejected { code, message }, n) => {
                panic!("{spec}: got {code} {message}, want 422 naming {n:?}")
            }
        }
    }
    let ok = json!({"size": 10, "configMapName": "cm", "alias": "Phone"});
    let created = guestbook
        .api(&env)
        .create(
            &PostParams::default(),
            &guestbook.object("guestbook-sample", ok),
        )
        .await
        .expect("a conforming Guestbook is accepted");
    assert_eq!(created.data["spec"]["alias"], "Phone");
}
