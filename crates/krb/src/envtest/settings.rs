//! The environment variables controller-runtime's envtest honours, read the same way, so a
//! project's CI configuration works for Go and Rust tests alike.

use std::time::Duration;

use super::error::{Error, Result};

pub const ENV_START_TIMEOUT: &str = "KUBEBUILDER_CONTROLPLANE_START_TIMEOUT";
pub const ENV_STOP_TIMEOUT: &str = "KUBEBUILDER_CONTROLPLANE_STOP_TIMEOUT";
pub const ENV_ATTACH_OUTPUT: &str = "KUBEBUILDER_ATTACH_CONTROL_PLANE_OUTPUT";
pub const ENV_USE_EXISTING_CLUSTER: &str = "USE_EXISTING_CLUSTER";

/// envtest's default is 20 s; a cold kube-apiserver on two shared cores needs longer, and a
/// generous default costs nothing when things are fast.
pub const DEFAULT_START_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_STOP_TIMEOUT: Duration = Duration::from_secs(20);

/// Parses a Go `time.ParseDuration` string: `"60s"`, `"1m30s"`, `"1.5h"`, `"250ms"`, `"0"`.
pub fn parse_go_duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    if s == "0" {
        return Some(Duration::ZERO);
    }
    if s.is_empty() || s.starts_with('-') {
        return None;
    }
    let mut total = 0f64;
    let mut rest = s;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        if num_len == 0 {
            return None;
        }
        let value: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let seconds = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" | "μs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += value * seconds;
    }
    Duration::try_from_secs_f64(total).ok()
}

/// A duration variable, `default` when unset or empty.
pub fn duration_var(var: &'static str, default: Duration) -> Result<Duration> {
    match std::env::var(var) {
        Ok(v) if !v.trim().is_empty() => parse_go_duration(&v).ok_or_else(|| Error::InvalidEnv {
            var,
            value: v,
            reason: "expected a Go duration such as 60s or 1m30s".to_owned(),
        }),
        _ => Ok(default),
    }
}

/// A boolean variable as Go's `strconv.ParseBool` reads it; unset or empty is `false`.
pub fn bool_var(var: &'static str) -> Result<bool> {
    match std::env::var(var) {
        Ok(v) => match v.trim() {
            "" => Ok(false),
            "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
            "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
            _ => Err(Error::InvalidEnv {
                var,
                value: v,
                reason: "expected true or false".to_owned(),
            }),
        },
        Err(_) => Ok(false),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        let d = |s| parse_go_duration(s);
        assert_eq!(d("60s"), Some(Duration::from_secs(60)));
        assert_eq!(d("1m30s"), Some(Duration::from_secs(90)));
        assert_eq!(d("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(d("250ms"), Some(Duration::from_millis(250)));
        assert_eq!(d("2m0.5s"), Some(Duration::from_millis(120_500)));
        assert_eq!(d("0"), Some(Duration::ZERO));
        for bad in ["", "60", "s", "-1s", "1x", "1m s"] {
            assert_eq!(d(bad), None, "{bad:?}");
        }
    }
}
