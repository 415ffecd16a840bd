//! The RBAC role from `+kubebuilder:rbac` markers, merged as controller-gen merges them.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::source::Project;
use crate::{Diagnostics, registry::Marker};

#[derive(Clone, Debug, Default, PartialEq)]
struct Rule {
    groups: Vec<String>,
    resources: Vec<String>,
    resource_names: Vec<String>,
    verbs: Vec<String>,
    urls: Vec<String>,
}

fn norm(v: &[String]) -> Vec<String> {
    v.iter()
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

impl Rule {
    fn normalize(&mut self) {
        self.groups = norm(&self.groups);
        self.resources = norm(&self.resources);
        self.resource_names = norm(&self.resource_names);
        self.verbs = norm(&self.verbs);
        self.urls = norm(&self.urls);
    }
    fn key(&mut self) -> String {
        self.normalize();
        format!(
            "{} + {} + {} + {}",
            self.groups.join("&"),
            self.resources.join("&"),
            self.resource_names.join("&"),
            self.urls.join("&")
        )
    }
    fn to_json(&self) -> Value {
        let mut m = Map::new();
        if !self.groups.is_empty() {
            m.insert("apiGroups".into(), json!(self.groups));
        }
        if !self.urls.is_empty() {
            m.insert("nonResourceURLs".into(), json!(self.urls));
        }
        if !self.resource_names.is_empty() {
            m.insert("resourceNames".into(), json!(self.resource_names));
        }
        if !self.resources.is_empty() {
            m.insert("resources".into(), json!(self.resources));
        }
        m.insert("verbs".into(), json!(self.verbs));
        Value::Object(m)
    }
}

/// One merge pass: group by `key_without` (which includes the verbs), union `field`.
fn merge_pass(
    rules: Vec<Rule>,
    key_without: fn(&mut Rule) -> String,
    field: fn(&mut Rule) -> &mut Vec<String>,
) -> Vec<Rule> {
    let mut groups: BTreeMap<String, Rule> = BTreeMap::new();
    for mut r in rules {
        let k = key_without(&mut r);
        match groups.get_mut(&k) {
            Some(existing) => {
                let add = field(&mut r).clone();
                field(existing).extend(add);
                existing.normalize();
            }
            None => {
                groups.insert(k, r);
            }
        }
    }
    groups.into_values().collect()
}

/// controller-gen's NormalizeRules.
fn normalize_rules(rules: Vec<Rule>) -> Vec<Rule> {
    let mut by_key: BTreeMap<String, Rule> = BTreeMap::new();
    for mut r in rules {
        for g in &mut r.groups {
            if g == "core" {
                g.clear();
            }
        }
        let k = r.key();
        match by_key.get_mut(&k) {
            Some(existing) => {
                existing.verbs.extend(r.verbs);
                existing.normalize();
            }
            None => {
                by_key.insert(k, r);
            }
        }
    }
    let rules: Vec<Rule> = by_key.into_values().collect();
    let rules = merge_pass(
        rules,
        |r| {
            r.normalize();
            format!(
                "{} + {} + {} + {}",
                r.groups.join("&"),
                r.resource_names.join("&"),
                r.urls.join("&"),
                r.verbs.join("&")
            )
        },
        |r| &mut r.resources,
    );
    let rules = merge_pass(
        rules,
        |r| {
            r.normalize();
            format!(
                "{} + {} + {} + {}",
                r.resources.join("&"),
                r.resource_names.join("&"),
                r.urls.join("&"),
                r.verbs.join("&")
            )
        },
        |r| &mut r.groups,
    );
    let rules = merge_pass(
        rules,
        |r| {
            r.normalize();
            format!(
                "{} + {} + {} + {}",
                r.groups.join("&"),
                r.resources.join("&"),
                r.resource_names.join("&"),
                r.verbs.join("&")
            )
        },
        |r| &mut r.urls,
    );
    let mut keyed: Vec<(String, Rule)> = rules.into_iter().map(|mut r| (r.key(), r)).collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    keyed
        .into_iter()
        .map(|(_, mut r)| {
            if r.verbs.iter().any(|v| v == "*") {
                r.verbs = vec!["*".into()];
            }
            r
        })
        .collect()
}

fn rules_of(m: &Marker) -> Vec<Rule> {
    let base = Rule {
        groups: m.list_arg("groups"),
        resources: Vec::new(),
        resource_names: m.list_arg("resourceNames"),
        verbs: m.list_arg("verbs"),
        urls: m.list_arg("urls"),
    };
    let resources = m.list_arg("resources");
    if resources.is_empty() {
        return vec![base];
    }
    resources
        .into_iter()
        .map(|r| Rule {
            resources: vec![r],
            ..base.clone()
        })
        .collect()
}

/// The ClusterRole and namespaced Roles, in controller-gen's order.
pub fn generate(project: &Project, role_name: &str, diags: &mut Diagnostics) -> Vec<Value> {
    let mut buckets: BTreeMap<(String, String), Vec<Rule>> = BTreeMap::new();
    for m in project.package_markers("kubebuilder:rbac") {
        if m.list_arg("verbs").is_empty() {
            diags.push(&m.loc, "+kubebuilder:rbac needs at least one verb");
        }
        let ns = m.str_arg("namespace").unwrap_or_default();
        let name = m
            .str_arg("roleName")
            .filter(|n| !n.is_empty())
            .unwrap_or_else(|| role_name.to_owned());
        buckets.entry((ns, name)).or_default().extend(rules_of(m));
    }
    let mut out = Vec::new();
    for ((ns, name), rules) in buckets {
        let rules = normalize_rules(rules);
        if rules.is_empty() {
            continue;
        }
        let rules: Vec<Value> = rules.iter().map(Rule::to_json).collect();
        let obj = if ns.is_empty() {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": name}, "rules": rules})
        } else {
            json!({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": name, "namespace": ns}, "rules": rules})
        };
        out.push(obj);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(groups: &[&str], resources: &[&str], verbs: &[&str]) -> Rule {
        let v = |x: &[&str]| x.iter().map(|s| (*s).to_owned()).collect();
        Rule {
            groups: v(groups),
            resources: v(resources),
            verbs: v(verbs),
            ..Rule::default()
        }
    }

    #[test]
    fn merges_like_controller_gen() {
        let rules = normalize_rules(vec![
            r(&["batch"], &["cronjobs"], &["get", "list"]),
            r(&["batch"], &["cronjobs"], &["watch", "get"]),
            r(&["core"], &["pods"], &["get"]),
            r(&["apps"], &["deployments"], &["list"]),
            r(&["apps"], &["statefulsets"], &["list"]),
            r(&["g1"], &["same"], &["get"]),
            r(&["g2"], &["same"], &["get"]),
            r(&["x"], &["all"], &["get", "*"]),
        ]);
        let json: Vec<Value> = rules.iter().map(Rule::to_json).collect();
        assert_eq!(
            Value::Array(json),
            json!([
                {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]},
                {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets"], "verbs": ["list"]},
                {"apiGroups": ["batch"], "resources": ["cronjobs"], "verbs": ["get", "list", "watch"]},
                {"apiGroups": ["g1", "g2"], "resources": ["same"], "verbs": ["get"]},
                {"apiGroups": ["x"], "resources": ["all"], "verbs": ["*"]},
            ])
        );
    }
}
