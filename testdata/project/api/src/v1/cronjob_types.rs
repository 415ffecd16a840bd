// Copyright The krb authors.
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
//     http://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

//! CronJob API types, v1.
//!
//! EDIT THIS FILE! THIS IS SCAFFOLDING FOR YOU TO OWN!
//! Field names are the serde (JSON) names. Run `krb make manifests` after editing to
//! regenerate the CRD from these types and their markers.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Condition;
use kube::CustomResource;
use serde::{Deserialize, Serialize};

/// CronJobSpec defines the desired state of CronJob.
///
/// +kubebuilder:object:root=true
/// +kubebuilder:subresource:status
#[derive(CustomResource, krb::Schema, Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[kube(
    group = "batch.tutorial.kubebuilder.io",
    version = "v1",
    kind = "CronJob",
    plural = "cronjobs",
    namespaced,
    status = "CronJobStatus",
    doc = "CronJob is the Schema for the cronjobs API.",
    derive = "Default",
    derive = "PartialEq"
)]
#[serde(rename_all = "camelCase")]
pub struct CronJobSpec {
    // INSERT ADDITIONAL SPEC FIELDS - desired state of cluster.
    // Important: run `krb make manifests` to regenerate the CRD after modifying this file.
    /// foo is an example field of CronJob. Edit cronjob_types.rs to remove/update.
    ///
    /// +optional
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub foo: Option<String>,
}

/// CronJobStatus defines the observed state of CronJob.
#[derive(krb::Schema, Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CronJobStatus {
    // INSERT ADDITIONAL STATUS FIELDS - observed state of cluster.
    /// conditions represent the current state of the CronJob resource.
    /// Each condition has a unique type and reflects the status of a specific aspect of the resource.
    ///
    /// Standard condition types include:
    /// - "Available": the resource is fully functional
    /// - "Progressing": the resource is being created or updated
    /// - "Degraded": the resource failed to reach or maintain its desired state
    ///
    /// The status of each condition is one of True, False, or Unknown.
    ///
    /// +listType=map
    /// +listMapKey=type
    /// +optional
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub conditions: Vec<Condition>,
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use kube::{CustomResourceExt, Resource};

    // An alias keeps the test lines the same length whatever the kind is called.
    use super::CronJob as Kind;

    #[test]
    fn crd_names_match_the_kind() {
        let crd = Kind::crd();
        assert_eq!(crd.spec.names.kind, Kind::kind(&()));
        assert_eq!(crd.spec.names.plural, Kind::plural(&()));
        assert_eq!(crd.spec.group, Kind::group(&()));
        assert_eq!(crd.spec.scope, "Namespaced");
    }

    /// Fails when the types changed and `krb make manifests` was not run since.
    #[test]
    fn crd_manifest_is_fresh() {
        let bases = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../config/crd/bases"));
        krb::schema::check_crd_file::<Kind>(bases).unwrap();
    }
}
