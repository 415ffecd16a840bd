#!/usr/bin/env bash
# Start-to-ready time of krb's envtest harness (etcd + kube-apiserver, admin client ready,
# namespace `default` present), median of N runs (default 10), plus the Drop (stop) time.
#
#   bench/envtest-start.sh [N]
#
# Needs the binaries (KUBEBUILDER_ASSETS or `krb envtest use 1.37.2 --from-source`). Builds a
# throw-away binary against crates/krb (feature envtest) in the workspace target dir.
set -euo pipefail
N=${1:-10}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KRB=${KRB_PATH:-$ROOT/crates/krb}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
mkdir -p "$W/src"
cat > "$W/Cargo.toml" <<TOML
[package]
name = "envtest-start-bench"
version = "0.0.0"
edition = "2024"
publish = false
[dependencies]
krb = { path = "$KRB", features = ["envtest"] }
k8s-openapi = { version = "0.29", default-features = false, features = ["latest"] }
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
[profile.dev]
debug = "line-tables-only"
[profile.dev.package."*"]
debug = false
[workspace]
TOML
cp "$ROOT/Cargo.lock" "$W/Cargo.lock"
cat > "$W/src/main.rs" <<'RS'
use std::time::Instant;

#[tokio::main]
async fn main() {
    let n: usize = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let env = krb::envtest::Environment::builder().build();
    let (mut start, mut stop) = (Vec::new(), Vec::new());
    for i in 0..n {
        let t = Instant::now();
        let te = env.start().await.expect("start");
        start.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        drop(te);
        stop.push(t.elapsed().as_secs_f64());
        eprintln!("run {}: start {:.2}s stop {:.2}s", i + 1, start[i], stop[i]);
    }
    let median = |v: &mut Vec<f64>| {
        v.sort_by(|a, b| a.total_cmp(b));
        let m = v.len() / 2;
        if v.len() % 2 == 0 { (v[m - 1] + v[m]) / 2.0 } else { v[m] }
    };
    println!(
        "envtest start-to-ready: median {:.2}s (min {:.2}s, max {:.2}s, n={n}); stop: median {:.2}s",
        median(&mut start), start[0], start[n - 1], median(&mut stop)
    );
}
RS
cd "$W"
CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target} cargo run -q -- "$N"
