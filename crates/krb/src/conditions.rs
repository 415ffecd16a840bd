//! Status conditions, as `meta.SetStatusCondition` in apimachinery: one condition per type,
//! and `lastTransitionTime` moves only when the status does.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::{Condition, Time};
use k8s_openapi::jiff::Timestamp;

/// A condition whose transition time is now.
pub fn new(
    type_: &str,
    status: &str,
    reason: &str,
    message: &str,
    observed_generation: Option<i64>,
) -> Condition {
    Condition {
        type_: type_.to_string(),
        status: status.to_string(),
        reason: reason.to_string(),
        message: message.to_string(),
        observed_generation,
        last_transition_time: Time(Timestamp::now()),
    }
}

/// Set `new` in `conditions`, replacing the condition of the same type.
///
/// When the status is unchanged the existing transition time is kept. Returns whether
/// anything changed, so a caller can skip a status update that would do nothing.
pub fn set(conditions: &mut Vec<Condition>, new: Condition) -> bool {
    match conditions.iter_mut().find(|c| c.type_ == new.type_) {
        None => {
            conditions.push(new);
            true
        }
        Some(existing) if existing.status != new.status => {
            *existing = new;
            true
        }
        Some(existing) => {
            let changed = existing.reason != new.reason
                || existing.message != new.message
                || existing.observed_generation != new.observed_generation;
            existing.reason = new.reason;
            existing.message = new.message;
            existing.observed_generation = new.observed_generation;
            changed
        }
    }
}

/// The condition of this type, if present.
pub fn find<'a>(conditions: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conditions.iter().find(|c| c.type_ == type_)
}

/// Whether the condition of this type has status "True".
pub fn is_true(conditions: &[Condition], type_: &str) -> bool {
    find(conditions, type_).is_some_and(|c| c.status == "True")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adds_then_keeps_transition_time() {
        let mut cs = Vec::new();
        let mut first = new("Available", "True", "A", "", Some(1));
        first.last_transition_time = Time(Timestamp::UNIX_EPOCH);
        assert!(set(&mut cs, first));
        assert!(!set(&mut cs, new("Available", "True", "A", "", Some(1))));
        assert!(set(&mut cs, new("Available", "True", "B", "", Some(2))));
        assert_eq!(cs.len(), 1);
        assert_eq!(cs[0].reason, "B");
        assert_eq!(cs[0].observed_generation, Some(2));
        assert_eq!(cs[0].last_transition_time, Time(Timestamp::UNIX_EPOCH));
        assert!(is_true(&cs, "Available"));
    }

    #[test]
    fn status_change_moves_transition_time() {
        let mut old = new("Available", "True", "A", "", None);
        old.last_transition_time = Time(Timestamp::UNIX_EPOCH);
        let mut cs = vec![old];
        assert!(set(&mut cs, new("Available", "False", "Broken", "", None)));
        assert_ne!(cs[0].last_transition_time, Time(Timestamp::UNIX_EPOCH));
        assert!(!is_true(&cs, "Available"));
        assert!(find(&cs, "Missing").is_none());
    }
}
