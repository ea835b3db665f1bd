#!/usr/bin/env bash
# Installs what Linesight needs on Debian 12 / Ubuntu 22.04+: system packages
# when missing, npm dependencies, and with --test the end-to-end test tools.
# Rust (>= 1.95, by rustup) and Node.js (>= 20.19) must already be there.
set -euo pipefail
cd "$(dirname "$0")/.."

want_test_tools=false
[[ "${1:-}" == "--test" ]] && want_test_tools=true

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# System packages: Tauri's WebKitGTK stack, libclang for v4l's bindings,
# Korean fonts for the UI, and for tests Xvfb and WebKitWebDriver.
packages=(
  build-essential pkg-config libssl-dev libclang-dev
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libxdo-dev
  fonts-noto-cjk
)
$want_test_tools && packages+=(xvfb xauth webkit2gtk-driver poppler-utils)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  say "installing system packages: ${missing[*]}"
    sudo=""
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "installing ${missing[*]} needs root: run this as root or install sudo."
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# A shell opened before rustup ran does not have cargo on PATH yet.
[[ -f "$HOME/.cargo/env" ]] && . "$HOME/.cargo/env"
export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
command -v cargo >/dev/null || die "Rust is missing: install it with rustup (https://rustup.rs), then run this again."
rust_minor=$(rustc --version | sed -E 's/rustc 1\.([0-9]+).*/\1/')
((rust_minor >= 95)) || die "Rust 1.95 or newer is needed (found $(rustc --version)): run 'rustup update'."
command -v node >/dev/null || die "Node.js 20.19 or newer is missing: install it, then run this again."
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' \
  || die "Node.js 20.19 or newer is needed (found $(node --version))."

if ! cargo fmt --version >/dev/null 2>&1 && command -v rustup >/dev/null; then
  say "installing rustfmt"
  rustup component add rustfmt
fi

# npm dependencies, from the lockfile, only when it changed since the last install.
if [[ ! -f node_modules/.package-lock.json || package-lock.json -nt node_modules/.package-lock.json ]]; then
  say "installing npm dependencies"
  npm ci --no-audit --no-fund --loglevel=error
fi

if $want_test_tools && ! command -v tauri-driver >/dev/null; then
  say "installing tauri-driver"
  cargo install tauri-driver --locked --version "^2.0" --quiet
fi
