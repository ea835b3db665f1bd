#!/usr/bin/env bash
# Sets up everything and launches Linesight on its embedded default: the
# SQLite file in the OS app-data dir. Extra arguments go to the app
# (e.g. --data-dir /path/to/folder).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
[[ -f "$HOME/.cargo/env" ]] && . "$HOME/.cargo/env"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

npm run build:ui --silent
cargo build --release -p linesight --features custom-protocol
exec target/release/linesight-app "$@"
