#!/usr/bin/env bash
# The tests need Debian's Chromium (browser backends, Figma plugin, docs demo) and Debian's
# PyTorch (golden-vector and training-code tests), and redis-server (distributed restore tests). Install them when missing; skip when present.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
/usr/bin/python3 -c 'import torch, numpy, PIL' >/dev/null 2>&1 || missing+=(python3-torch python3-numpy python3-pil)
/usr/bin/python3 -c 'import cv2' >/dev/null 2>&1 || missing+=(python3-opencv)
command -v gcc >/dev/null 2>&1 || missing+=(gcc) # builds the training scan (models/dpmambair/scan_cpu.c); its tests run in test:models
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server) # the queue tests (apps/cli/src/queue.test.ts) start their own
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing system packages: ${missing[*]} (run as root, or: sudo apt-get install -y ${missing[*]})" >&2
    exit 1
  fi
  echo "installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q "${missing[@]}"
fi
