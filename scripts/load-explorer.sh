#!/usr/bin/env bash
# Load test of the DataTable on the explorer's generated dataset: a release
# build of `explorer --rows N` (default 10,000,000), 8 keep-alive clients of
# dash-load, page size 100, and for each case throughput, p50/p99 latency,
# the server's CPU time per request and its peak RSS. Not part of
# scripts/test.sh (the release build of polars takes 20+ minutes on two
# cores the first time).
#
#   scripts/load-explorer.sh [--rows N] [--clients 8] [--seconds 10] [CASE...]
#
# Cases (default: all), bodies written by scripts/explorer_bodies.py:
#   flips     page flips of one cached filtered+sorted view
#   numeric   `{price} > X && {category} = cat_7`, X new in every request
#   contains  `{name} contains ab`
#   sort2     first page of a new two-column sort
# `flips` runs against a server with the default view cache; the other
# cases against a second server started with the view cache off
# (AIO_DATATABLE_VIEW_CACHE_BYTES=0), so every one of their requests
# filters and sorts the whole frame: nothing is served from a cache. (The
# per-column category index that `numeric` uses is built by the warm-up's
# first request; it maps categories to rows and answers no filter by
# itself.)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dash-rs/target}"
ROWS=10000000 CLIENTS=8 SECONDS_=10 CASES=()
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --seconds) SECONDS_="$2"; shift 2 ;;
    flips|numeric|contains|sort2) CASES+=("$1"); shift ;;
    *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done
[ ${#CASES[@]} -gt 0 ] || CASES=(flips numeric contains sort2)

cargo build --release -p examples --bin explorer >&2
cargo build --release -p tests --bin dash-load >&2
BIN="$CARGO_TARGET_DIR/release"
WORK="$(mktemp -d)"
SERVER=""
cleanup() {
  [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_server CACHE_BYTES: starts the explorer, waits for its layout.
start_server() {
  PORT=$(free_port)
  local t0; t0=$(date +%s.%N)
  HOST=127.0.0.1 PORT=$PORT AIO_DATATABLE_VIEW_CACHE_BYTES="$1" \
    "$BIN/explorer" --rows "$ROWS" >"$WORK/server.log" 2>&1 &
  SERVER=$!
  for _ in $(seq 1200); do
    curl -sf "http://127.0.0.1:$PORT/_dash-layout" >/dev/null && break
    kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
    sleep 0.1
  done
  printf 'server up (%s rows, view cache %s bytes) in %.1f s, RSS %s\n' "$ROWS" "$1" \
    "$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { print a - b }')" "$(rss VmRSS)"
}

stop_server() {
  printf 'server peak RSS: %s\n' "$(rss VmHWM)"
  kill "$SERVER" 2>/dev/null || true
  wait "$SERVER" 2>/dev/null || true
  SERVER=""
}

rss() { awk -v k="$1:" '$1 == k {printf "%.1f MB", $2/1024}' "/proc/$SERVER/status"; }

run_case() {
  local case="$1" count=20000
  python3 scripts/explorer_bodies.py "http://127.0.0.1:$PORT" "$case" "$count" >"$WORK/$case.jsonl"
  echo
  echo "== $case: $CLIENTS clients, ${SECONDS_}s, page size 100"
  "$BIN/dash-load" --url "http://127.0.0.1:$PORT/_dash-update-component" \
    --bodies "$WORK/$case.jsonl" --expect '"page_count"' \
    --clients "$CLIENTS" --seconds "$SECONDS_" --warmup 2 --server-pid "$SERVER"
}

echo "explorer load test: $(nproc) cores, $(date -u +%Y-%m-%dT%H:%MZ)"
for case in "${CASES[@]}"; do
  if [ "$case" = flips ]; then
    start_server 268435456
    run_case flips
    stop_server
  fi
done
UNCACHED=()
for case in "${CASES[@]}"; do [ "$case" = flips ] || UNCACHED+=("$case"); done
if [ ${#UNCACHED[@]} -gt 0 ]; then
  echo
  start_server 0
  for case in "${UNCACHED[@]}"; do run_case "$case"; done
  stop_server
fi
