//! Schemas of Kubernetes' own types, keyed by their `k8s_openapi` Rust path. The table is data
//! written by the real controller-gen (`k8s-schemas/regen.sh`), never hand-written.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::Value;

const TABLE: &str = include_str!("k8s_schemas.json");

fn table() -> &'static BTreeMap<String, Value> {
    static T: OnceLock<BTreeMap<String, Value>> = OnceLock::new();
    T.get_or_init(|| serde_json::from_str(TABLE).unwrap_or_default())
}

/// Other spellings of the same types (re-exports).
fn canonical(path: &str) -> String {
    for (alias, real) in [
        (
            "kube::api::ObjectMeta",
            "k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta",
        ),
        (
            "kube::core::ObjectMeta",
            "k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta",
        ),
        ("kube::core::k8s_openapi::", "k8s_openapi::"),
        ("kube::k8s_openapi::", "k8s_openapi::"),
    ] {
        if let Some(rest) = path.strip_prefix(alias) {
            return format!("{real}{rest}");
        }
    }
    path.to_owned()
}

fn expand(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            if let Some(Value::String(key)) = m.get("$krb") {
                let mut base = match lookup(key) {
                    Some(Value::Object(b)) => b,
                    _ => serde_json::Map::new(),
                };
                for (k, x) in m {
                    match (k.as_str(), x) {
                        ("$krb", _) => {}
                        (_, Value::Null) => {
                            base.remove(k);
                        }
                        _ => {
                            base.insert(k.clone(), expand(x));
                        }
                    }
                }
                return Value::Object(base);
            }
            Value::Object(m.iter().map(|(k, x)| (k.clone(), expand(x))).collect())
        }
        Value::Array(a) => Value::Array(a.iter().map(expand).collect()),
        other => other.clone(),
    }
}

/// The schema of the Kubernetes type at `path` (with its type description), if krb has it.
pub fn lookup(path: &str) -> Option<Value> {
    table().get(&canonical(path)).map(expand)
}

/// Does the table have the type at `path`?
pub fn contains(path: &str) -> bool {
    table().contains_key(&canonical(path))
}

/// Every Rust path in the table.
pub fn known() -> impl Iterator<Item = &'static str> {
    table().keys().map(String::as_str)
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_loads_and_expands() {
        assert!(super::known().count() >= 30);
        let pod = super::lookup("k8s_openapi::api::core::v1::PodTemplateSpec").unwrap();
        assert!(!pod.to_string().contains("$krb"));
        let q = super::lookup("k8s_openapi::apimachinery::pkg::api::resource::Quantity").unwrap();
        assert_eq!(q["x-kubernetes-int-or-string"], true);
    }
}
