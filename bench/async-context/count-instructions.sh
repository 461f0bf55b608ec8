#!/usr/bin/env bash
# Instructions one request of the minimal handler costs, counted by callgrind (deterministic, unlike
# wall-clock time on a shared machine). Runs the app under valgrind twice, with 200 and then 4,200
# requests, and prints (total at 4,200 - total at 200) / 4,000, start-up excluded.
#   bench/async-context/count-instructions.sh [NODE] [PRELOAD]     e.g. ... /usr/bin/node ./preload-als.mjs
# Needs valgrind (Debian package) and about 3 minutes.
set -euo pipefail
cd "$(dirname "$0")"
NODE=${1:-node}
PRELOAD=${2:-}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT

total() { # N -> total instructions of start-up plus N requests
  local n=$1
  PORT=0 NODE_ENV=production valgrind --tool=callgrind --smc-check=all-non-file \
    --callgrind-out-file="$OUT/cg.$n" "$NODE" ${PRELOAD:+--import "$PRELOAD"} ../minimal-app.js >"$OUT/app.$n" 2>/dev/null &
  local pid=$!
  for _ in $(seq 900); do grep -q port "$OUT/app.$n" 2>/dev/null && break; sleep 0.2; done
  local port
  port=$(sed -n 's/.*"port":\([0-9]*\).*/\1/p' "$OUT/app.$n")
  node ./send-requests.mjs "$port" "$n"
  kill -INT "$pid"
  wait "$pid" || true
  sed -n 's/^summary: //p' "$OUT/cg.$n"
}

low=$(total 200)
high=$(total 4200)
echo "$("$NODE" --version) ${PRELOAD:-bare}: $(( (high - low) / 4000 )) instructions per request"
