//! Helpers for reconcilers: per-object error backoff, and the instrumentation the manager wraps
//! around every reconcile (metrics and a tracing span).

use std::{
    collections::HashMap,
    future::Future,
    sync::{Mutex, PoisonError},
    time::{Duration, Instant},
};

use kube::{Resource, ResourceExt, runtime::controller::Action};
use tracing::Instrument;

use crate::metrics::ControllerMetrics;

/// Per-object exponential delay for failed reconciles, like controller-runtime's per-item rate
/// limiter: 5ms, 10ms, 20ms, ... up to 1000s.
///
/// Call [`Backoff::next_delay`] from your `error_policy`. The delay grows while the same object
/// keeps failing in the same state (same `resourceVersion`); any change to the object starts
/// again at the base delay, because a new spec deserves a prompt retry.
///
/// kube-runtime gives `error_policy` no success signal, so an entry also resets after it has been
/// idle for twice its delay plus [`Backoff::IDLE_RESET`]: an object that fails again an hour
/// after its last failure has usually succeeded in between. Idle entries are pruned, so memory
/// stays proportional to the objects failing right now.
#[derive(Debug)]
pub struct Backoff {
    base: Duration,
    max: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    entries: HashMap<String, Entry>,
    /// Prune when the map reaches this size, so pruning stays amortised O(1).
    prune_at: usize,
}

#[derive(Debug)]
struct Entry {
    resource_version: Option<String>,
    failures: u32,
    last: Instant,
}

const MIN_PRUNE_AT: usize = 256;

impl Default for Backoff {
    /// 5ms base, 1000s cap: controller-runtime's `DefaultTypedControllerRateLimiter` per item.
    fn default() -> Self {
        Self::new(Duration::from_millis(5), Duration::from_secs(1000))
    }
}

impl Backoff {
    /// Idle time, on top of twice the current delay, after which an object's failures are
    /// forgotten.
    pub const IDLE_RESET: Duration = Duration::from_secs(60);

    /// A backoff from `base`, doubling per failure, capped at `max`.
    pub fn new(base: Duration, max: Duration) -> Self {
        Self {
            base,
            max: max.max(base),
            state: Mutex::new(State {
                entries: HashMap::new(),
                prune_at: MIN_PRUNE_AT,
            }),
        }
    }

    /// Records a failed reconcile of `obj` and returns how long to wait before retrying it.
    pub fn next_delay<K: Resource>(&self, obj: &K) -> Duration {
        self.next_delay_at(obj, Instant::now())
    }

    /// Forgets `obj`'s failures, for a reconciler that wants its next failure to start at the
    /// base delay (controller-runtime does this after every success).
    pub fn forget<K: Resource>(&self, obj: &K) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        state.entries.remove(&key(obj));
    }

    fn next_delay_at<K: Resource>(&self, obj: &K, now: Instant) -> Duration {
        let resource_version = obj.meta().resource_version.clone();
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if state.entries.len() >= state.prune_at {
            state.entries.retain(|_, e| !self.expired(e, now));
            state.prune_at = (state.entries.len() * 2).max(MIN_PRUNE_AT);
        }
        let failures = match state.entries.get_mut(&key(obj)) {
            Some(entry)
                if entry.resource_version == resource_version && !self.expired(entry, now) =>
            {
                entry.failures = entry.failures.saturating_add(1);
                entry.last = now;
                entry.failures
            }
            Some(entry) => {
                *entry = Entry {
                    resource_version,
                    failures: 0,
                    last: now,
                };
                0
            }
            None => {
                state.entries.insert(
                    key(obj),
                    Entry {
                        resource_version,
                        failures: 0,
                        last: now,
                    },
                );
                0
            }
        };
        self.delay(failures)
    }

    fn delay(&self, failures: u32) -> Duration {
        // Past 2^31 the cap has long been reached; clamp the exponent to avoid overflow.
        let factor = 2u32.saturating_pow(failures.min(31));
        self.base.saturating_mul(factor).min(self.max)
    }

    fn expired(&self, entry: &Entry, now: Instant) -> bool {
        let idle = self.delay(entry.failures).saturating_mul(2) + Self::IDLE_RESET;
        now.saturating_duration_since(entry.last) > idle
    }
}

/// uid when the object has one (every object read from the API server does), else
/// namespace/name.
fn key<K: Resource>(obj: &K) -> String {
    match &obj.meta().uid {
        Some(uid) => uid.clone(),
        None => format!(
            "{}/{}",
            obj.meta().namespace.as_deref().unwrap_or_default(),
            obj.meta().name.as_deref().unwrap_or_default()
        ),
    }
}

/// controller-runtime's `result` label for a successful reconcile's action.
pub(crate) fn result_label(action: &Action) -> &'static str {
    // Action hides its field; compare with the two shapes it can take.
    if *action == Action::await_change() {
        "success"
    } else if *action == Action::requeue(Duration::ZERO) {
        "requeue"
    } else {
        "requeue_after"
    }
}

/// Runs one reconcile inside a span and records its metrics.
pub(crate) fn observe<K, E, F>(
    metrics: &'static ControllerMetrics,
    controller: &'static str,
    obj: &K,
    reconcile: F,
) -> impl Future<Output = Result<Action, E>> + Send + 'static + use<K, E, F>
where
    K: Resource + 'static,
    E: std::error::Error + Send + 'static,
    F: Future<Output = Result<Action, E>> + Send + 'static,
{
    let span = tracing::info_span!(
        "reconcile",
        controller,
        object.name = %obj.name_any(),
        object.namespace = obj.namespace(),
    );
    async move {
        let _active = ActiveWorker::start(metrics, controller);
        let started = Instant::now();
        let result = reconcile.await;
        let elapsed = started.elapsed();
        metrics
            .reconcile_time
            .observe(&[controller], elapsed.as_secs_f64());
        let label = match &result {
            Ok(action) => result_label(action),
            Err(_) => {
                metrics.reconcile_errors.inc(&[controller]);
                "error"
            }
        };
        metrics.reconcile_total.inc(&[controller, label]);
        tracing::debug!(result = label, ?elapsed, "reconcile finished");
        result
    }
    .instrument(span)
}

/// Counts a running reconcile in `controller_runtime_active_workers`, also when it is dropped
/// mid-flight (a forced shutdown aborts reconciles).
struct ActiveWorker {
    metrics: &'static ControllerMetrics,
    controller: &'static str,
}

impl ActiveWorker {
    fn start(metrics: &'static ControllerMetrics, controller: &'static str) -> Self {
        metrics.active_workers.add(&[controller], 1.0);
        Self {
            metrics,
            controller,
        }
    }
}

impl Drop for ActiveWorker {
    fn drop(&mut self) {
        self.metrics.active_workers.add(&[self.controller], -1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Registry;
    use k8s_openapi::api::core::v1::ConfigMap;
    use kube::api::ObjectMeta;

    fn config_map(uid: Option<&str>, resource_version: &str) -> ConfigMap {
        ConfigMap {
            metadata: ObjectMeta {
                name: Some("cm".into()),
                namespace: Some("default".into()),
                uid: uid.map(Into::into),
                resource_version: Some(resource_version.into()),
                ..ObjectMeta::default()
            },
            ..ConfigMap::default()
        }
    }

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn delay_doubles_for_the_same_state_and_caps() {
        let backoff = Backoff::default();
        let obj = config_map(Some("u1"), "1");
        let now = Instant::now();
        let delays: Vec<_> = (0..4).map(|_| backoff.next_delay_at(&obj, now)).collect();
        assert_eq!(delays, [ms(5), ms(10), ms(20), ms(40)]);
        for _ in 0..40 {
            backoff.next_delay_at(&obj, now);
        }
        assert_eq!(backoff.next_delay_at(&obj, now), Duration::from_secs(1000));
    }

    #[test]
    fn new_resource_version_starts_again() {
        let backoff = Backoff::default();
        let now = Instant::now();
        for _ in 0..5 {
            backoff.next_delay_at(&config_map(Some("u1"), "1"), now);
        }
        assert_eq!(
            backoff.next_delay_at(&config_map(Some("u1"), "2"), now),
            ms(5)
        );
        assert_eq!(
            backoff.next_delay_at(&config_map(Some("u1"), "2"), now),
            ms(10)
        );
    }

    #[test]
    fn objects_are_tracked_separately() {
        let backoff = Backoff::default();
        let now = Instant::now();
        let a = config_map(Some("a"), "1");
        let b = config_map(Some("b"), "1");
        backoff.next_delay_at(&a, now);
        backoff.next_delay_at(&a, now);
        assert_eq!(backoff.next_delay_at(&b, now), ms(5));
        assert_eq!(backoff.next_delay_at(&a, now), ms(20));
    }

    #[test]
    fn objects_without_uid_are_keyed_by_name() {
        let backoff = Backoff::default();
        let now = Instant::now();
        backoff.next_delay_at(&config_map(None, "1"), now);
        assert_eq!(backoff.next_delay_at(&config_map(None, "1"), now), ms(10));
        assert_eq!(key(&config_map(None, "1")), "default/cm");
    }

    #[test]
    fn forget_and_idleness_reset_the_delay() {
        let backoff = Backoff::default();
        let obj = config_map(Some("u1"), "1");
        let now = Instant::now();
        backoff.next_delay_at(&obj, now);
        backoff.next_delay_at(&obj, now);
        backoff.forget(&obj);
        assert_eq!(backoff.next_delay_at(&obj, now), ms(5));

        // Retried soon after its 10ms delay: still the same failure streak.
        assert_eq!(backoff.next_delay_at(&obj, now + ms(50)), ms(10));
        // Silent for longer than 2 * delay + IDLE_RESET: a fresh start.
        let later = now + ms(50) + Backoff::IDLE_RESET + ms(100);
        assert_eq!(backoff.next_delay_at(&obj, later), ms(5));
    }

    #[test]
    fn idle_entries_are_pruned() {
        let backoff = Backoff::default();
        let now = Instant::now();
        for i in 0..MIN_PRUNE_AT {
            backoff.next_delay_at(&config_map(Some(&format!("old-{i}")), "1"), now);
        }
        let later = now + Backoff::IDLE_RESET * 2;
        backoff.next_delay_at(&config_map(Some("new"), "1"), later);
        let state = backoff.state.lock().unwrap();
        assert_eq!(state.entries.len(), 1);
        assert!(state.entries.contains_key("new"));
        assert_eq!(state.prune_at, MIN_PRUNE_AT);
    }

    #[test]
    fn backoff_and_manager_can_be_shared_across_tasks() {
        fn shareable<T: Send + Sync>() {}
        shareable::<Backoff>();
        shareable::<crate::Manager>();
    }

    #[test]
    fn actions_map_to_controller_runtime_results() {
        assert_eq!(result_label(&Action::await_change()), "success");
        assert_eq!(result_label(&Action::requeue(Duration::ZERO)), "requeue");
        assert_eq!(
            result_label(&Action::requeue(Duration::from_secs(300))),
            "requeue_after"
        );
    }

    #[derive(Debug, thiserror::Error)]
    #[error("boom")]
    struct Boom;

    #[tokio::test]
    async fn observe_records_results_time_and_workers() {
        let metrics: &'static ControllerMetrics =
            Box::leak(Box::new(ControllerMetrics::new(&Registry::new())));
        metrics.init_controller("test", 0);
        let obj = config_map(Some("u1"), "1");

        let ok = observe(metrics, "test", &obj, async {
            Ok::<_, Boom>(Action::requeue(Duration::from_secs(1)))
        });
        assert!(ok.await.is_ok());
        let failed = observe(metrics, "test", &obj, async { Err::<Action, _>(Boom) });
        assert!(failed.await.is_err());
        // Dropped before completion: the worker gauge must still come back to 0.
        let pending = observe(metrics, "test", &obj, async {
            std::future::pending::<Result<Action, Boom>>().await
        });
        let mut pending = Box::pin(pending);
        assert!(futures::poll!(pending.as_mut()).is_pending());
        assert_eq!(metrics.active_workers.get(&["test"]), 1.0);
        drop(pending);

        assert_eq!(metrics.reconcile_total.get(&["test", "requeue_after"]), 1);
        assert_eq!(metrics.reconcile_total.get(&["test", "error"]), 1);
        assert_eq!(metrics.reconcile_total.get(&["test", "success"]), 0);
        assert_eq!(metrics.reconcile_errors.get(&["test"]), 1);
        assert_eq!(metrics.reconcile_time.sample_count(&["test"]), 2);
        assert_eq!(metrics.active_workers.get(&["test"]), 0.0);
    }
}
