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

//! Test of the defaulting webhook of batch.tutorial.kubebuilder.io/v1 CronJob.
//!
//! An `AdmissionReview` goes through the webhook as the API server sends it, and the answer
//! is checked.
//!
//! TODO(user): once the defaulter sets fields, assert on the JSON Patch it returns.

use krb::webhook::Webhooks;
use serde_json::{Value, json};

use project::webhook::v1::cronjob_webhook::{CustomDefaulter, DEFAULTING_PATH};
// The type under test; `Kind` keeps the lines short for any kind name.
use project_api::v1::CronJob as Kind;

/// An `AdmissionReview` asking to create `object`.
fn create_review(object: Value) -> Value {
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "test",
            "kind": {"group": "batch.tutorial.kubebuilder.io", "version": "v1", "kind": "CronJob"},
            "resource": {"group": "batch.tutorial.kubebuilder.io", "version": "v1", "resource": "cronjobs"},
            "name": "sample",
            "operation": "CREATE",
            "userInfo": {},
            "object": object
        }
    })
}

#[tokio::test]
async fn defaulting_admits_a_new_object() {
    let mut webhooks = Webhooks::new();
    webhooks
        .add_defaulter::<Kind, _>(DEFAULTING_PATH, CustomDefaulter)
        .expect("a valid path");
    let obj = Kind::new("sample", Default::default());
    let review = create_review(serde_json::to_value(&obj).unwrap());
    let body = webhooks
        .handle(DEFAULTING_PATH, review.to_string().as_bytes())
        .await
        .expect("the webhook serves its path");
    let answer: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(answer["response"]["uid"], "test");
    assert_eq!(answer["response"]["allowed"], true, "{answer}");
}
