#!/usr/bin/env bash
# How long krb takes to scaffold the CronJob tutorial project, and how long that project takes
# to build.
#
#   bench/scaffold.sh [--quick] [--runs N]
#
#   1. builds krb in release mode (cargo build --release -p krb-cli);
#   2. times `krb init` + `krb create api` with the tutorial's flags in a fresh directory,
#      N runs (default 10), and `krb make manifests` in the result;
#   3. times the generated project's cold `cargo build` (a fresh CARGO_TARGET_DIR; the project
#      is initialized with KRB_DEV_CRATES=<this checkout>/crates so it builds against this
#      checkout) and its incremental `cargo build` after touching src/main.rs, median of 3.
#
# --quick skips the cold build; the incremental build then reuses $KRB_BENCH_TARGET_DIR when
# set (a target dir that already holds the project's dependencies), else it is skipped too.
#
# The generated project gets a copy of this checkout's Cargo.lock, so it resolves the same
# dependency versions and needs no registry index update. "Cold" means an empty target dir;
# crate sources already downloaded to ~/.cargo are reused.
#
# Uses hyperfine (apt-get install -y hyperfine) with jq for the krb timings when both are
# installed (KRB_BENCH_LOOP=1 opts out), else a bash loop over `date +%s%N`.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
QUICK=0
RUNS=10
BUILD_RUNS=3

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; }
while (($#)); do
    case $1 in
    --quick) QUICK=1 ;;
    --runs)
        RUNS=${2:?--runs needs a number}
        shift
        ;;
    -h | --help)
        usage
        exit 0
        ;;
    *)
        echo "unknown argument: $1 (try --help)" >&2
        exit 2
        ;;
    esac
    shift
done

W=$(mktemp -d "${TMPDIR:-/tmp}/krb-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

INIT_ARGS=(init --domain tutorial.kubebuilder.io --repo tutorial.kubebuilder.io/project)
# The tutorial's flags; --resource and --controller also keep krb from asking.
API_ARGS=(create api --group batch --version v1 --kind CronJob --resource --controller)

say() { printf '\n==> %s\n' "$*" >&2; }

# median of the numbers on stdin, one a line
median() {
    sort -g | awk '{ v[NR] = $1 } END {
        if (NR == 0) exit 1
        if (NR % 2) printf "%.1f\n", v[(NR + 1) / 2]
        else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2
    }'
}

# (The loop times include starting bash, a few ms; hyperfine subtracts its shell start-up.)
now_ns() { date +%s%N; }
ms_since() { awk -v a="$1" -v b="$(now_ns)" 'BEGIN { printf "%.1f\n", (b - a) / 1e6 }'; }

# time_loop NAME PREPARE COMMAND: RUNS runs of COMMAND (a shell string), each after PREPARE;
# prints the run times in ms, one a line.
time_loop() {
    local prepare=$2 cmd=$3 i t0
    bash -c "$prepare" && bash -c "$cmd"
    for ((i = 1; i <= RUNS; i++)); do
        bash -c "$prepare"
        t0=$(now_ns)
        bash -c "$cmd"
        ms_since "$t0"
    done
}

# bench NAME PREPARE COMMAND [HYPERFINE_ARGS...]: one warm-up, then RUNS timed runs; prints
# each run and the median; sets RESULT to the median (ms).
bench() {
    local name=$1 prepare=$2 cmd=$3 times
    shift 3
    if [[ -z ${KRB_BENCH_LOOP:-} ]] && command -v hyperfine >/dev/null && command -v jq >/dev/null; then
        hyperfine --style basic --warmup 1 --runs "$RUNS" --prepare "$prepare" \
            --export-json "$W/hf.json" --command-name "$name" "$@" "$cmd" >&2
        times=$(jq -r '.results[0].times[] * 1000' "$W/hf.json")
    else
        times=$(time_loop "$name" "$prepare" "$cmd >/dev/null")
    fi
    local i=0
    while read -r t; do
        i=$((i + 1))
        printf '  %-28s run %2d: %8.1f ms\n' "$name" "$i" "$t"
    done <<<"$times"
    RESULT=$(median <<<"$times")
    printf '  %-28s median: %7s ms\n' "$name" "$RESULT"
}

# cargo_build DIR TARGET: one `cargo build` of the project in DIR; prints seconds.
cargo_build() {
    local t0
    t0=$(now_ns)
    (cd "$1" && CARGO_TARGET_DIR=$2 cargo build --quiet)
    awk -v a="$t0" -v b="$(now_ns)" 'BEGIN { printf "%.1f\n", (b - a) / 1e9 }'
}

say "cargo build --release -p krb-cli"
(cd "$ROOT" && cargo build --release -p krb-cli)
TARGET=${CARGO_TARGET_DIR:-$ROOT/target}
KRB=$TARGET/release/krb
[[ -x $KRB ]] || {
    echo "no krb binary at $KRB" >&2
    exit 1
}

# Run in a directory named `project`, as the tutorial does: the project name comes from it.
S=$W/scaffold/project
q() { printf '%q ' "$@"; }
PREPARE="rm -rf $(q "$S") && mkdir -p $(q "$S")"
SCAFFOLD="cd $(q "$S") && $(q "$KRB" "${INIT_ARGS[@]}") >/dev/null && $(q "$KRB" "${API_ARGS[@]}") >/dev/null"

say "krb init + krb create api, $RUNS runs"
bench "init + create api" "$PREPARE" "$SCAFFOLD"
SCAFFOLD_MS=$RESULT

say "krb make manifests, $RUNS runs"
# Without a shell (-N): this command takes a few ms, close to a shell's start-up time.
cd "$S"
bench "make manifests" "true" "$(q "$KRB") make manifests" --shell=none --output=null
MANIFESTS_MS=$RESULT
cd "$ROOT"

# The project to build: against this checkout's crates, with this checkout's lock file.
P=$W/build/project
mkdir -p "$P"
(
    cd "$P"
    KRB_DEV_CRATES=$ROOT/crates "$KRB" "${INIT_ARGS[@]}" >/dev/null
    "$KRB" "${API_ARGS[@]}" >/dev/null
    "$KRB" make manifests >/dev/null
)
cp "$ROOT/Cargo.lock" "$P/Cargo.lock"

COLD=skipped
INCR=skipped
BT=
if ((QUICK)); then
    BT=${KRB_BENCH_TARGET_DIR:-}
    if [[ -n $BT ]]; then
        say "cold build skipped (--quick); warming $BT"
        cargo_build "$P" "$BT" >/dev/null
    else
        say "cold and incremental builds skipped (--quick; set KRB_BENCH_TARGET_DIR to time the incremental build)"
    fi
else
    BT=$W/build/target
    say "cold cargo build (fresh CARGO_TARGET_DIR)"
    COLD=$(cargo_build "$P" "$BT")
    printf '  %-28s %8s s\n' "cold cargo build" "$COLD"
fi

if [[ -n $BT ]]; then
    say "incremental cargo build after touching src/main.rs, $BUILD_RUNS runs"
    times=
    for ((i = 1; i <= BUILD_RUNS; i++)); do
        touch "$P/src/main.rs"
        t=$(cargo_build "$P" "$BT")
        printf '  %-28s run %2d: %8s s\n' "incremental cargo build" "$i" "$t"
        times+="$t"$'\n'
    done
    INCR=$(median <<<"${times%$'\n'}")
    printf '  %-28s median: %7s s\n' "incremental cargo build" "$INCR"
fi

unit() { [[ $1 == skipped ]] && echo "$1" || echo "$1 $2"; }
echo
echo "| step                                     | median     |"
echo "|------------------------------------------|------------|"
printf '| %-40s | %-10s |\n' "krb init + krb create api ($RUNS runs)" "$SCAFFOLD_MS ms"
printf '| %-40s | %-10s |\n' "krb make manifests ($RUNS runs)" "$MANIFESTS_MS ms"
printf '| %-40s | %-10s |\n' "cold cargo build (1 run)" "$(unit "$COLD" s)"
printf '| %-40s | %-10s |\n' "incremental cargo build ($BUILD_RUNS runs)" "$(unit "$INCR" s)"
echo
echo "krb $("$KRB" --version | awk '{ print $2 }'), $(cargo --version), $(nproc) CPUs"
