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

//! Test of the validating webhook of batch.tutorial.kubebuilder.io/v1 CronJob.
//!
//! `AdmissionReview`s go through the webhook as the API server sends them, and the answers
//! are checked.
//!
//! TODO(user): add a case for each rule of your validator.

use krb::webhook::Webhooks;
use serde_json::{Value, json};

use project::webhook::v1::cronjob_webhook::{CustomValidator, VALIDATION_PATH};
// The type under test; `Kind` keeps the lines short for any kind name.
use project_api::v1::CronJob as Kind;

/// The validator's answer to a request to create an object called `name`.
async fn create(name: &str) -> Value {
    let mut webhooks = Webhooks::new();
    webhooks
        .add_validator::<Kind, _>(VALIDATION_PATH, CustomValidator)
        .expect("a valid path");
    let obj = Kind::new(name, Default::default());
    let review = json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "test",
            "kind": {"group": "batch.tutorial.kubebuilder.io", "version": "v1", "kind": "CronJob"},
            "resource": {"group": "batch.tutorial.kubebuilder.io", "version": "v1", "resource": "cronjobs"},
            "name": name,
            "operation": "CREATE",
            "userInfo": {},
            "object": serde_json::to_value(&obj).unwrap()
        }
    });
    let body = webhooks
        .handle(VALIDATION_PATH, review.to_string().as_bytes())
        .await
        .expect("the webhook serves its path");
    serde_json::from_slice(&body).unwrap()
}

#[tokio::test]
async fn validation_admits_a_short_name() {
    let answer = create("sample").await;
    assert_eq!(answer["response"]["allowed"], true, "{answer}");
}

#[tokio::test]
async fn validation_denies_a_long_name() {
    let answer = create(&"a".repeat(64)).await;
    assert_eq!(answer["response"]["allowed"], false, "{answer}");
    assert_eq!(answer["response"]["status"]["code"], 422, "{answer}");
    let message = answer["response"]["status"]["message"].as_str().unwrap();
    assert!(message.contains("metadata.name"), "{message}");
}
