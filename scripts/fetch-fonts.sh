#!/usr/bin/env bash
# Rebuilds src-tauri/fonts/NanumGothic.ttf from the Debian package it came
# from and checks the package's and the font's checksums (src-tauri/fonts/NOTICE).
set -euo pipefail
cd "$(dirname "$0")/.."
deb_sha=5e86c346e6485b694e1f0ebd27132892fcf014d1b975de4fd21d1654ddf37043
ttf_sha=48a28e97b34fc8e5b157657633670cd1b7de126cfc414da65ce9c3d5bc8be733
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download fonts-nanum=20200506-1)
echo "$deb_sha  $work/fonts-nanum_20200506-1_all.deb" | sha256sum -c -
dpkg-deb -x "$work/fonts-nanum_20200506-1_all.deb" "$work/x"
cp "$work/x/usr/share/fonts/truetype/nanum/NanumGothic.ttf" src-tauri/fonts/NanumGothic.ttf
cp "$work/x/usr/share/doc/fonts-nanum/copyright" src-tauri/fonts/copyright.debian
echo "$ttf_sha  src-tauri/fonts/NanumGothic.ttf" | sha256sum -c -
