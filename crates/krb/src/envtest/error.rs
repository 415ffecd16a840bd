use std::path::PathBuf;
use std::time::Duration;

use super::binaries::DEFAULT_VERSION;

/// Everything that can go wrong while starting, using or stopping a test control plane.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// etcd or kube-apiserver is not installed where we looked.
    #[error(
        "envtest: {binary} not found (looked at: {searched}).\n\
         Get the control-plane binaries with\n    \
         krb envtest use {DEFAULT_VERSION} --from-source\n\
         (or `krb envtest use <released version>` to download them) and point the tests at them:\n    \
         export KUBEBUILDER_ASSETS=$(krb envtest use {DEFAULT_VERSION} -p path)"
    )]
    BinaryNotFound {
        /// `etcd` or `kube-apiserver`.
        binary: &'static str,
        /// The places that were tried, in order.
        searched: String,
    },

    /// A file-system or process operation failed; `context` names the path or program.
    #[error("envtest: {context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },

    /// An environment variable such as `KUBEBUILDER_CONTROLPLANE_START_TIMEOUT` could not be parsed.
    #[error("envtest: {var}={value:?} is invalid: {reason}")]
    InvalidEnv {
        var: &'static str,
        value: String,
        reason: String,
    },

    #[error("envtest: generating certificates: {0}")]
    Certificate(#[from] rcgen::Error),

    #[error("envtest: kubeconfig: {0}")]
    Kubeconfig(#[from] kube::config::KubeconfigError),

    #[error("envtest: USE_EXISTING_CLUSTER=true but no usable kubeconfig: {0}")]
    ExistingCluster(#[from] kube::config::InferConfigError),

    #[error("envtest: Kubernetes API: {0}")]
    Kube(#[from] kube::Error),

    /// A control-plane process died while we waited for it.
    #[error("envtest: {name} exited before it was ready ({status}); last output:\n{log_tail}")]
    ProcessExited {
        name: &'static str,
        status: String,
        log_tail: String,
    },

    /// Something did not become ready within the start timeout.
    #[error(
        "envtest: timed out after {after:?} waiting for {what} \
         (raise KUBEBUILDER_CONTROLPLANE_START_TIMEOUT on slow machines){log_tail}"
    )]
    Timeout {
        what: String,
        after: Duration,
        log_tail: String,
    },

    /// A CRD file or directory could not be read or installed.
    #[error("envtest: CRD {path}: {message}")]
    Crd { path: PathBuf, message: String },

    /// The request makes no sense for this environment (for example adding a user to an
    /// existing cluster, whose CA we do not hold).
    #[error("envtest: {0}")]
    Unsupported(String),
}

impl Error {
    /// True when the control-plane binaries are missing: the one failure a test may turn into
    /// a skip (see [`super::Environment::start_or_skip`]).
    pub fn is_missing_binaries(&self) -> bool {
        matches!(self, Error::BinaryNotFound { .. })
    }

    pub(crate) fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io {
            context: context.into(),
            source,
        }
    }
}

/// Result alias of this module.
pub type Result<T, E = Error> = std::result::Result<T, E>;
