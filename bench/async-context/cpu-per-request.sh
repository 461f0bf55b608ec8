#!/usr/bin/env bash
# CPU time of a fixed number of requests to the minimal handler (not of a fixed time, so that a
# slower variant is not charged for the seconds it ran), and what the garbage collector did meanwhile.
# Interleave variants yourself, several times: this machine's noise is ±5-10 % from run to run.
#   bench/async-context/cpu-per-request.sh LABEL [NODE_ARGS...]
#   e.g. ... bare
#        HOPTRACE_MODE=probe-only HOPTRACE_SECRET=0123456789abcdef0123 ... probe-only --import @hoptrace/instrument/register
set -euo pipefail
cd "$(dirname "$0")/.."
LABEL=$1; shift
REQUESTS=${REQUESTS:-40000}
OUT=$(mktemp)
trap 'rm -f "$OUT"' EXIT
PORT=0 NODE_ENV=production node --trace-gc "$@" minimal-app.js >"$OUT" 2>/dev/null &
pid=$!
for _ in $(seq 100); do grep -q '"port"' "$OUT" 2>/dev/null && break; sleep 0.1; done
port=$(grep -o '"port":[0-9]*' "$OUT" | cut -d: -f2)
npx autocannon -c 20 -a 5000 "http://127.0.0.1:$port/hello" >/dev/null 2>&1 # warm-up
from=$(wc -l <"$OUT")
before=$(awk '{print $14 + $15}' "/proc/$pid/stat")
npx autocannon -c 20 -a "$REQUESTS" "http://127.0.0.1:$port/hello" >/dev/null 2>&1
after=$(awk '{print $14 + $15}' "/proc/$pid/stat")
kill "$pid"
wait "$pid" 2>/dev/null || true
ticks=$(getconf CLK_TCK)
window=$(tail -n +"$((from + 1))" "$OUT")
gc_ms() { grep "$1" <<<"$window" | sed -n 's/.*MB, \([0-9.]*\) \/.*/\1/p' | awk '{s += $1} END {printf "%.0f", s}'; }
echo "$LABEL: $(( (after - before) * 1000000 / ticks / REQUESTS )) µs CPU per request over $REQUESTS requests;" \
  "scavenges $(grep -c Scavenge <<<"$window" || true) ($(gc_ms Scavenge) ms), mark-sweeps $(grep -c Mark <<<"$window" || true) ($(gc_ms Mark) ms)"
