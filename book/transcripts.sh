#!/usr/bin/env bash
# Regenerates book/src/transcripts/: the exact output of the quick start's commands, run in a
# fresh directory named `project`, and the file tree they produce.
#
#   book/transcripts.sh            # uses target/debug/krb; build it first: cargo build -p krb-cli
#   KRB=/path/to/krb book/transcripts.sh
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
KRB=${KRB:-$ROOT/target/debug/krb}
OUT=$ROOT/book/src/transcripts
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/project" "$OUT"
cd "$W/project"
"$KRB" init --domain tutorial.kubebuilder.io --repo tutorial.kubebuilder.io/project >"$OUT/init.txt"
# Same plan as answering y, y to the prompts at a terminal; stdout only (the prompts are not
# printed without a terminal).
"$KRB" create api --group batch --version v1 --kind CronJob --resource --controller \
    >"$OUT/create-api.txt"
find . -type f | sort >"$OUT/tree.txt"
"$KRB" make manifests >"$OUT/make-manifests.txt"
cp PROJECT "$OUT/PROJECT"
echo "wrote $OUT"
