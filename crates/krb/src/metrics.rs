//! A small Prometheus registry and the controller-runtime metrics krb records.
//!
//! [`registry()`] is the process-wide registry the manager serves on `/metrics`, like
//! controller-runtime's `metrics.Registry`: register your own [`CounterVec`], [`GaugeVec`] or
//! [`HistogramVec`] there and they are exported next to krb's.
//!
//! The output is the Prometheus text exposition format 0.0.4 ([`CONTENT_TYPE`]), which every
//! Prometheus version scrapes. Families are sorted by name and series by label values, so the
//! text is stable and easy to compare in tests.
//!
//! Metrics recorded by the manager (names and labels as in controller-runtime):
//!
//! | name | type | labels |
//! |---|---|---|
//! | `controller_runtime_reconcile_total` | counter | `controller`, `result` (`success`, `error`, `requeue`, `requeue_after`) |
//! | `controller_runtime_reconcile_errors_total` | counter | `controller` |
//! | `controller_runtime_reconcile_time_seconds` | histogram | `controller` |
//! | `controller_runtime_active_workers` | gauge | `controller` |
//! | `controller_runtime_max_concurrent_reconciles` | gauge | `controller` |
//! | `leader_election_master_status` | gauge | `name` (the lease name; only with `--leader-elect`) |
//!
//! kube-runtime does not expose a controller's concurrency setting, and its default is unbounded,
//! so `controller_runtime_max_concurrent_reconciles` reports `0`, meaning "no limit".

use std::{
    collections::BTreeMap,
    fmt::{self, Write as _},
    sync::{Arc, LazyLock, Mutex, MutexGuard, PoisonError},
};

/// `Content-Type` of [`Registry::encode`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// controller-runtime's buckets for `controller_runtime_reconcile_time_seconds`.
pub const RECONCILE_TIME_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9,
    1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 15.0, 20.0,
    25.0, 30.0, 40.0, 50.0, 60.0,
];

/// Errors from [`Registry::register`].
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Two families with one name would produce an invalid exposition.
    #[error("a metric named {0:?} is already registered")]
    Duplicate(String),
}

/// A metric family that can write itself in the text exposition format.
pub trait Collector: Send + Sync + fmt::Debug {
    /// The family name, unique within a [`Registry`].
    fn name(&self) -> &str;
    /// Appends `# HELP`, `# TYPE` and one line per sample to `out`.
    fn encode(&self, out: &mut String);
}

/// A set of metric families, encoded together for a scrape.
#[derive(Debug, Default)]
pub struct Registry {
    collectors: Mutex<Vec<Arc<dyn Collector>>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a family. Keep the `Arc` to update it; the registry reads it on every scrape.
    pub fn register(&self, collector: Arc<dyn Collector>) -> Result<(), RegistryError> {
        let mut collectors = lock(&self.collectors);
        if collectors.iter().any(|c| c.name() == collector.name()) {
            return Err(RegistryError::Duplicate(collector.name().to_owned()));
        }
        collectors.push(collector);
        Ok(())
    }

    /// All families in the text exposition format, sorted by name.
    pub fn encode(&self) -> String {
        let mut collectors = lock(&self.collectors).clone();
        collectors.sort_by(|a, b| a.name().cmp(b.name()));
        let mut out = String::new();
        for collector in collectors {
            collector.encode(&mut out);
        }
        out
    }
}

/// The process-wide registry that the manager serves on `/metrics`.
pub fn registry() -> &'static Registry {
    static REGISTRY: LazyLock<Registry> = LazyLock::new(Registry::new);
    &REGISTRY
}

/// Label names and help text shared by all three metric kinds.
#[derive(Debug)]
struct Desc {
    name: String,
    help: String,
    labels: Vec<String>,
}

impl Desc {
    fn new(name: &str, help: &str, labels: &[&str]) -> Self {
        assert!(valid_name(name, true), "invalid metric name {name:?}");
        for label in labels {
            assert!(
                valid_name(label, false) && !label.starts_with("__") && *label != "le",
                "invalid label name {label:?} for metric {name:?}"
            );
        }
        Self {
            name: name.to_owned(),
            help: help.to_owned(),
            labels: labels.iter().map(|l| (*l).to_owned()).collect(),
        }
    }

    fn key(&self, values: &[&str]) -> Vec<String> {
        assert_eq!(
            values.len(),
            self.labels.len(),
            "metric {} takes labels {:?}, got values {values:?}",
            self.name,
            self.labels
        );
        values.iter().map(|v| (*v).to_owned()).collect()
    }

    fn header(&self, out: &mut String, kind: &str) {
        let help = self.help.replace('\\', r"\\").replace('\n', r"\n");
        let _ = writeln!(out, "# HELP {} {help}", self.name);
        let _ = writeln!(out, "# TYPE {} {kind}", self.name);
    }

    /// One sample line: `name{a="x",extra="y"} value`.
    fn sample(
        &self,
        out: &mut String,
        suffix: &str,
        values: &[String],
        extra: Option<(&str, &str)>,
        value: &str,
    ) {
        out.push_str(&self.name);
        out.push_str(suffix);
        let pairs = self
            .labels
            .iter()
            .map(String::as_str)
            .zip(values.iter().map(String::as_str))
            .chain(extra);
        let mut first = true;
        for (label, value) in pairs {
            out.push(if first { '{' } else { ',' });
            first = false;
            let _ = write!(out, "{label}=\"{}\"", escape_label_value(value));
        }
        if !first {
            out.push('}');
        }
        out.push(' ');
        out.push_str(value);
        out.push('\n');
    }
}

/// A counter with labels, like Prometheus' `CounterVec`.
#[derive(Debug)]
pub struct CounterVec {
    desc: Desc,
    series: Mutex<BTreeMap<Vec<String>, u64>>,
}

impl CounterVec {
    /// A counter family. By convention counter names end in `_total`.
    ///
    /// # Panics
    /// If the metric or a label name is not a valid Prometheus name.
    pub fn new(name: &str, help: &str, labels: &[&str]) -> Self {
        Self {
            desc: Desc::new(name, help, labels),
            series: Mutex::default(),
        }
    }

    /// Adds one to the series with these label values (in the order of the label names).
    ///
    /// # Panics
    /// If the number of values differs from the number of label names.
    pub fn inc(&self, values: &[&str]) {
        self.inc_by(values, 1);
    }

    /// Adds `n`; `n = 0` makes the series visible with value 0.
    pub fn inc_by(&self, values: &[&str], n: u64) {
        let key = self.desc.key(values);
        *lock(&self.series).entry(key).or_default() += n;
    }

    /// The current value, 0 for a series never touched.
    pub fn get(&self, values: &[&str]) -> u64 {
        let key = self.desc.key(values);
        lock(&self.series).get(&key).copied().unwrap_or(0)
    }
}

impl Collector for CounterVec {
    fn name(&self) -> &str {
        &self.desc.name
    }

    fn encode(&self, out: &mut String) {
        let series = lock(&self.series);
        // Prometheus' Go client leaves out families without series; so do we.
        if series.is_empty() {
            return;
        }
        self.desc.header(out, "counter");
        for (values, count) in series.iter() {
            self.desc.sample(out, "", values, None, &count.to_string());
        }
    }
}

/// A gauge with labels, like Prometheus' `GaugeVec`.
#[derive(Debug)]
pub struct GaugeVec {
    desc: Desc,
    series: Mutex<BTreeMap<Vec<String>, f64>>,
}

impl GaugeVec {
    /// A gauge family.
    ///
    /// # Panics
    /// If the metric or a label name is not a valid Prometheus name.
    pub fn new(name: &str, help: &str, labels: &[&str]) -> Self {
        Self {
            desc: Desc::new(name, help, labels),
            series: Mutex::default(),
        }
    }

    /// Sets the series with these label values.
    ///
    /// # Panics
    /// If the number of values differs from the number of label names.
    pub fn set(&self, values: &[&str], value: f64) {
        let key = self.desc.key(values);
        lock(&self.series).insert(key, value);
    }

    /// Adds `delta` (negative to subtract).
    pub fn add(&self, values: &[&str], delta: f64) {
        let key = self.desc.key(values);
        *lock(&self.series).entry(key).or_default() += delta;
    }

    /// The current value, 0 for a series never touched.
    pub fn get(&self, values: &[&str]) -> f64 {
        let key = self.desc.key(values);
        lock(&self.series).get(&key).copied().unwrap_or(0.0)
    }
}

impl Collector for GaugeVec {
    fn name(&self) -> &str {
        &self.desc.name
    }

    fn encode(&self, out: &mut String) {
        let series = lock(&self.series);
        // Prometheus' Go client leaves out families without series; so do we.
        if series.is_empty() {
            return;
        }
        self.desc.header(out, "gauge");
        for (values, value) in series.iter() {
            self.desc
                .sample(out, "", values, None, &format_float(*value));
        }
    }
}

#[derive(Debug, Clone)]
struct HistogramSeries {
    /// Per-bucket (not cumulative) counts; cumulated when encoding.
    buckets: Vec<u64>,
    sum: f64,
    count: u64,
}

/// A histogram with labels, like Prometheus' `HistogramVec`.
#[derive(Debug)]
pub struct HistogramVec {
    desc: Desc,
    bounds: Vec<f64>,
    series: Mutex<BTreeMap<Vec<String>, HistogramSeries>>,
}

impl HistogramVec {
    /// A histogram family with these upper bucket bounds (`+Inf` is implied).
    ///
    /// # Panics
    /// If a name is invalid or the bounds are not finite and strictly increasing.
    pub fn new(name: &str, help: &str, labels: &[&str], buckets: &[f64]) -> Self {
        assert!(
            buckets.iter().all(|b| b.is_finite()) && buckets.windows(2).all(|w| w[0] < w[1]),
            "histogram {name:?} needs finite, strictly increasing buckets"
        );
        Self {
            desc: Desc::new(name, help, labels),
            bounds: buckets.to_vec(),
            series: Mutex::default(),
        }
    }

    /// Records one observation.
    ///
    /// # Panics
    /// If the number of values differs from the number of label names.
    pub fn observe(&self, values: &[&str], value: f64) {
        let key = self.desc.key(values);
        let mut series = lock(&self.series);
        let entry = series.entry(key).or_insert_with(|| HistogramSeries {
            buckets: vec![0; self.bounds.len()],
            sum: 0.0,
            count: 0,
        });
        if let Some(i) = self.bounds.iter().position(|bound| value <= *bound) {
            entry.buckets[i] += 1;
        }
        entry.sum += value;
        entry.count += 1;
    }

    /// How many observations the series has, 0 for a series never touched.
    pub fn sample_count(&self, values: &[&str]) -> u64 {
        let key = self.desc.key(values);
        lock(&self.series).get(&key).map_or(0, |s| s.count)
    }
}

impl Collector for HistogramVec {
    fn name(&self) -> &str {
        &self.desc.name
    }

    fn encode(&self, out: &mut String) {
        let all = lock(&self.series);
        // Prometheus' Go client leaves out families without series; so do we.
        if all.is_empty() {
            return;
        }
        self.desc.header(out, "histogram");
        for (values, series) in all.iter() {
            let mut cumulative = 0;
            for (bound, count) in self.bounds.iter().zip(&series.buckets) {
                cumulative += count;
                let le = format_float(*bound);
                let n = cumulative.to_string();
                self.desc
                    .sample(out, "_bucket", values, Some(("le", &le)), &n);
            }
            let count = series.count.to_string();
            self.desc
                .sample(out, "_bucket", values, Some(("le", "+Inf")), &count);
            self.desc
                .sample(out, "_sum", values, None, &format_float(series.sum));
            self.desc.sample(out, "_count", values, None, &count);
        }
    }
}

/// The metrics the manager records for every controller and for leader election.
#[derive(Debug)]
pub(crate) struct ControllerMetrics {
    pub(crate) reconcile_total: Arc<CounterVec>,
    pub(crate) reconcile_errors: Arc<CounterVec>,
    pub(crate) reconcile_time: Arc<HistogramVec>,
    pub(crate) active_workers: Arc<GaugeVec>,
    pub(crate) max_concurrent: Arc<GaugeVec>,
    pub(crate) leader: Arc<GaugeVec>,
}

/// Values of the `result` label, as controller-runtime names them.
pub(crate) const RESULT_LABELS: [&str; 4] = ["error", "requeue", "requeue_after", "success"];

impl ControllerMetrics {
    /// The families registered in `registry`.
    ///
    /// # Panics
    /// If `registry` already holds one of them; each registry gets one set.
    pub(crate) fn new(registry: &Registry) -> Self {
        let metrics = Self {
            reconcile_total: Arc::new(CounterVec::new(
                "controller_runtime_reconcile_total",
                "Total number of reconciliations per controller",
                &["controller", "result"],
            )),
            reconcile_errors: Arc::new(CounterVec::new(
                "controller_runtime_reconcile_errors_total",
                "Total number of reconciliation errors per controller",
                &["controller"],
            )),
            reconcile_time: Arc::new(HistogramVec::new(
                "controller_runtime_reconcile_time_seconds",
                "Length of time per reconciliation per controller",
                &["controller"],
                RECONCILE_TIME_BUCKETS,
            )),
            active_workers: Arc::new(GaugeVec::new(
                "controller_runtime_active_workers",
                "Number of currently used workers per controller",
                &["controller"],
            )),
            max_concurrent: Arc::new(GaugeVec::new(
                "controller_runtime_max_concurrent_reconciles",
                "Maximum number of concurrent reconciles per controller",
                &["controller"],
            )),
            leader: Arc::new(GaugeVec::new(
                "leader_election_master_status",
                "Gauge of if the reporting system is master of the relevant lease, 0 indicates \
                 backup, 1 indicates master. 'name' is the string used to identify the lease. \
                 Please make sure to group by name.",
                &["name"],
            )),
        };
        let families: [Arc<dyn Collector>; 6] = [
            metrics.reconcile_total.clone(),
            metrics.reconcile_errors.clone(),
            metrics.reconcile_time.clone(),
            metrics.active_workers.clone(),
            metrics.max_concurrent.clone(),
            metrics.leader.clone(),
        ];
        for family in families {
            registry
                .register(family)
                .expect("controller metrics are registered once per registry");
        }
        metrics
    }

    /// The set registered in [`registry()`].
    pub(crate) fn global() -> &'static Self {
        static METRICS: LazyLock<ControllerMetrics> =
            LazyLock::new(|| ControllerMetrics::new(registry()));
        &METRICS
    }

    /// Makes every series of `controller` visible at 0, as controller-runtime does, so that
    /// `rate()` and alerts work before the first reconcile.
    pub(crate) fn init_controller(&self, controller: &str, max_concurrent: u16) {
        for result in RESULT_LABELS {
            self.reconcile_total.inc_by(&[controller, result], 0);
        }
        self.reconcile_errors.inc_by(&[controller], 0);
        self.active_workers.set(&[controller], 0.0);
        self.max_concurrent
            .set(&[controller], f64::from(max_concurrent));
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding the lock cannot leave a half-written sample worth refusing to serve.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

fn valid_name(name: &str, allow_colon: bool) -> bool {
    let mut chars = name.chars();
    let ok = |c: char| c.is_ascii_alphanumeric() || c == '_' || (allow_colon && c == ':');
    matches!(chars.next(), Some(c) if ok(c) && !c.is_ascii_digit()) && chars.all(ok)
}

fn escape_label_value(value: &str) -> String {
    value
        .replace('\\', r"\\")
        .replace('"', r#"\""#)
        .replace('\n', r"\n")
}

/// Floats as Prometheus writes them: `1`, `0.005`, `+Inf`, `NaN`.
fn format_float(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value == f64::INFINITY {
        "+Inf".to_owned()
    } else if value == f64::NEG_INFINITY {
        "-Inf".to_owned()
    } else {
        value.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_counter_gauge_and_histogram() {
        let registry = Registry::new();
        let requests = Arc::new(CounterVec::new(
            "http_requests_total",
            "Requests served.\nBy code.",
            &["code", "path"],
        ));
        let temperature = Arc::new(GaugeVec::new("room_temperature", "Degrees", &["room"]));
        let latency = Arc::new(HistogramVec::new(
            "request_seconds",
            "Request latency",
            &["handler"],
            &[0.1, 1.0, 2.5],
        ));
        // Registered out of order: the output is sorted by name.
        registry.register(temperature.clone()).unwrap();
        registry.register(requests.clone()).unwrap();
        registry.register(latency.clone()).unwrap();

        requests.inc(&["200", "/"]);
        requests.inc_by(&["500", r#"/a"b\c"#], 2);
        requests.inc(&["200", "/"]);
        temperature.set(&["kitchen"], 21.5);
        temperature.add(&["cellar"], -3.0);
        latency.observe(&["api"], 0.05);
        latency.observe(&["api"], 1.0);
        latency.observe(&["api"], 7.0);

        let expected = r#"# HELP http_requests_total Requests served.\nBy code.
# TYPE http_requests_total counter
http_requests_total{code="200",path="/"} 2
http_requests_total{code="500",path="/a\"b\\c"} 2
# HELP request_seconds Request latency
# TYPE request_seconds histogram
request_seconds_bucket{handler="api",le="0.1"} 1
request_seconds_bucket{handler="api",le="1"} 2
request_seconds_bucket{handler="api",le="2.5"} 2
request_seconds_bucket{handler="api",le="+Inf"} 3
request_seconds_sum{handler="api"} 8.05
request_seconds_count{handler="api"} 3
# HELP room_temperature Degrees
# TYPE room_temperature gauge
room_temperature{room="cellar"} -3
room_temperature{room="kitchen"} 21.5
"#;
        assert_eq!(registry.encode(), expected);
        assert_eq!(requests.get(&["200", "/"]), 2);
        assert_eq!(latency.sample_count(&["api"]), 3);
    }

    #[test]
    fn family_without_labels_has_no_braces() {
        let registry = Registry::new();
        let up = Arc::new(GaugeVec::new("up", "Whether it runs", &[]));
        registry.register(up.clone()).unwrap();
        up.set(&[], 1.0);
        assert_eq!(
            registry.encode(),
            "# HELP up Whether it runs\n# TYPE up gauge\nup 1\n"
        );
    }

    #[test]
    fn duplicate_names_are_rejected() {
        let registry = Registry::new();
        registry
            .register(Arc::new(CounterVec::new("a_total", "A", &[])))
            .unwrap();
        let err = registry
            .register(Arc::new(GaugeVec::new("a_total", "B", &[])))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            r#"a metric named "a_total" is already registered"#
        );
    }

    #[test]
    #[should_panic(expected = "takes labels")]
    fn wrong_label_count_panics() {
        CounterVec::new("x_total", "X", &["a"]).inc(&[]);
    }

    #[test]
    #[should_panic(expected = "invalid metric name")]
    fn invalid_name_panics() {
        CounterVec::new("1bad", "X", &[]);
    }

    #[test]
    fn controller_series_start_at_zero() {
        let registry = Registry::new();
        let metrics = ControllerMetrics::new(&registry);
        metrics.init_controller("cronjob", 0);
        let text = registry.encode();
        for line in [
            r#"controller_runtime_reconcile_total{controller="cronjob",result="error"} 0"#,
            r#"controller_runtime_reconcile_total{controller="cronjob",result="requeue"} 0"#,
            r#"controller_runtime_reconcile_total{controller="cronjob",result="requeue_after"} 0"#,
            r#"controller_runtime_reconcile_total{controller="cronjob",result="success"} 0"#,
            r#"controller_runtime_reconcile_errors_total{controller="cronjob"} 0"#,
            r#"controller_runtime_active_workers{controller="cronjob"} 0"#,
            r#"controller_runtime_max_concurrent_reconciles{controller="cronjob"} 0"#,
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing {line:?} in\n{text}"
            );
        }
        // Families without series are left out, like the Go client does.
        assert!(!text.contains("leader_election_master_status"));
        assert!(!text.contains("controller_runtime_reconcile_time_seconds"));
    }

    #[test]
    fn floats_are_formatted_like_prometheus() {
        assert_eq!(format_float(1.0), "1");
        assert_eq!(format_float(0.005), "0.005");
        assert_eq!(format_float(f64::INFINITY), "+Inf");
        assert_eq!(format_float(f64::NEG_INFINITY), "-Inf");
        assert_eq!(format_float(f64::NAN), "NaN");
    }
}
