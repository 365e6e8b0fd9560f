#!/usr/bin/env bash
# Load test of the callback round trip on the `hello` example: a release
# build of the server, 8 keep-alive clients on loopback, throughput,
# p50/p99 latency and the server's peak RSS. Not part of scripts/test.sh.
#
#   scripts/load.sh [--clients 8] [--seconds 10]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dash-rs/target}"
CLIENTS=8 SECONDS_=10
while [ $# -gt 0 ]; do
  case "$1" in
    --clients) CLIENTS="$2"; shift 2 ;;
    --seconds) SECONDS_="$2"; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done

# --no-default-features: hello needs no polars, so no polars release build.
cargo build --release -p examples --no-default-features --bin hello >&2
cargo build --release -p tests --bin dash-load >&2
BIN="$CARGO_TARGET_DIR/release"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
HOST=127.0.0.1 PORT=$PORT "$BIN/hello" >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  curl -sf "http://127.0.0.1:$PORT/_dash-layout" >/dev/null && break
  sleep 0.1
done

BODY='{"output":"greeting.children","outputs":{"id":"greeting","property":"children"},"inputs":[{"id":"name","property":"value","value":"Ada Lovelace"}],"changedPropIds":["name.value"]}'
echo "hello: POST /_dash-update-component, $CLIENTS clients, ${SECONDS_}s (release build, loopback)"
"$BIN/dash-load" --url "http://127.0.0.1:$PORT/_dash-update-component" --body "$BODY" \
  --clients "$CLIENTS" --seconds "$SECONDS_" --warmup 2 --server-pid "$SERVER"
echo "server peak RSS: $(awk '/VmHWM/ {printf "%.1f MB", $2/1024}' /proc/$SERVER/status)"
