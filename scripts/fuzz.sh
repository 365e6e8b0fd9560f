#!/usr/bin/env bash
# A fuzzing campaign on stable Rust (release build): N mutated callback
# bodies through every example app's in-process router and N random filter
# queries through parse → compile → view → page (see fuzz/src/lib.rs).
# Prints the figures and every finding; exits 1 on any finding. The test
# command runs a short campaign (cargo test -p fuzz); this one is for long
# runs and is not part of it.
#
#   scripts/fuzz.sh [--cases 10000000] [--seed 1]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dash-rs/target}"
cargo build --release -p fuzz --bin dash-fuzz >&2
exec "$CARGO_TARGET_DIR/release/dash-fuzz" "$@"
