{{ boilerplate }}//! Test of the defaulting webhook of {{ resource.api_version }} {{ resource.kind }}.
//!
//! An `AdmissionReview` goes through the webhook as the API server sends it, and the answer
//! is checked.
//!
//! TODO(user): once the defaulter sets fields, assert on the JSON Patch it returns.

use krb::webhook::Webhooks;
use serde_json::{Value, json};
{%- set line = 'use ' ~ project.lib ~ '::webhook::' ~ resource.version ~ '::' ~ resource.kind_lower ~ '_webhook::{CustomDefaulter, DEFAULTING_PATH};' %}
{%- if line | length <= 100 %}

{{ line }}
{%- else %}

use {{ project.lib }}::webhook::{{ resource.version }}::{{ resource.kind_lower }}_webhook::{
    CustomDefaulter, DEFAULTING_PATH,
};
{%- endif %}
// The type under test; `Kind` keeps the lines short for any kind name.
use {{ project.api_lib }}::{{ resource.version }}::{{ resource.kind }} as Kind;

/// An `AdmissionReview` asking to create `object`.
fn create_review(object: Value) -> Value {
    json!({
        "apiVersion": "admission.k8s.io/v1",
        "kind": "AdmissionReview",
        "request": {
            "uid": "test",
            "kind": {"group": "{{ resource.qualified_group }}", "version": "{{ resource.version }}", "kind": "{{ resource.kind }}"},
            "resource": {"group": "{{ resource.qualified_group }}", "version": "{{ resource.version }}", "resource": "{{ resource.plural }}"},
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
