//! Logging setup for a generated manager.

use tracing_subscriber::EnvFilter;

/// The filter used when `RUST_LOG` is unset or invalid.
pub const DEFAULT_FILTER: &str = "info";

/// Installs a `tracing-subscriber` fmt subscriber as the global default.
///
/// The filter comes from `RUST_LOG` (for example `RUST_LOG=info,kube=debug`), else
/// [`DEFAULT_FILTER`]. Calling it again, or after another subscriber was installed (by a test
/// harness, say), does nothing.
pub fn init() {
    let (filter, invalid) = filter_from(std::env::var(EnvFilter::DEFAULT_ENV).ok().as_deref());
    let installed = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .try_init()
        .is_ok();
    // Only now can the complaint about RUST_LOG reach a log.
    if let (true, Some(error)) = (installed, invalid) {
        tracing::warn!(%error, "ignoring invalid RUST_LOG, logging at {DEFAULT_FILTER}");
    }
}

/// The filter for a `RUST_LOG` value, and the parse error when it had to fall back.
fn filter_from(rust_log: Option<&str>) -> (EnvFilter, Option<String>) {
    match rust_log.map(str::trim).filter(|s| !s.is_empty()) {
        None => (EnvFilter::new(DEFAULT_FILTER), None),
        Some(directives) => match EnvFilter::try_new(directives) {
            Ok(filter) => (filter, None),
            Err(err) => (EnvFilter::new(DEFAULT_FILTER), Some(err.to_string())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filter_defaults_to_info_and_reports_bad_directives() {
        let (filter, invalid) = filter_from(None);
        assert_eq!(filter.to_string(), "info");
        assert!(invalid.is_none());

        let (filter, invalid) = filter_from(Some("warn,kube=debug"));
        assert_eq!(filter.to_string(), "kube=debug,warn");
        assert!(invalid.is_none());

        let (filter, invalid) = filter_from(Some("kube=loud"));
        assert_eq!(filter.to_string(), "info");
        assert!(invalid.is_some());
    }

    #[test]
    fn init_is_idempotent() {
        init();
        init();
        tracing::info!("still fine");
    }
}
