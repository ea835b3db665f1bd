#!/usr/bin/env bash
# Sets up everything and runs every test: the UI's lint, types and unit
# tests; Rust (unit and store tests, the check that the TypeScript bindings
# are fresh, the backbone port, the train → eval run of the CLI); and the
# end-to-end scenarios against the real app under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
[[ -f "$HOME/.cargo/env" ]] && . "$HOME/.cargo/env"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

# One feature set for every Rust build below, so nothing is compiled twice:
# the app embeds the built UI (custom-protocol) in tests and in E2E alike.
features=(--workspace --locked --features linesight/custom-protocol)

step() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

step "Rust formatting"
cargo fmt --all --check

step "UI lint, types and unit tests"
npm run test:ui --silent

step "UI build"
npm run build:ui --silent

step "Rust build: the app, the CLI and every test target"
cargo build "${features[@]}" --all-targets

step "Rust tests"
cargo test "${features[@]}"

step "End-to-end scenarios (screenshots in tests/e2e/output)"
xvfb-run -a --server-args="-screen 0 1280x800x24" npm run test:e2e --silent
