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

//! Webhooks of batch.tutorial.kubebuilder.io/v1 CronJob.
//!
//! EDIT THIS FILE! THIS IS SCAFFOLDING FOR YOU TO OWN!
//! `krb create webhook` adds the defaulter and the validator at the markers below, keeping
//! your edits. The `+kubebuilder:webhook` markers become config/webhook/manifests.yaml when
//! you run `krb make manifests`.

use krb::Manager;
use krb::webhook::Defaulter;
use krb::webhook::FieldError;
use krb::webhook::FieldPath;
use krb::webhook::Rejection;
use krb::webhook::Validator;
use krb::webhook::Warnings;
// +krb:scaffold:webhook-imports

// The kind these webhooks admit; `Kind` keeps the lines short for any kind name.
use project_api::v1::CronJob as Kind;

/// Registers the webhooks of CronJob with the manager; main.rs calls it. The server
/// starts with the manager, unless `ENABLE_WEBHOOKS=false`.
pub fn setup(mgr: &Manager) {
    mgr.add_defaulter::<Kind, _>(DEFAULTING_PATH, CustomDefaulter);
    mgr.add_validator::<Kind, _>(VALIDATION_PATH, CustomValidator);
    // +krb:scaffold:webhook-setup
}

/// The path the mutating webhook is served at.
pub const DEFAULTING_PATH: &str = "/mutate-batch-tutorial-kubebuilder-io-v1-cronjob";

// +kubebuilder:webhook:path=/mutate-batch-tutorial-kubebuilder-io-v1-cronjob,mutating=true,failurePolicy=fail,sideEffects=None,groups=batch.tutorial.kubebuilder.io,resources=cronjobs,verbs=create;update,versions=v1,name=mcronjob-v1.kb.io,admissionReviewVersions=v1

/// Sets default values on CronJob objects when they are created or updated.
///
/// TODO(user): add fields (clients, default values) the defaulter needs.
#[derive(Debug, Clone, Copy)]
pub struct CustomDefaulter;

impl Defaulter<Kind> for CustomDefaulter {
    /// Sets the defaults on `obj` in place; the changes go back to the API server as a JSON
    /// Patch. An error rejects the request.
    async fn default(&self, obj: &mut Kind) -> Result<(), Rejection> {
        tracing::info!(name = obj.metadata.name.as_deref(), "defaulting");
        // TODO(user): fill in your defaulting logic, e.g.
        // obj.spec.foo.get_or_insert_with(|| "bar".to_owned());
        Ok(())
    }
}

/// The path the validating webhook is served at.
pub const VALIDATION_PATH: &str = "/validate-batch-tutorial-kubebuilder-io-v1-cronjob";

// TODO(user): add verbs=create;update;delete to the marker to validate deletions too.
// +kubebuilder:webhook:path=/validate-batch-tutorial-kubebuilder-io-v1-cronjob,mutating=false,failurePolicy=fail,sideEffects=None,groups=batch.tutorial.kubebuilder.io,resources=cronjobs,verbs=create;update,versions=v1,name=vcronjob-v1.kb.io,admissionReviewVersions=v1

/// Checks CronJob objects when they are created, updated or deleted.
///
/// `Ok` admits the request, with warnings for the client; `Err` denies it: a list of
/// `FieldError`s becomes a 422 Invalid status naming each field.
#[derive(Debug, Clone, Copy)]
pub struct CustomValidator;

impl CustomValidator {
    /// The checks shared by create and update.
    fn validate(&self, obj: &Kind) -> Result<Warnings, Rejection> {
        let mut errors = Vec::new();
        // TODO(user): fill in your validation logic. The name becomes part of the names of
        // the objects the controller creates, so keep it short (a label value is at most
        // 63 characters).
        let name = obj.metadata.name.as_deref().unwrap_or_default();
        if name.len() > MAX_NAME_LENGTH {
            let field = FieldPath::new("metadata").child("name");
            errors.push(FieldError::invalid(
                field,
                name,
                format!("must be no more than {MAX_NAME_LENGTH} characters"),
            ));
        }
        if errors.is_empty() {
            Ok(Vec::new())
        } else {
            Err(errors.into())
        }
    }
}

/// The longest name the validator admits.
const MAX_NAME_LENGTH: usize = 63;

impl Validator<Kind> for CustomValidator {
    async fn validate_create(&self, obj: &Kind) -> Result<Warnings, Rejection> {
        tracing::info!(name = obj.metadata.name.as_deref(), "validating a creation");
        self.validate(obj)
    }

    async fn validate_update(&self, old: &Kind, new: &Kind) -> Result<Warnings, Rejection> {
        tracing::info!(name = new.metadata.name.as_deref(), "validating an update");
        // TODO(user): compare `old` and `new` to refuse changes to immutable fields.
        let _ = old;
        self.validate(new)
    }

    async fn validate_delete(&self, obj: &Kind) -> Result<Warnings, Rejection> {
        tracing::info!(name = obj.metadata.name.as_deref(), "validating a deletion");
        Ok(Vec::new())
    }
}

// +krb:scaffold:webhook-types
