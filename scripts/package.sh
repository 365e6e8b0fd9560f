#!/usr/bin/env bash
# Packages every library crate as crates.io would take it, and verifies
# each package by building it from its tarball (`cargo package --workspace`:
# the workspace's crates are resolved from each other's packages).
#
#   scripts/package.sh            # all library crates
#
# Not part of scripts/test.sh: verification rebuilds each crate from its
# package (minutes with polars). Run it before publishing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/dash-rs/target}"
cargo package --workspace --exclude examples --exclude tests --exclude fuzz --allow-dirty "$@"
ls -l "$CARGO_TARGET_DIR/package/"*.crate
