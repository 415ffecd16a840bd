//! Admission and conversion webhooks, served over HTTPS like controller-runtime's webhook server.
//!
//! - [`Defaulter`]: a mutating webhook. The typed object is decoded from the
//!   `AdmissionReview`, defaulted in place, and the difference goes back as a JSON Patch.
//! - [`Validator`]: a validating webhook for create, update and delete. Field errors become a
//!   422 `Invalid` status, exactly as `apierrors.NewInvalid` builds it; warnings reach the client.
//! - [`Conversion`]: a kind's versions as a [`Hub`] and [`Spoke`]s, served at `/convert` for a
//!   CRD with `conversion.strategy: Webhook`.
//! - [`Server`]: HTTPS with rustls, the certificate re-read when its files change
//!   ([`CertWatcher`]), HTTP/1.1 only unless HTTP/2 is enabled.
//!
//! With a [`Manager`](crate::Manager), register webhooks and the server starts with it, before
//! leader election (every replica answers the API server, as in controller-runtime):
//!
//! ```ignore
//! mgr.add_defaulter::<CronJob, _>("/mutate-batch-tutorial-kubebuilder-io-v1-cronjob", CronJobCustomDefaulter);
//! mgr.add_validator::<CronJob, _>("/validate-batch-tutorial-kubebuilder-io-v1-cronjob", CronJobCustomValidator);
//! mgr.add_conversion(Conversion::<v1::CronJob>::new().spoke::<v2::CronJob>());
//! ```
//!
//! The flags are controller-runtime's: `--webhook-port` (9443), `--webhook-cert-path` (default
//! `<temp dir>/k8s-webhook-server/serving-certs`), `--webhook-cert-name` (`tls.crt`),
//! `--webhook-cert-key` (`tls.key`), `--enable-http2`; `ENABLE_WEBHOOKS=false` runs the manager
//! without the server (to run it outside the cluster without certificates).

mod admission;
mod certs;
mod conversion;
pub(crate) mod manager;
mod server;
mod status;

use std::{collections::BTreeMap, fmt, io, net::SocketAddr, path::PathBuf, sync::Arc};

use axum::{
    Router,
    body::Bytes,
    extract::DefaultBodyLimit,
    http::header,
    response::{IntoResponse, Response},
    routing::post,
};
use futures::{FutureExt, future::BoxFuture};
use kube::Resource;
use serde::{Serialize, de::DeserializeOwned};

pub use admission::{Defaulter, Validator, default_review, defaulting_patch, validate_review};
pub use certs::CertWatcher;
pub use conversion::{Conversion, ConversionError, Hub, Spoke};
pub use server::{Server, ServerOptions, default_cert_dir};
pub use status::{FieldError, FieldErrorType, FieldPath, Rejection, Warnings, invalid_status};

use conversion::KindConversion;

/// The path conversion webhooks are served at (kubebuilder's CRD patches point there).
pub const CONVERT_PATH: &str = "/convert";

/// The largest request body accepted, as controller-runtime (7 MiB: an update carries two
/// objects of up to 3 MiB each).
const MAX_BODY: usize = 7 * 1024 * 1024;

/// Why webhooks cannot be registered or served.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A webhook path that does not start with `/`.
    #[error("webhook path {0:?} must start with '/'")]
    InvalidPath(String),
    /// Two webhooks on one path.
    #[error("webhook path {0:?} is registered twice")]
    DuplicatePath(String),
    /// Two conversions for one kind.
    #[error("a conversion for {0} is registered twice")]
    DuplicateConversion(String),
    /// The certificate or key could not be loaded.
    #[error("cannot load the webhook certificate {} and key {}: {reason}", cert.display(), key.display())]
    Certificate {
        /// The certificate file.
        cert: PathBuf,
        /// The key file.
        key: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// rustls refused the configuration.
    #[error("TLS configuration: {0}")]
    Tls(String),
    /// The port could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why binding failed.
        source: io::Error,
    },
}

type Handler = Arc<dyn Fn(Bytes) -> BoxFuture<'static, Vec<u8>> + Send + Sync>;

/// A set of webhooks by path, turned into the server's routes. [`Manager`](crate::Manager)
/// keeps one; use it directly to run a [`Server`] without a manager.
#[derive(Clone, Default)]
pub struct Webhooks {
    admission: BTreeMap<String, (&'static str, String, Handler)>,
    conversions: Vec<Arc<dyn KindConversion>>,
}

impl fmt::Debug for Webhooks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhooks")
            .field(
                "admission",
                &self
                    .admission
                    .iter()
                    .map(|(path, (what, kind, _))| format!("{path} ({what} {kind})"))
                    .collect::<Vec<_>>(),
            )
            .field(
                "conversions",
                &self
                    .conversions
                    .iter()
                    .map(|c| c.group_kind())
                    .collect::<Vec<_>>(),
            )
            .finish()
    }
}

impl Webhooks {
    pub fn new() -> Self {
        Self::default()
    }

    /// Serves `defaulter` for `K` as a mutating webhook at `path`.
    pub fn add_defaulter<K, D>(&mut self, path: &str, defaulter: D) -> Result<&mut Self, Error>
    where
        K: Resource<DynamicType = ()> + DeserializeOwned + Serialize + Send + Sync + 'static,
        D: Defaulter<K>,
    {
        let defaulter = Arc::new(defaulter);
        let handler: Handler = Arc::new(move |body: Bytes| {
            let defaulter = defaulter.clone();
            async move { to_json(&default_review::<K, D>(&*defaulter, &body).await) }.boxed()
        });
        self.add_admission(path, "defaulting", admission::kind_of::<K>(), handler)
    }

    /// Serves `validator` for `K` as a validating webhook at `path`.
    pub fn add_validator<K, V>(&mut self, path: &str, validator: V) -> Result<&mut Self, Error>
    where
        K: Resource<DynamicType = ()> + DeserializeOwned + Send + Sync + 'static,
        V: Validator<K>,
    {
        let validator = Arc::new(validator);
        let handler: Handler = Arc::new(move |body: Bytes| {
            let validator = validator.clone();
            async move { to_json(&validate_review::<K, V>(&*validator, &body).await) }.boxed()
        });
        self.add_admission(path, "validating", admission::kind_of::<K>(), handler)
    }

    /// Serves the conversion between the versions of `H`'s kind at [`CONVERT_PATH`]; one path
    /// for every kind, as in controller-runtime.
    pub fn add_conversion<H: Hub>(
        &mut self,
        conversion: Conversion<H>,
    ) -> Result<&mut Self, Error> {
        let kind = conversion.group_kind();
        if self.conversions.iter().any(|c| c.group_kind() == kind) {
            return Err(Error::DuplicateConversion(format!("{}.{}", kind.1, kind.0)));
        }
        if self.admission.contains_key(CONVERT_PATH) {
            return Err(Error::DuplicatePath(CONVERT_PATH.to_owned()));
        }
        self.conversions.push(Arc::new(conversion));
        Ok(self)
    }

    fn add_admission(
        &mut self,
        path: &str,
        what: &'static str,
        kind: String,
        handler: Handler,
    ) -> Result<&mut Self, Error> {
        if !path.starts_with('/') {
            return Err(Error::InvalidPath(path.to_owned()));
        }
        if self.admission.contains_key(path)
            || (path == CONVERT_PATH && !self.conversions.is_empty())
        {
            return Err(Error::DuplicatePath(path.to_owned()));
        }
        self.admission
            .insert(path.to_owned(), (what, kind, handler));
        Ok(self)
    }

    /// No webhook is registered.
    pub fn is_empty(&self) -> bool {
        self.admission.is_empty() && self.conversions.is_empty()
    }

    /// The served paths, sorted.
    pub fn paths(&self) -> Vec<&str> {
        let mut paths: Vec<&str> = self.admission.keys().map(String::as_str).collect();
        if !self.conversions.is_empty() {
            paths.push(CONVERT_PATH);
            paths.sort_unstable();
        }
        paths
    }

    /// Answers a request body sent to `path` as the server would; `None` for an unknown path.
    /// For tests that exercise the webhooks without TLS.
    pub async fn handle(&self, path: &str, body: &[u8]) -> Option<Vec<u8>> {
        if path == CONVERT_PATH && !self.conversions.is_empty() {
            return Some(self.convert(body));
        }
        let (_, _, handler) = self.admission.get(path)?;
        Some(handler(Bytes::copy_from_slice(body)).await)
    }

    fn convert(&self, body: &[u8]) -> Vec<u8> {
        let kinds: Vec<&dyn KindConversion> = self.conversions.iter().map(|c| &**c).collect();
        to_json(&conversion::convert_review(&kinds, body))
    }

    /// The routes, all `POST` with JSON in and out.
    pub fn router(&self) -> Router {
        let mut router = Router::new();
        for (path, (_, _, handler)) in &self.admission {
            let handler = handler.clone();
            router = router.route(
                path,
                post(move |body: Bytes| {
                    let handler = handler.clone();
                    async move { json_response(handler(body).await) }
                }),
            );
        }
        if !self.conversions.is_empty() {
            let this = self.clone();
            router = router.route(
                CONVERT_PATH,
                post(move |body: Bytes| {
                    let this = this.clone();
                    async move { json_response(this.convert(&body)) }
                }),
            );
        }
        router.layer(DefaultBodyLimit::max(MAX_BODY))
    }
}

fn to_json(value: &impl Serialize) -> Vec<u8> {
    // Reviews hold only strings, numbers and JSON values: serializing them cannot fail.
    serde_json::to_vec(value).unwrap_or_default()
}

fn json_response(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

#[cfg(test)]
mod tests;
