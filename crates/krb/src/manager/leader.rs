//! Leader election on a coordination.k8s.io/v1 Lease, with client-go's algorithm and
//! controller-runtime's timings.
//!
//! kube-lease-manager (which supports kube 5) renews only shortly before expiry and hides renewal
//! errors inside a retry loop, so a leader cut off from the API server cannot tell when it must
//! stop. client-go's model is simple enough to own: renew every retry period, give up when no
//! renewal succeeded within the renew deadline, and judge another holder's lease by when *we*
//! observed it change, which tolerates clock skew between nodes.

use std::{
    collections::hash_map::RandomState,
    hash::{BuildHasher, Hasher},
    time::Duration,
};

use k8s_openapi::{
    api::coordination::v1::{Lease, LeaseSpec},
    apimachinery::pkg::apis::meta::v1::MicroTime,
    jiff::Timestamp,
};
use kube::{
    Api,
    api::{ObjectMeta, PostParams},
};
use tokio::time::Instant;

/// controller-runtime's defaults.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Timing {
    /// How long a lease is valid after its last observed renewal.
    pub(crate) lease_duration: Duration,
    /// How long the leader keeps retrying a renewal before it gives up leadership.
    pub(crate) renew_deadline: Duration,
    /// Pause between attempts.
    pub(crate) retry_period: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Self {
            lease_duration: Duration::from_secs(15),
            renew_deadline: Duration::from_secs(10),
            retry_period: Duration::from_secs(2),
        }
    }
}

/// Why leadership ended.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Lost {
    #[error("lease taken over by {0:?}")]
    TakenOver(String),
    #[error("no renewal succeeded within the {0:?} renew deadline")]
    RenewDeadline(Duration),
}

/// The last lease state we saw, and when we saw it change.
#[derive(Debug)]
struct Observed {
    resource_version: Option<String>,
    at: Instant,
}

#[derive(Debug)]
pub(crate) struct LeaderElector {
    api: Api<Lease>,
    name: String,
    identity: String,
    timing: Timing,
    observed: Option<Observed>,
}

impl LeaderElector {
    pub(crate) fn new(api: Api<Lease>, name: &str, identity: String, timing: Timing) -> Self {
        Self {
            api,
            name: name.to_owned(),
            identity,
            timing,
            observed: None,
        }
    }

    pub(crate) fn identity(&self) -> &str {
        &self.identity
    }

    /// Blocks until this process holds the lease. API errors are logged and retried, as
    /// client-go does: a missing RBAC rule shows in the log, not as an exit.
    pub(crate) async fn acquire(&mut self) {
        loop {
            match self.try_acquire_or_renew().await {
                Ok(Attempt::Held) => return,
                Ok(Attempt::HeldByOther(holder)) => {
                    tracing::debug!(%holder, lease = %self.name, "lease is held by another");
                }
                Ok(Attempt::Conflict) => {}
                Err(error) => {
                    tracing::error!(%error, lease = %self.name, "failed to acquire leader lease");
                }
            }
            // client-go jitters the acquire period by up to 1.2x so candidates spread out.
            let jitter = self.timing.retry_period.mul_f64(1.2 * random_fraction());
            tokio::time::sleep(self.timing.retry_period + jitter).await;
        }
    }

    /// Renews the lease every retry period; returns when leadership is lost.
    pub(crate) async fn keep_renewing(&mut self) -> Lost {
        loop {
            tokio::time::sleep(self.timing.retry_period).await;
            let deadline = Instant::now() + self.timing.renew_deadline;
            loop {
                match tokio::time::timeout_at(deadline, self.try_acquire_or_renew()).await {
                    Ok(Ok(Attempt::Held)) => break,
                    Ok(Ok(Attempt::HeldByOther(holder))) => return Lost::TakenOver(holder),
                    Ok(Ok(Attempt::Conflict)) => {}
                    Ok(Err(error)) => {
                        tracing::warn!(%error, lease = %self.name, "failed to renew leader lease");
                    }
                    Err(_elapsed) => return Lost::RenewDeadline(self.timing.renew_deadline),
                }
                if Instant::now() + self.timing.retry_period >= deadline {
                    return Lost::RenewDeadline(self.timing.renew_deadline);
                }
                tokio::time::sleep(self.timing.retry_period).await;
            }
        }
    }

    /// Hands the lease back so the next candidate need not wait for it to expire.
    pub(crate) async fn release(&mut self) -> Result<(), kube::Error> {
        let Some(mut lease) = self.api.get_opt(&self.name).await? else {
            return Ok(());
        };
        let spec = lease.spec.clone().unwrap_or_default();
        if holder(&spec) != Some(self.identity.as_str()) {
            return Ok(());
        }
        lease.spec = Some(released(&spec, Timestamp::now()));
        self.api
            .replace(&self.name, &PostParams::default(), &lease)
            .await?;
        Ok(())
    }

    async fn try_acquire_or_renew(&mut self) -> Result<Attempt, kube::Error> {
        let now = Timestamp::now();
        let Some(mut lease) = self.api.get_opt(&self.name).await? else {
            let lease = Lease {
                metadata: ObjectMeta {
                    name: Some(self.name.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(claimed(
                    &LeaseSpec::default(),
                    &self.identity,
                    now,
                    self.timing.lease_duration,
                )),
            };
            return match self.api.create(&PostParams::default(), &lease).await {
                Ok(created) => {
                    self.observe(&created);
                    Ok(Attempt::Held)
                }
                Err(kube::Error::Api(status)) if status.is_already_exists() => {
                    Ok(Attempt::Conflict)
                }
                Err(error) => Err(error),
            };
        };

        self.observe(&lease);
        let spec = lease.spec.clone().unwrap_or_default();
        let observed_at = self.observed.as_ref().map_or_else(Instant::now, |o| o.at);
        if let Some(other) = held_by_other(
            &spec,
            &self.identity,
            observed_at,
            Instant::now(),
            self.timing,
        ) {
            return Ok(Attempt::HeldByOther(other.to_owned()));
        }

        lease.spec = Some(claimed(
            &spec,
            &self.identity,
            now,
            self.timing.lease_duration,
        ));
        // replace carries the resourceVersion we read, so a concurrent writer makes this a 409.
        match self
            .api
            .replace(&self.name, &PostParams::default(), &lease)
            .await
        {
            Ok(updated) => {
                self.observe(&updated);
                Ok(Attempt::Held)
            }
            Err(kube::Error::Api(status)) if status.is_conflict() => Ok(Attempt::Conflict),
            Err(error) => Err(error),
        }
    }

    fn observe(&mut self, lease: &Lease) {
        let resource_version = lease.metadata.resource_version.clone();
        if self.observed.as_ref().map(|o| &o.resource_version) != Some(&resource_version) {
            self.observed = Some(Observed {
                resource_version,
                at: Instant::now(),
            });
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Attempt {
    /// We hold the lease now.
    Held,
    /// Another identity holds an unexpired lease.
    HeldByOther(String),
    /// Someone wrote the lease between our read and our write; try again.
    Conflict,
}

fn holder(spec: &LeaseSpec) -> Option<&str> {
    spec.holder_identity.as_deref().filter(|h| !h.is_empty())
}

/// The other holder, if the lease belongs to someone else and has not expired. Expiry counts
/// from when we saw the lease last change, not from its renewTime, so clock skew cannot make a
/// live lease look expired.
fn held_by_other<'a>(
    spec: &'a LeaseSpec,
    me: &str,
    observed_at: Instant,
    now: Instant,
    timing: Timing,
) -> Option<&'a str> {
    let other = holder(spec).filter(|h| *h != me)?;
    let duration = spec
        .lease_duration_seconds
        .and_then(|s| u64::try_from(s).ok())
        .map_or(timing.lease_duration, Duration::from_secs);
    (observed_at + duration > now).then_some(other)
}

/// The spec after `me` takes or renews the lease.
fn claimed(current: &LeaseSpec, me: &str, now: Timestamp, duration: Duration) -> LeaseSpec {
    let renewing = holder(current) == Some(me);
    LeaseSpec {
        holder_identity: Some(me.to_owned()),
        lease_duration_seconds: Some(i32::try_from(duration.as_secs()).unwrap_or(i32::MAX)),
        acquire_time: if renewing {
            current.acquire_time.clone()
        } else {
            Some(MicroTime(now))
        },
        renew_time: Some(MicroTime(now)),
        lease_transitions: Some(match (renewing, current.lease_transitions) {
            (true, transitions) => transitions.unwrap_or(0),
            // A lease nobody ever held.
            (false, None) if holder(current).is_none() => 0,
            (false, transitions) => transitions.unwrap_or(0).saturating_add(1),
        }),
        ..current.clone()
    }
}

/// The spec client-go writes on release: no holder, and a 1s duration so that candidates which
/// still see the old holder take over quickly.
fn released(current: &LeaseSpec, now: Timestamp) -> LeaseSpec {
    LeaseSpec {
        holder_identity: None,
        lease_duration_seconds: Some(1),
        acquire_time: Some(MicroTime(now)),
        renew_time: Some(MicroTime(now)),
        ..current.clone()
    }
}

/// controller-runtime's identity: `<hostname>_<random>`, unique per process.
pub(crate) fn identity() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/proc/sys/kernel/hostname").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "krb".to_owned());
    format!("{host}_{:016x}{:016x}", random_u64(), random_u64())
}

/// Randomness without a crate: std seeds every `RandomState` from the OS.
fn random_u64() -> u64 {
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    hasher.finish()
}

fn random_fraction() -> f64 {
    // 53 bits fill an f64 mantissa exactly.
    (random_u64() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(holder: Option<&str>, transitions: Option<i32>) -> LeaseSpec {
        LeaseSpec {
            holder_identity: holder.map(Into::into),
            lease_duration_seconds: Some(15),
            lease_transitions: transitions,
            acquire_time: Some(MicroTime(Timestamp::UNIX_EPOCH)),
            renew_time: Some(MicroTime(Timestamp::UNIX_EPOCH)),
            ..LeaseSpec::default()
        }
    }

    #[test]
    fn another_holder_blocks_until_its_lease_expires() {
        let timing = Timing::default();
        let seen = Instant::now();
        let held = spec(Some("other"), Some(0));
        assert_eq!(
            held_by_other(&held, "me", seen, seen + Duration::from_secs(14), timing),
            Some("other")
        );
        assert_eq!(
            held_by_other(&held, "me", seen, seen + Duration::from_secs(16), timing),
            None
        );
        // Our own lease, or nobody's, never blocks.
        assert_eq!(
            held_by_other(&spec(Some("me"), None), "me", seen, seen, timing),
            None
        );
        assert_eq!(
            held_by_other(&spec(None, None), "me", seen, seen, timing),
            None
        );
        assert_eq!(
            held_by_other(&spec(Some(""), None), "me", seen, seen, timing),
            None
        );
    }

    #[test]
    fn claiming_counts_transitions_and_keeps_acquire_time_on_renewal() {
        let now = Timestamp::from_second(1_000).unwrap();
        let d = Duration::from_secs(15);

        let fresh = claimed(&LeaseSpec::default(), "me", now, d);
        assert_eq!(fresh.holder_identity.as_deref(), Some("me"));
        assert_eq!(fresh.lease_transitions, Some(0));
        assert_eq!(fresh.lease_duration_seconds, Some(15));
        assert_eq!(fresh.acquire_time, Some(MicroTime(now)));

        let taken = claimed(&spec(Some("other"), Some(3)), "me", now, d);
        assert_eq!(taken.lease_transitions, Some(4));
        assert_eq!(taken.acquire_time, Some(MicroTime(now)));
        assert_eq!(taken.renew_time, Some(MicroTime(now)));

        let renewed = claimed(&spec(Some("me"), Some(4)), "me", now, d);
        assert_eq!(renewed.lease_transitions, Some(4));
        assert_eq!(renewed.acquire_time, Some(MicroTime(Timestamp::UNIX_EPOCH)));
        assert_eq!(renewed.renew_time, Some(MicroTime(now)));

        // A released lease (no holder) changes hands once more.
        let after_release = claimed(&released(&spec(Some("old"), Some(2)), now), "me", now, d);
        assert_eq!(after_release.lease_transitions, Some(3));
    }

    #[test]
    fn release_clears_the_holder() {
        let now = Timestamp::from_second(2_000).unwrap();
        let out = released(&spec(Some("me"), Some(2)), now);
        assert_eq!(out.holder_identity, None);
        assert_eq!(out.lease_duration_seconds, Some(1));
        assert_eq!(out.lease_transitions, Some(2));
        assert_eq!(out.renew_time, Some(MicroTime(now)));
    }

    #[test]
    fn identities_are_unique() {
        let (a, b) = (identity(), identity());
        assert_ne!(a, b);
        assert!(a.contains('_'));
        let f = random_fraction();
        assert!((0.0..1.0).contains(&f));
    }

    #[test]
    fn timing_matches_controller_runtime() {
        let t = Timing::default();
        assert_eq!(
            (t.lease_duration, t.renew_deadline, t.retry_period),
            (
                Duration::from_secs(15),
                Duration::from_secs(10),
                Duration::from_secs(2)
            )
        );
    }
}
