#!/usr/bin/env bash
# Soak test of the explorer: a release build over N generated rows (default
# 10,000,000), 8 keep-alive clients of dash-soak replaying a mixed plan for
# 10 minutes — page flips, new filters, sorts, searches, view keys, small
# CSV exports, filters that do not parse, malformed and forged requests,
# page reloads (scripts/explorer_bodies.py URL soak N writes it) — then
# requests and errors by kind, p50/p99 per minute and the server's RSS
# every 30 s. Not part of scripts/test.sh (it takes minutes, and the first
# release build of polars 20+).
#
#   scripts/soak.sh [--rows N] [--clients 8] [--seconds 600] [--redis]
#
# --redis  the explorer keeps its frames in a throwaway redis-server started
#          here (REDIS_URL points at it), which is killed halfway through
#          and started again, empty, 10 seconds later: errors from the kill
#          until 5 s after the restart are counted apart, and requests must
#          be answered again afterwards without restarting the app.
#
# Exit status 0 only if no request got an unexpected answer (see the header
# of tests/src/bin/dash-soak.rs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dash-rs/target}"
ROWS=10000000 CLIENTS=8 SECONDS_=600 REDIS=0
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --clients) CLIENTS="$2"; shift 2 ;;
    --seconds) SECONDS_="$2"; shift 2 ;;
    --redis) REDIS=1; shift ;;
    *) echo "unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
  esac
done

cargo build --release -p examples --bin explorer -p tests --bin dash-soak >&2
BIN="$CARGO_TARGET_DIR/release"
WORK="$(mktemp -d)"
SERVER="" REDIS_PID=""
cleanup() {
  [ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true
  [ -z "$REDIS_PID" ] || kill "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
now_ms() { date +%s%3N; }

start_redis() {
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no \
    --dir "$WORK" --maxmemory 4gb --maxmemory-policy allkeys-lru \
    >"$WORK/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 100); do
    redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  cat "$WORK/redis.log" >&2
  exit 1
}

if [ "$REDIS" = 1 ]; then
  command -v redis-server >/dev/null || { echo "--redis needs redis-server" >&2; exit 1; }
  REDIS_PORT=$(free_port)
  start_redis
  export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/"
else
  unset REDIS_URL
fi

PORT=$(free_port)
t0=$(date +%s.%N)
HOST=127.0.0.1 PORT=$PORT "$BIN/explorer" --rows "$ROWS" >"$WORK/server.log" 2>&1 &
SERVER=$!
for _ in $(seq 3000); do
  curl -sf "http://127.0.0.1:$PORT/_dash-layout" >/dev/null && break
  kill -0 "$SERVER" 2>/dev/null || { cat "$WORK/server.log" >&2; exit 1; }
  sleep 0.1
done
rss() { awk -v k="$1:" '$1 == k {printf "%.1f MB", $2/1024}' "/proc/$SERVER/status"; }
printf 'explorer soak: %s rows, %s clients, %s s, %s, %s cores, %s\n' "$ROWS" "$CLIENTS" \
  "$SECONDS_" "$([ "$REDIS" = 1 ] && echo "Redis at $REDIS_URL, restarted halfway" || echo "in-memory store")" \
  "$(nproc)" "$(date -u +%Y-%m-%dT%H:%MZ)"
printf 'server up in %.1f s, RSS %s\n' "$(awk -v a="$(date +%s.%N)" -v b="$t0" 'BEGIN { print a - b }')" "$(rss VmRSS)"

python3 scripts/explorer_bodies.py "http://127.0.0.1:$PORT" soak 60000 >"$WORK/plan.jsonl"
: >"$WORK/events"
"$BIN/dash-soak" --base "http://127.0.0.1:$PORT" --plan "$WORK/plan.jsonl" \
  --clients "$CLIENTS" --seconds "$SECONDS_" --server-pid "$SERVER" \
  --events "$WORK/events" &
SOAK=$!

if [ "$REDIS" = 1 ]; then
  sleep "$(( SECONDS_ / 2 ))"
  echo "down $(now_ms)" >>"$WORK/events"
  echo "-- killing Redis (SIGKILL) at $(date -u +%H:%M:%S)"
  kill -9 "$REDIS_PID"; wait "$REDIS_PID" 2>/dev/null || true
  sleep 10
  start_redis
  echo "up $(now_ms)" >>"$WORK/events"
  echo "-- Redis is back (empty) at $(date -u +%H:%M:%S)"
fi

status=0
wait "$SOAK" || status=$?
printf 'server peak RSS: %s\n' "$(rss VmHWM)"
if ! kill -0 "$SERVER" 2>/dev/null; then
  echo "the server died:" >&2; tail -20 "$WORK/server.log" >&2; exit 1
fi
grep -ciE 'panick' "$WORK/server.log" >/dev/null && { echo "the server log shows a panic:" >&2; grep -iE -m5 'panick' "$WORK/server.log" >&2; status=1; }
exit "$status"
