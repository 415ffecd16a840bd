//! Registering webhooks with the [`Manager`] and starting their server with it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::PoisonError;

use kube::Resource;
use serde::{Serialize, de::DeserializeOwned};

use super::{Conversion, Defaulter, Error, Hub, Server, ServerOptions, Validator, Webhooks};
use crate::manager::{Error as ManagerError, Manager, ManagerArgs};

/// The manager's webhooks, and the first registration error (reported by `run`, like a
/// duplicate controller name).
#[derive(Debug)]
pub(crate) struct Registry {
    webhooks: Webhooks,
    error: Option<Error>,
    host: IpAddr,
}

impl Default for Registry {
    fn default() -> Self {
        Self {
            webhooks: Webhooks::new(),
            error: None,
            // controller-runtime's default Host "" listens on every interface.
            host: IpAddr::V4(Ipv4Addr::UNSPECIFIED),
        }
    }
}

impl ServerOptions {
    /// The options the manager's flags select, listening on `host`.
    pub fn from_args(args: &ManagerArgs, host: IpAddr) -> Self {
        Self {
            addr: SocketAddr::new(host, args.webhook_port),
            cert_dir: args
                .webhook_cert_path
                .clone()
                .unwrap_or_else(super::default_cert_dir),
            cert_name: args.webhook_cert_name.clone(),
            key_name: args.webhook_cert_key.clone(),
            enable_http2: args.enable_http2,
        }
    }
}

impl Manager {
    fn register(&self, add: impl FnOnce(&mut Webhooks) -> Result<&mut Webhooks, Error>) {
        let mut registry = self.webhooks.lock().unwrap_or_else(PoisonError::into_inner);
        if let Err(error) = add(&mut registry.webhooks) {
            registry.error.get_or_insert(error);
        }
    }

    /// Serves `defaulter` for `K` at `path` (a mutating webhook), e.g.
    /// `/mutate-batch-tutorial-kubebuilder-io-v1-cronjob`. The server starts with
    /// [`Manager::run`]; a bad or duplicate path makes `run` fail.
    pub fn add_defaulter<K, D>(&self, path: &str, defaulter: D)
    where
        K: Resource<DynamicType = ()> + DeserializeOwned + Serialize + Send + Sync + 'static,
        D: Defaulter<K>,
    {
        self.register(|w| w.add_defaulter::<K, D>(path, defaulter));
    }

    /// Serves `validator` for `K` at `path` (a validating webhook), e.g.
    /// `/validate-batch-tutorial-kubebuilder-io-v1-cronjob`.
    pub fn add_validator<K, V>(&self, path: &str, validator: V)
    where
        K: Resource<DynamicType = ()> + DeserializeOwned + Send + Sync + 'static,
        V: Validator<K>,
    {
        self.register(|w| w.add_validator::<K, V>(path, validator));
    }

    /// Serves conversions between the versions of `H`'s kind at `/convert`.
    pub fn add_conversion<H: Hub>(&self, conversion: Conversion<H>) {
        self.register(|w| w.add_conversion(conversion));
    }

    /// The interface the webhook server listens on; every interface by default, as
    /// controller-runtime's `webhook.Options.Host`. Tests use `127.0.0.1`.
    #[must_use]
    pub fn with_webhook_host(self, host: IpAddr) -> Self {
        self.webhooks
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .host = host;
        self
    }

    /// The webhook server, bound and with its certificate loaded; `None` when no webhook is
    /// registered or `ENABLE_WEBHOOKS=false`.
    pub(crate) async fn bind_webhook_server(&self) -> Result<Option<Server>, ManagerError> {
        let (webhooks, host) = {
            let mut registry = self.webhooks.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(error) = registry.error.take() {
                return Err(ManagerError::Webhook(error));
            }
            (registry.webhooks.clone(), registry.host)
        };
        if webhooks.is_empty() {
            return Ok(None);
        }
        let args = self.args();
        if !args.enable_webhooks {
            tracing::info!(
                paths = ?webhooks.paths(),
                "webhooks are disabled (ENABLE_WEBHOOKS=false); not starting the webhook server"
            );
            return Ok(None);
        }
        let options = ServerOptions::from_args(args, host);
        match Server::bind(&options, &webhooks).await {
            Ok(server) => Ok(Some(server)),
            Err(Error::Bind { addr, source }) => Err(ManagerError::Bind {
                flag: "webhook-port",
                addr,
                source,
            }),
            Err(error) => Err(ManagerError::Webhook(error)),
        }
    }
}
