//! Reading CRDs from YAML files and installing them until they are served.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, Patch, PatchParams};

use super::error::{Error, Result};

const POLL: Duration = Duration::from_millis(100);
const FIELD_MANAGER: &str = "krb-envtest";

/// The CRDs in `path`: one file, or every `*.yaml`, `*.yml` and `*.json` file directly in a
/// directory (not recursive, like envtest), in name order. Files may hold several YAML
/// documents; documents of other kinds are skipped so a `kustomization.yaml` or a sample next
/// to the CRDs does no harm.
pub fn read_crds(path: &Path) -> Result<Vec<CustomResourceDefinition>> {
    let meta = std::fs::metadata(path).map_err(|e| Error::Crd {
        path: path.to_owned(),
        message: format!("cannot read: {e}"),
    })?;
    let files: Vec<PathBuf> = if meta.is_dir() {
        let mut files = Vec::new();
        let entries = std::fs::read_dir(path).map_err(|e| Error::Crd {
            path: path.to_owned(),
            message: format!("cannot list: {e}"),
        })?;
        for entry in entries {
            let p = entry
                .map_err(|e| Error::Crd {
                    path: path.to_owned(),
                    message: format!("cannot list: {e}"),
                })?
                .path();
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            if p.is_file() && matches!(ext, "yaml" | "yml" | "json") {
                files.push(p);
            }
        }
        files.sort();
        files
    } else {
        vec![path.to_owned()]
    };
    let mut crds = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| Error::Crd {
            path: file.clone(),
            message: format!("cannot read: {e}"),
        })?;
        crds.extend(parse_crds(&text).map_err(|message| Error::Crd {
            path: file.clone(),
            message,
        })?);
    }
    Ok(crds)
}

/// The CRDs among the YAML documents of `text`.
pub fn parse_crds(text: &str) -> std::result::Result<Vec<CustomResourceDefinition>, String> {
    use serde::Deserialize;
    let mut crds = Vec::new();
    for (i, doc) in serde_yaml_ng::Deserializer::from_str(text).enumerate() {
        let value = serde_json::Value::deserialize(doc)
            .map_err(|e| format!("document {}: invalid YAML: {e}", i + 1))?;
        let is_crd = value.get("kind").and_then(|k| k.as_str()) == Some("CustomResourceDefinition")
            && value
                .get("apiVersion")
                .and_then(|k| k.as_str())
                .is_some_and(|v| v.starts_with("apiextensions.k8s.io/"));
        if !is_crd {
            continue;
        }
        let crd = serde_json::from_value(value)
            .map_err(|e| format!("document {}: not a valid CRD: {e}", i + 1))?;
        crds.push(crd);
    }
    Ok(crds)
}

/// Server-side applies each CRD (so installing twice is harmless), then waits until every
/// one is `Established` and its resources appear in discovery — only then do creates of the
/// custom resources succeed.
pub(crate) async fn install(
    client: &kube::Client,
    crds: &[CustomResourceDefinition],
    timeout: Duration,
) -> Result<()> {
    let api: Api<CustomResourceDefinition> = Api::all(client.clone());
    let pp = PatchParams::apply(FIELD_MANAGER).force();
    for crd in crds {
        let name = crd.metadata.name.clone().unwrap_or_default();
        // Managed fields and server-set metadata of an object read back from a cluster
        // would make the apply fail.
        let mut crd = crd.clone();
        crd.metadata.resource_version = None;
        crd.metadata.uid = None;
        crd.metadata.managed_fields = None;
        crd.metadata.creation_timestamp = None;
        crd.status = None;
        api.patch(&name, &pp, &Patch::Apply(&crd)).await?;
    }
    let deadline = Instant::now() + timeout;
    for crd in crds {
        let name = crd.metadata.name.clone().unwrap_or_default();
        wait_established(&api, &name, deadline, timeout).await?;
        wait_discovery(client, crd, deadline, timeout).await?;
    }
    Ok(())
}

async fn wait_established(
    api: &Api<CustomResourceDefinition>,
    name: &str,
    deadline: Instant,
    timeout: Duration,
) -> Result<()> {
    loop {
        let crd = api.get(name).await?;
        let conditions = crd.status.and_then(|s| s.conditions).unwrap_or_default();
        let condition = |t: &str| conditions.iter().find(|c| c.type_ == t);
        if condition("Established").is_some_and(|c| c.status == "True") {
            return Ok(());
        }
        if let Some(c) = condition("NamesAccepted").filter(|c| c.status == "False") {
            return Err(Error::Crd {
                path: PathBuf::from(name),
                message: format!("names not accepted: {}", c.message.as_deref().unwrap_or("")),
            });
        }
        if Instant::now() >= deadline {
            return Err(Error::Timeout {
                what: format!("CRD {name} to become Established"),
                after: timeout,
                log_tail: String::new(),
            });
        }
        tokio::time::sleep(POLL).await;
    }
}

async fn wait_discovery(
    client: &kube::Client,
    crd: &CustomResourceDefinition,
    deadline: Instant,
    timeout: Duration,
) -> Result<()> {
    let group = &crd.spec.group;
    let plural = &crd.spec.names.plural;
    for version in crd.spec.versions.iter().filter(|v| v.served) {
        let gv = format!("{group}/{}", version.name);
        loop {
            let served = match client.list_api_group_resources(&gv).await {
                Ok(list) => list.resources.iter().any(|r| &r.name == plural),
                // 404 until the group appears in the aggregated discovery.
                Err(kube::Error::Api(s)) if s.code == 404 => false,
                Err(e) => return Err(e.into()),
            };
            if served {
                break;
            }
            if Instant::now() >= deadline {
                return Err(Error::Timeout {
                    what: format!("{plural}.{gv} to appear in discovery"),
                    after: timeout,
                    log_tail: String::new(),
                });
            }
            tokio::time::sleep(POLL).await;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const TWO: &str = r#"
# a leading comment and an empty document
---
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources: [a.yaml]
---
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: widgets.example.com}
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, listKind: WidgetList}
  versions:
  - name: v1
    served: true
    storage: true
    schema: {openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}}
---
"#;

    #[test]
    fn multi_document_yaml_keeps_only_crds() {
        let crds = parse_crds(TWO).unwrap();
        assert_eq!(crds.len(), 1);
        assert_eq!(
            crds[0].metadata.name.as_deref(),
            Some("widgets.example.com")
        );
    }

    #[test]
    fn invalid_crd_names_its_document() {
        let text = "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nspec: 3\n";
        let err = parse_crds(text).unwrap_err();
        assert!(err.starts_with("document 1: not a valid CRD"), "{err}");
    }

    #[test]
    fn directory_reads_yaml_files_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("b.yaml"), TWO).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "not yaml: [").unwrap();
        assert_eq!(read_crds(dir.path()).unwrap().len(), 1);
        let missing = read_crds(&dir.path().join("nope")).unwrap_err();
        assert!(missing.to_string().contains("nope"), "{missing}");
    }
}
