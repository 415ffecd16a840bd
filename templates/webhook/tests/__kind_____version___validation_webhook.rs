{{ boilerplate }}//! Test of the validating webhook of {{ resource.api_version }} {{ resource.kind }}.
//!
//! `AdmissionReview`s go through the webhook as the API server sends them, and the answers
//! are checked.
//!
//! TODO(user): add a case for each rule of your validator.

use krb::webhook::Webhooks;
use serde_json::{Value, json};
{%- set line = 'use ' ~ project.lib ~ '::webhook::' ~ resource.version ~ '::' ~ resource.kind_lower ~ '_webhook::{CustomValidator, VALIDATION_PATH};' %}
{%- if line | length <= 100 %}

{{ line }}
{%- else %}

use {{ project.lib }}::webhook::{{ resource.version }}::{{ resource.kind_lower }}_webhook::{
    CustomValidator, VALIDATION_PATH,
};
{%- endif %}
// The type under test; `Kind` keeps the lines short for any kind name.
use {{ project.api_lib }}::{{ resource.version }}::{{ resource.kind }} as Kind;

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
            "kind": {"group": "{{ resource.qualified_group }}", "version": "{{ resource.version }}", "kind": "{{ resource.kind }}"},
            "resource": {"group": "{{ resource.qualified_group }}", "version": "{{ resource.version }}", "resource": "{{ resource.plural }}"},
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
