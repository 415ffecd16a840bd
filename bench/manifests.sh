#!/usr/bin/env bash
# `krb make manifests` against controller-gen on the same project: the CronJob tutorial project
# of the markers engine's `tutorial` fixture (crates/krb-markers/tests/fixtures/tutorial: a
# CronJob in two versions, a Widget with most markers, RBAC and webhook markers) and its Go twin
# (the fixture's go/ directory, with its go.mod, so controller-gen can load the packages).
#
#   bench/manifests.sh [--runs N] [--warmup N]
#
#   1. builds krb in release mode (cargo build --release -p krb-cli);
#   2. copies the fixture into a temp dir with a PROJECT file (`krb make manifests` looks for
#      one) and the Go twin next to it;
#   3. runs hyperfine once over both commands (defaults: 3 warmup runs, 10 runs each):
#        krb make manifests
#        controller-gen rbac:roleName=manager-role crd paths=./... output:crd:artifacts:config=config/crd/bases
#      and prints both medians and the ratio.
#
# Needs hyperfine (apt-get install -y hyperfine), jq, go and controller-gen v0.23.0
# (GOFLAGS=-mod=mod go install sigs.k8s.io/controller-tools/cmd/controller-gen@v0.23.0).
# The warmup runs fill Go's build and module caches, so controller-gen is timed warm, as in a
# developer's edit-generate loop.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUNS=10
WARMUP=3
while (($#)); do
    case $1 in
    --runs)
        RUNS=${2:?--runs needs a number}
        shift
        ;;
    --warmup)
        WARMUP=${2:?--warmup needs a number}
        shift
        ;;
    -h | --help)
        sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'
        exit 0
        ;;
    *)
        echo "unknown argument: $1 (try --help)" >&2
        exit 2
        ;;
    esac
    shift
done

need() { command -v "$1" >/dev/null || { echo "$1 is required: $2" >&2; exit 1; }; }
need hyperfine "apt-get install -y hyperfine"
need jq "apt-get install -y jq"
need go "https://go.dev/dl/"
CONTROLLER_GEN=${CONTROLLER_GEN:-$(command -v controller-gen || echo "$(go env GOPATH)/bin/controller-gen")}
[[ -x $CONTROLLER_GEN ]] || {
    echo "controller-gen is required: GOFLAGS=-mod=mod go install sigs.k8s.io/controller-tools/cmd/controller-gen@v0.23.0" >&2
    exit 1
}
version=$("$CONTROLLER_GEN" --version 2>/dev/null || true)
[[ $version == *v0.23.0* ]] || echo "warning: controller-gen is '$version', not v0.23.0" >&2

echo "==> cargo build --release -p krb-cli" >&2
(cd "$ROOT" && cargo build --release --quiet -p krb-cli)
KRB="${CARGO_TARGET_DIR:-$ROOT/target}/release/krb"

W=$(mktemp -d "${TMPDIR:-/tmp}/krb-bench-manifests.XXXXXX")
trap 'rm -rf "$W"' EXIT
FIXTURE="$ROOT/crates/krb-markers/tests/fixtures/tutorial"
mkdir -p "$W/krb" "$W/go"
cp -R "$FIXTURE/api" "$FIXTURE/src" "$W/krb/"
cat >"$W/krb/PROJECT" <<'EOF'
cliVersion: 0.1.0
domain: tutorial.kubebuilder.io
layout:
- rust.krb.io/v1
projectName: project
repo: tutorial.kubebuilder.io/project
version: "3"
EOF
cp -R "$FIXTURE/go/." "$W/go/"

KRB_CMD="cd '$W/krb' && '$KRB' make manifests"
CG_CMD="cd '$W/go' && GOFLAGS=-mod=mod '$CONTROLLER_GEN' rbac:roleName=manager-role crd paths=./... output:crd:artifacts:config=config/crd/bases"

# Both must work before they are timed.
bash -c "$KRB_CMD" >/dev/null
bash -c "$CG_CMD"
ls "$W/krb/config/crd/bases" "$W/go/config/crd/bases" >/dev/null

hyperfine --warmup "$WARMUP" --runs "$RUNS" --export-json "$W/times.json" \
    --command-name "krb make manifests" "$KRB_CMD" \
    --command-name "controller-gen" "$CG_CMD"

jq -r '
    (.results[] | select(.command == "krb make manifests") | .median) as $krb
    | (.results[] | select(.command == "controller-gen") | .median) as $cg
    | "krb make manifests: median \($krb * 1000 * 10 | round / 10) ms",
      "controller-gen:     median \($cg * 1000 * 10 | round / 10) ms",
      "ratio: krb is \($cg / $krb * 10 | round / 10)x faster"
' "$W/times.json"
