#!/usr/bin/env bash
# Sets up everything and runs every test: Rust (unit and store tests, the
# check that the TypeScript bindings are fresh), the UI's lint, types and unit
# tests, and the end-to-end scenarios against the real app under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

step "Rust formatting"
cargo fmt --all --check

step "Rust tests"
cargo test --workspace --locked

step "UI lint, types and unit tests"
npm run test:ui --silent

step "App build with the embedded UI, for the end-to-end tests"
npm run build:ui --silent
cargo build -p linesight --features custom-protocol --locked

step "End-to-end scenarios (screenshots in tests/e2e/output)"
xvfb-run -a --server-args="-screen 0 1280x800x24" npm run test:e2e --silent
