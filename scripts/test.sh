#!/usr/bin/env bash
# Runs every krb test on a fresh machine: installs what the tests need (Go-built envtest
# binaries, controller-gen, mdbook; each cached after the first run), then lint, tests, book.
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
# Generated projects share one target dir so their dependencies build once.
export KRB_GENERATED_TARGET_DIR=${KRB_GENERATED_TARGET_DIR:-$HOME/.cache/krb/generated-target}
export PATH="$HOME/.cargo/bin:$HOME/go/bin:$PATH"

step() { printf '\n==> %s (%ss)\n' "$*" "$SECONDS"; }

step "build krb"
cargo build --locked -p krb-cli

step "envtest binaries (built from source once per machine)"
KUBEBUILDER_ASSETS=$(./target/debug/krb envtest use 1.37.2 --from-source -p path)
export KUBEBUILDER_ASSETS
"$KUBEBUILDER_ASSETS/kube-apiserver" --version

step "controller-gen v0.23.0"
command -v controller-gen >/dev/null || GOFLAGS=-mod=mod go install sigs.k8s.io/controller-tools/cmd/controller-gen@v0.23.0
controller-gen --version

step "mdbook"
command -v mdbook >/dev/null || cargo install --locked mdbook --version 0.5.4
mdbook --version

step "format and lint"
cargo fmt --all --check
cargo clippy --locked --workspace --all-targets --all-features -- -D warnings

step "tests"
log=$(mktemp)
trap 'rm -f "$log"' EXIT
cargo test --locked --workspace --all-features 2>&1 | tee "$log"

step "book"
mdbook build book

step "done"
# One closing line for the whole run, summed over every test binary.
awk '/^test result:/ { p += $4; f += $6; i += $8 } END { printf "tests: %d passed, %d failed, %d skipped\n", p, f, i }' "$log"
