//! Webhook configurations from `+kubebuilder:webhook` and `+kubebuilder:webhookconfiguration`
//! markers, as controller-gen's webhook generator writes them.

use serde_json::{Map, Value, json};

use crate::Diagnostics;
use crate::grammar::Value as MValue;
use crate::registry::Marker;
use crate::source::Project;

fn operation(verb: &str) -> String {
    match verb.to_ascii_lowercase().as_str() {
        "create" => "CREATE".into(),
        "update" => "UPDATE".into(),
        "delete" => "DELETE".into(),
        "connect" => "CONNECT".into(),
        "*" => "*".into(),
        _ => verb.to_owned(),
    }
}

/// RFC 7386 JSON merge patch (what the `patch` argument amounts to on a fresh webhook).
fn merge_patch(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(t), Value::Object(p)) => {
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        (t, p) => *t = p.clone(),
    }
}

fn webhook(m: &Marker, diags: &mut Diagnostics) -> Option<(bool, String, Value)> {
    let mutating = matches!(m.arg("mutating"), Some(MValue::Bool(true)));
    let name = m.str_arg("name").unwrap_or_default();
    let mut w = Map::new();
    w.insert("name".into(), name.clone().into());
    let mut rule = Map::new();
    let groups: Vec<String> = m
        .list_arg("groups")
        .into_iter()
        .map(|g| if g == "core" { String::new() } else { g })
        .collect();
    for (key, list) in [
        ("apiGroups", groups),
        ("apiVersions", m.list_arg("versions")),
        (
            "operations",
            m.list_arg("verbs").iter().map(|v| operation(v)).collect(),
        ),
        ("resources", m.list_arg("resources")),
    ] {
        if !list.is_empty() {
            rule.insert(key.into(), json!(list));
        }
    }
    w.insert("rules".into(), json!([rule]));
    let fp = m.str_arg("failurePolicy").unwrap_or_default();
    let fp = match fp.to_ascii_lowercase().as_str() {
        "ignore" => "Ignore".to_owned(),
        "fail" => "Fail".to_owned(),
        _ => fp,
    };
    w.insert("failurePolicy".into(), fp.into());
    let mp = m.str_arg("matchPolicy").unwrap_or_default();
    match mp.to_ascii_lowercase().as_str() {
        "exact" => {
            w.insert("matchPolicy".into(), "Exact".into());
        }
        "equivalent" => {
            w.insert("matchPolicy".into(), "Equivalent".into());
        }
        "" => {}
        _ => diags.push(
            &m.loc,
            format!("unknown value {mp:?} for matchPolicy (Exact or Equivalent)"),
        ),
    }
    let path = m.str_arg("path").unwrap_or_default();
    let url = m.str_arg("url").unwrap_or_default();
    if path.is_empty() == url.is_empty() {
        diags.push(
            &m.loc,
            "+kubebuilder:webhook needs exactly one of path= and url=",
        );
    }
    if !path.is_empty() {
        let mut svc = Map::new();
        let sn = m
            .str_arg("serviceName")
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "webhook-service".into());
        let ns = m
            .str_arg("serviceNamespace")
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "system".into());
        svc.insert("name".into(), sn.into());
        svc.insert("namespace".into(), ns.into());
        svc.insert("path".into(), path.into());
        if let Some(MValue::Int(p)) = m.arg("servicePort") {
            svc.insert("port".into(), (*p).into());
        }
        w.insert("clientConfig".into(), json!({"service": svc}));
    } else {
        w.insert("clientConfig".into(), json!({"url": url}));
    }
    let se = m.str_arg("sideEffects").unwrap_or_default();
    match se.to_ascii_lowercase().as_str() {
        "none" => {
            w.insert("sideEffects".into(), "None".into());
        }
        "noneondryrun" => {
            w.insert("sideEffects".into(), "NoneOnDryRun".into());
        }
        "some" => diags.push(
            &m.loc,
            "sideEffects must not be Some (or Unknown) for admissionregistration.k8s.io/v1",
        ),
        _ => diags.push(&m.loc, "sideEffects is required (None or NoneOnDryRun)"),
    }
    if let Some(MValue::Int(t)) = m.arg("timeoutSeconds")
        && *t != 0
    {
        if !(1..=30).contains(t) {
            diags.push(&m.loc, "timeoutSeconds must be between 1 and 30 seconds");
        }
        w.insert("timeoutSeconds".into(), (*t).into());
    }
    let arv = m.list_arg("admissionReviewVersions");
    if arv.is_empty() {
        diags.push(
            &m.loc,
            "admissionReviewVersions is required (e.g. admissionReviewVersions=v1)",
        );
    }
    w.insert("admissionReviewVersions".into(), json!(arv));
    if mutating {
        match m
            .str_arg("reinvocationPolicy")
            .unwrap_or_default()
            .to_ascii_lowercase()
            .as_str()
        {
            "never" => {
                w.insert("reinvocationPolicy".into(), "Never".into());
            }
            "ifneeded" => {
                w.insert("reinvocationPolicy".into(), "IfNeeded".into());
            }
            _ => {}
        }
    }
    for v in m.list_arg("webhookVersions") {
        if v != "v1" {
            diags.push(&m.loc, format!("unsupported webhook version: {v}"));
        }
    }
    let mut w = Value::Object(w);
    if let Some(p) = m.str_arg("patch").filter(|p| !p.trim().is_empty()) {
        match serde_json::from_str::<Value>(&p) {
            Ok(patch @ Value::Object(_)) => merge_patch(&mut w, &patch),
            Ok(_) => diags.push(&m.loc, "patch must be a JSON object"),
            Err(e) => diags.push(&m.loc, format!("patch is not valid JSON: {e}")),
        }
    }
    Some((mutating, name, w))
}

/// The Mutating and Validating configurations (each only if it has webhooks).
pub fn generate(project: &Project, diags: &mut Diagnostics) -> Vec<Value> {
    let mut names = [None::<String>, None::<String>];
    for m in project.package_markers("kubebuilder:webhookconfiguration") {
        let mutating = matches!(m.arg("mutating"), Some(MValue::Bool(true)));
        let slot = &mut names[usize::from(mutating)];
        if slot.is_some() {
            let kind = if mutating { "mutating" } else { "validating" };
            diags.push(
                &m.loc,
                format!("duplicate {kind} +kubebuilder:webhookconfiguration"),
            );
        }
        *slot = Some(m.str_arg("name").unwrap_or_default());
    }
    let mut hooks: Vec<(bool, String, Value)> = project
        .package_markers("kubebuilder:webhook")
        .filter_map(|m| webhook(m, diags))
        .collect();
    hooks.sort_by(|a, b| a.1.cmp(&b.1));
    let mut out = Vec::new();
    for (mutating, kind, default_name) in [
        (
            true,
            "MutatingWebhookConfiguration",
            "mutating-webhook-configuration",
        ),
        (
            false,
            "ValidatingWebhookConfiguration",
            "validating-webhook-configuration",
        ),
    ] {
        let list: Vec<Value> = hooks
            .iter()
            .filter(|h| h.0 == mutating)
            .map(|h| h.2.clone())
            .collect();
        if list.is_empty() {
            continue;
        }
        let name = names[usize::from(mutating)]
            .clone()
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| default_name.into());
        out.push(json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": kind,
            "metadata": {"name": name},
            "webhooks": list,
        }));
    }
    out
}
