//! The manager: runs controllers with probes, metrics, leader election and graceful shutdown,
//! like controller-runtime's `manager.Manager`.
//!
//! Lifecycle of [`Manager::run`]:
//! 1. bind the health probe and metrics servers (`/readyz` answers 500 "starting");
//! 2. with `--leader-elect`, wait for the Lease; a standby replica reports ready, because a
//!    rolling update of a one-replica Deployment would otherwise never finish (the new pod
//!    could not become ready before the old one released the lease);
//! 3. start every controller, `/readyz` answers 200;
//! 4. on SIGTERM or SIGINT, `/readyz` answers 500, controllers stop taking new work and
//!    in-flight reconciles finish, the lease is released, the servers stop, `run` returns `Ok`.
//!    A second signal stops at once with [`Error::ForcedShutdown`].
//!
//! Losing the lease ends `run` with [`Error::LeaderElectionLost`] right away, without waiting
//! for reconciles, since another replica may already be acting: exit and let Kubernetes restart
//! the pod, as controller-runtime does.

mod args;
mod leader;
mod server;

use std::{
    fmt::{self, Debug},
    future::Future,
    hash::Hash,
    io,
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use futures::{
    FutureExt, StreamExt,
    future::{BoxFuture, Shared},
    stream::{BoxStream, FuturesUnordered},
};
use k8s_openapi::api::coordination::v1::Lease;
use kube::{
    Api, Client, Resource,
    runtime::{Controller, controller::Action, watcher},
};
use serde::de::DeserializeOwned;
use tokio::{net::TcpListener, task::JoinHandle};

pub use args::{AddressError, BindAddress, ManagerArgs};

use crate::metrics::{ControllerMetrics, registry};
use leader::{LeaderElector, Timing};
use server::{Health, Phase};

/// Where a pod finds its own namespace.
const SERVICE_ACCOUNT_NAMESPACE: &str = "/var/run/secrets/kubernetes.io/serviceaccount/namespace";

/// How long the servers may take to finish open requests at shutdown.
const SERVER_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// Errors that end [`Manager::run`].
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A probe or metrics address could not be bound.
    #[error("cannot listen on {addr} (--{flag}): {source}")]
    Bind {
        /// The flag that chose the address, without dashes.
        flag: &'static str,
        /// The address.
        addr: SocketAddr,
        /// Why binding failed.
        source: io::Error,
    },
    /// A signal handler could not be installed.
    #[error("cannot install the {signal} handler: {source}")]
    Signal {
        /// SIGTERM or SIGINT.
        signal: &'static str,
        /// The OS error.
        source: io::Error,
    },
    /// Two controllers were added under one name; metrics and logs would mix them up.
    #[error("controller name {0:?} is used twice; controller names must be unique")]
    DuplicateController(&'static str),
    /// A controller stopped although no shutdown was requested.
    #[error("controller {0:?} stopped unexpectedly")]
    ControllerStopped(&'static str),
    /// The leader election Lease went to another replica or could not be renewed in time.
    #[error("leader election lost: lease {lease}: {reason}")]
    LeaderElectionLost {
        /// `namespace/name` of the Lease.
        lease: String,
        /// What happened.
        reason: String,
    },
    /// A second signal arrived during graceful shutdown.
    #[error("received {0} during graceful shutdown; stopped without waiting for reconciles")]
    ForcedShutdown(&'static str),
    /// A webhook registration was refused or the webhook server's certificate did not load.
    #[cfg(feature = "webhook")]
    #[error("webhook server: {0}")]
    Webhook(#[source] crate::webhook::Error),
}

/// The future controllers receive as their graceful shutdown trigger.
type ShutdownSignal = Shared<BoxFuture<'static, ()>>;

struct Registration {
    name: &'static str,
    start: Box<dyn FnOnce(ShutdownSignal) -> BoxFuture<'static, ()> + Send>,
}

/// Runs controllers, the probe and metrics servers and leader election; see the
/// [module docs](self).
pub struct Manager {
    client: Client,
    args: ManagerArgs,
    leader_election_id: String,
    controllers: Mutex<Vec<Registration>>,
    /// Webhooks to serve; see [`crate::webhook`].
    #[cfg(feature = "webhook")]
    pub(crate) webhooks: Mutex<crate::webhook::manager::Registry>,
}

impl Debug for Manager {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let controllers = self
            .controllers
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f.debug_struct("Manager")
            .field("args", &self.args)
            .field("leader_election_id", &self.leader_election_id)
            .field(
                "controllers",
                &controllers.iter().map(|c| c.name).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Manager {
    /// A manager using `client`, configured by `args`. `leader_election_id` names the Lease
    /// (kubebuilder generates one like `3f2a9c1e.example.com`).
    pub fn new(client: Client, args: ManagerArgs, leader_election_id: &str) -> Self {
        Self {
            client,
            args,
            leader_election_id: leader_election_id.to_owned(),
            controllers: Mutex::new(Vec::new()),
            #[cfg(feature = "webhook")]
            webhooks: Mutex::default(),
        }
    }

    /// The flags the manager was built with.
    #[cfg(feature = "webhook")]
    pub(crate) fn args(&self) -> &ManagerArgs {
        &self.args
    }

    /// The Kubernetes client, for controllers to build their `Api`s from.
    pub fn client(&self) -> Client {
        self.client.clone()
    }

    /// Registers a controller, to be started by [`Manager::run`]. The arguments are those of
    /// [`Controller::run`]; `name` labels its metrics and log spans (controller-runtime uses the
    /// lowercased kind).
    ///
    /// Every reconcile runs in a `reconcile` span with the controller and the object's name and
    /// namespace, and is counted in `controller_runtime_*` metrics; see [`crate::metrics`].
    pub fn add_controller<K, Ctx, ReconcileFn, ReconcileFut, E, ErrorPolicy>(
        &self,
        name: &'static str,
        controller: Controller<K>,
        mut reconcile: ReconcileFn,
        error_policy: ErrorPolicy,
        ctx: Arc<Ctx>,
    ) where
        K: Clone + Resource + DeserializeOwned + Debug + Send + Sync + 'static,
        K::DynamicType: Eq + Hash + Clone + Debug + Unpin + Send + Sync,
        Ctx: Send + Sync + 'static,
        ReconcileFn: FnMut(Arc<K>, Arc<Ctx>) -> ReconcileFut + Send + 'static,
        ReconcileFut: Future<Output = Result<Action, E>> + Send + 'static,
        E: std::error::Error + Send + 'static,
        ErrorPolicy: Fn(Arc<K>, &E, Arc<Ctx>) -> Action + Send + Sync + 'static,
    {
        let metrics = ControllerMetrics::global();
        // kube-runtime's default concurrency is unbounded, reported as 0; see crate::metrics.
        metrics.init_controller(name, 0);
        let start = move |shutdown: ShutdownSignal| {
            let store = controller.store();
            let run = controller
                .graceful_shutdown_on(shutdown.clone())
                .run(
                    move |obj: Arc<K>, ctx: Arc<Ctx>| {
                        let reconciled = reconcile(obj.clone(), ctx);
                        crate::controller::observe(metrics, name, obj.as_ref(), reconciled)
                    },
                    error_policy,
                    ctx,
                )
                .for_each(move |result| {
                    log_result(name, result);
                    futures::future::ready(())
                });
            async move {
                let mut run = std::pin::pin!(run);
                // kube-runtime holds reconciles back until the first list succeeded, and its
                // graceful shutdown waits for that forever (missing CRD or RBAC rule). Before
                // that point nothing is in flight, so shutdown need not wait.
                tokio::select! {
                    biased;
                    () = &mut run => return,
                    _ = store.wait_until_ready() => {}
                    () = shutdown => return,
                }
                run.await;
            }
            .boxed()
        };
        self.controllers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Registration {
                name,
                start: Box::new(start),
            });
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully; see the [module docs](self).
    pub async fn run(self) -> Result<(), Error> {
        let signals = os_signals()?;
        self.run_with(signals).await
    }

    /// Like [`Manager::run`], but shuts down when `shutdown` resolves instead of on a signal:
    /// for tests and for embedding the manager in a larger program.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let requests = futures::stream::once(shutdown.map(|()| "shutdown request"))
            .chain(futures::stream::pending());
        self.run_with(requests.boxed()).await
    }

    async fn run_with(self, mut shutdown: BoxStream<'static, &'static str>) -> Result<(), Error> {
        let registrations = std::mem::take(
            &mut *self
                .controllers
                .lock()
                .unwrap_or_else(PoisonError::into_inner),
        );
        let mut names: Vec<_> = registrations.iter().map(|r| r.name).collect();
        names.sort_unstable();
        if let Some(pair) = names.windows(2).find(|pair| pair[0] == pair[1]) {
            return Err(Error::DuplicateController(pair[0]));
        }

        tracing::info!(controllers = ?names, "starting manager");
        let metrics = ControllerMetrics::global();
        let health = Arc::new(Health::new());
        let (stop_servers, servers_stopped) = futures::channel::oneshot::channel::<()>();
        let servers_stopped = servers_stopped.map(|_| ()).boxed().shared();
        // Bound first so that a bad certificate or busy port leaves nothing running. The
        // webhook server starts before leader election: every replica answers the API server.
        #[cfg(feature = "webhook")]
        let webhook_server = self.bind_webhook_server().await?;
        #[cfg_attr(not(feature = "webhook"), allow(unused_mut))]
        let mut servers = self.start_servers(&health, servers_stopped.clone()).await?;
        #[cfg(feature = "webhook")]
        if let Some(server) = webhook_server {
            servers.push(tokio::spawn(server.serve(servers_stopped.clone())));
        }

        let mut elector = None;
        let lease_id = self.leader_election_id.as_str();
        let mut lease_name = String::new();
        if self.args.leader_elect {
            let namespace = resolve_namespace(
                self.args.leader_election_namespace.as_deref(),
                std::fs::read_to_string(SERVICE_ACCOUNT_NAMESPACE).ok(),
                self.client.default_namespace(),
            );
            lease_name = format!("{namespace}/{lease_id}");
            let api = Api::<Lease>::namespaced(self.client.clone(), &namespace);
            let mut candidate =
                LeaderElector::new(api, lease_id, leader::identity(), Timing::default());
            metrics.leader.set(&[lease_id], 0.0);
            // A standby replica is ready; see the module docs.
            health.set(Phase::Running);
            tracing::info!(
                lease = %lease_name,
                identity = candidate.identity(),
                "attempting to acquire leader lease"
            );
            tokio::select! {
                () = candidate.acquire() => {}
                Some(signal) = shutdown.next() => {
                    tracing::info!(signal, "shutdown requested while waiting for the leader lease");
                    health.set(Phase::Stopping);
                    stop(servers, stop_servers).await;
                    return Ok(());
                }
            }
            tracing::info!(lease = %lease_name, "successfully acquired lease");
            metrics.leader.set(&[lease_id], 1.0);
            elector = Some(candidate);
        }

        let (stop_controllers, controllers_stopped) = futures::channel::oneshot::channel::<()>();
        let controllers_stopped: ShutdownSignal = controllers_stopped.map(|_| ()).boxed().shared();
        let mut running: FuturesUnordered<_> = registrations
            .into_iter()
            .map(|registration| {
                tracing::info!(controller = registration.name, "starting controller");
                let name = registration.name;
                (registration.start)(controllers_stopped.clone()).map(move |()| name)
            })
            .collect();
        health.set(Phase::Running);

        let mut stop_controllers = Some(stop_controllers);
        let mut failure = None;
        let outcome = {
            let mut renewing = std::pin::pin!(async {
                match elector.as_mut() {
                    Some(elector) => elector.keep_renewing().await,
                    None => std::future::pending().await,
                }
            });
            loop {
                tokio::select! {
                    lost = &mut renewing => break Err(Error::LeaderElectionLost {
                        lease: lease_name.clone(),
                        reason: lost.to_string(),
                    }),
                    Some(signal) = shutdown.next() => {
                        let Some(trigger) = stop_controllers.take() else {
                            break Err(Error::ForcedShutdown(signal));
                        };
                        tracing::info!(signal, "stopping; waiting for reconciles to finish");
                        health.set(Phase::Stopping);
                        let _ = trigger.send(());
                        if running.is_empty() {
                            break Ok(());
                        }
                    }
                    Some(name) = running.next() => {
                        if let Some(trigger) = stop_controllers.take() {
                            tracing::error!(
                                controller = name,
                                "controller stopped unexpectedly; stopping the others"
                            );
                            health.set(Phase::Stopping);
                            failure = Some(Error::ControllerStopped(name));
                            let _ = trigger.send(());
                        } else {
                            tracing::info!(controller = name, "controller stopped");
                        }
                        if running.is_empty() {
                            break Ok(());
                        }
                    }
                }
            }
        };
        health.set(Phase::Stopping);
        // Dropping the controllers aborts their reconciles; only reached with reconciles still
        // running when stopping cannot wait (lease lost, forced shutdown).
        drop(running);

        // After a lost lease or a forced stop the lease is not ours to hand back.
        if let (Ok(()), Some(elector)) = (&outcome, elector.as_mut()) {
            tracing::info!(lease = %lease_name, "releasing leader lease");
            if let Err(error) = elector.release().await {
                tracing::warn!(
                    %error,
                    lease = %lease_name,
                    "failed to release the leader lease; it expires on its own"
                );
            }
        }
        if self.args.leader_elect {
            metrics.leader.set(&[lease_id], 0.0);
        }
        stop(servers, stop_servers).await;
        match outcome.and(failure.map_or(Ok(()), Err)) {
            Ok(()) => {
                tracing::info!("manager stopped");
                Ok(())
            }
            Err(error) => {
                tracing::error!(%error, "manager stopped");
                Err(error)
            }
        }
    }

    /// Binds and spawns the probe and metrics servers; one server when both addresses agree.
    async fn start_servers(
        &self,
        health: &Arc<Health>,
        stopped: Shared<BoxFuture<'static, ()>>,
    ) -> Result<Vec<JoinHandle<()>>, Error> {
        const METRICS_FLAG: &str = "metrics-bind-address";
        const PROBE_FLAG: &str = "health-probe-bind-address";
        let metrics_addr = self.args.metrics_bind_address.socket_addr();
        let probe_addr = self.args.health_probe_bind_address.socket_addr();
        let mut plan = Vec::new();
        match (metrics_addr, probe_addr) {
            (Some(metrics), Some(probe)) if metrics == probe && metrics.port() != 0 => {
                let router =
                    server::probe_router(health.clone()).merge(server::metrics_router(registry()));
                plan.push(("metrics and health probe", METRICS_FLAG, metrics, router));
            }
            _ => {
                if let Some(addr) = metrics_addr {
                    plan.push((
                        "metrics",
                        METRICS_FLAG,
                        addr,
                        server::metrics_router(registry()),
                    ));
                } else {
                    tracing::info!("metrics server is disabled (--{METRICS_FLAG}=0)");
                }
                if let Some(addr) = probe_addr {
                    plan.push((
                        "health probe",
                        PROBE_FLAG,
                        addr,
                        server::probe_router(health.clone()),
                    ));
                } else {
                    tracing::info!("health probe server is disabled (--{PROBE_FLAG}=0)");
                }
            }
        }
        // Bind everything before spawning anything, so a bad address leaves nothing running.
        let mut bound = Vec::new();
        for (what, flag, addr, router) in plan {
            let listener = TcpListener::bind(addr)
                .await
                .map_err(|source| Error::Bind { flag, addr, source })?;
            bound.push((what, listener, router));
        }
        Ok(bound
            .into_iter()
            .map(|(what, listener, router)| {
                let addr = listener
                    .local_addr()
                    .map_or_else(|_| "?".to_owned(), |a| a.to_string());
                tracing::info!(address = %addr, "starting {what} server");
                let stopped = stopped.clone();
                tokio::spawn(async move {
                    if let Err(error) = server::serve(listener, router, stopped).await {
                        tracing::error!(%error, address = %addr, "{what} server failed");
                    }
                })
            })
            .collect())
    }
}

/// Stops the servers, giving open requests a moment to finish.
async fn stop(servers: Vec<JoinHandle<()>>, trigger: futures::channel::oneshot::Sender<()>) {
    let _ = trigger.send(());
    for mut server in servers {
        if tokio::time::timeout(SERVER_SHUTDOWN_TIMEOUT, &mut server)
            .await
            .is_err()
        {
            server.abort();
        }
    }
}

/// The flag (or POD_NAMESPACE), else the pod's own namespace, else the kubeconfig's.
fn resolve_namespace(flag: Option<&str>, service_account: Option<String>, client: &str) -> String {
    let non_empty = |s: &str| Some(s.trim().to_owned()).filter(|s| !s.is_empty());
    flag.and_then(non_empty)
        .or_else(|| service_account.as_deref().and_then(non_empty))
        .unwrap_or_else(|| client.to_owned())
}

fn log_result<K: Resource, E: std::error::Error>(
    controller: &'static str,
    result: Result<
        (kube::runtime::reflector::ObjectRef<K>, Action),
        kube::runtime::controller::Error<E, watcher::Error>,
    >,
) {
    use kube::runtime::controller::Error as E;
    match result {
        Ok((object, action)) => tracing::debug!(controller, %object, ?action, "reconciled"),
        // The error_policy already saw it; repeating it would double every log line.
        Err(E::ReconcilerFailed(error, object)) => {
            tracing::debug!(controller, %object, %error, "reconcile failed");
        }
        Err(E::ObjectNotFound(object)) => {
            tracing::debug!(controller, %object, "object is gone before its reconcile");
        }
        // Watch failures mean a missing CRD, RBAC rule or connection; the watcher retries.
        Err(error @ E::QueueError(_)) => tracing::warn!(controller, %error, "watch failed"),
        Err(error) => tracing::error!(controller, %error, "controller error"),
    }
}

/// SIGTERM and SIGINT (Ctrl+C), each as one stream item.
fn os_signals() -> Result<BoxStream<'static, &'static str>, Error> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let install = |kind, name| {
            signal(kind).map_err(|source| Error::Signal {
                signal: name,
                source,
            })
        };
        let term = install(SignalKind::terminate(), "SIGTERM")?;
        let int = install(SignalKind::interrupt(), "SIGINT")?;
        Ok(
            futures::stream::unfold((term, int), |(mut term, mut int)| async move {
                let name = tokio::select! {
                    _ = term.recv() => "SIGTERM",
                    _ = int.recv() => "SIGINT",
                };
                Some((name, (term, int)))
            })
            .boxed(),
        )
    }
    #[cfg(not(unix))]
    {
        Ok(futures::stream::unfold((), |()| async {
            match tokio::signal::ctrl_c().await {
                Ok(()) => Some(("Ctrl+C", ())),
                Err(_) => None,
            }
        })
        .boxed())
    }
}

#[cfg(test)]
mod tests;
