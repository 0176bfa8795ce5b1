#!/usr/bin/env bash
# Installs what ForgetBench needs on Debian/Ubuntu when it is missing: OpenBLAS (matrix products),
# libssl-dev (SHA-256 from libcrypto), libsqlite3-dev (the run store's cache, through GRDB),
# libxml2-utils (xmllint, used by the JUnit schema tests), and bubblewrap and python3 (the sandbox
# that runs model-written code for mbpp and humaneval). With --for-tests (scripts/test) also
# chromium (headless, for the tests of the leaderboard's HTML page; without recommended packages:
# about 25 packages, 350 MB) and a Python venv with torch (CPU) for the PyTorch trainer's test.
# Swift 6 must already be installed.
set -euo pipefail
missing=()
dpkg -s libopenblas-dev >/dev/null 2>&1 || missing+=(libopenblas-dev)
dpkg -s libsqlite3-dev >/dev/null 2>&1 || missing+=(libsqlite3-dev)
dpkg -s libssl-dev >/dev/null 2>&1 || missing+=(libssl-dev)
command -v xmllint >/dev/null 2>&1 || missing+=(libxml2-utils)
[ -x /usr/bin/bwrap ] || missing+=(bubblewrap)
[ -x /usr/bin/python3 ] || missing+=(python3)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "${1:-}" = "--for-tests" ] && ! command -v chromium >/dev/null 2>&1; then
  echo "installing: chromium (headless browser for the HTML report tests)" >&2
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  [ ${#missing[@]} -gt 0 ] || $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
command -v swift >/dev/null 2>&1 || { echo "error: swift not found; install Swift 6 from swift.org" >&2; exit 1; }

# Tests only: the PyTorch reference trainer's test (HFTrainerParityTests: integrations/hf/train.py
# against the built-in trainer) needs torch (CPU), transformers, peft and accelerate in a venv OUTSIDE the
# repository, found through FORGETBENCH_VENV or this default path. Installed only when missing; a
# failure here is reported but does not stop the other tests (that test then fails under CI).
venv="${FORGETBENCH_VENV:-$HOME/.cache/forgetbench/venv}"
if [ "${1:-}" = "--for-tests" ] && ! "$venv/bin/python" -c "import torch, transformers, peft, accelerate, safetensors, numpy" >/dev/null 2>&1; then
  echo "creating the Python venv for the PyTorch trainer test in $venv" >&2
  if ! python3 -c "import ensurepip" >/dev/null 2>&1; then
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq python3-venv >/dev/null || true
  fi
  { python3 -m venv "$venv" \
      && "$venv/bin/pip" install -q --disable-pip-version-check "torch==2.13.0+cpu" "transformers>=5,<6" "peft>=0.17,<1" \
           "accelerate>=1.0,<2" "safetensors>=0.4,<1" "numpy>=1.26,<3"; } \
    || echo "warning: could not install the PyTorch trainer's packages into $venv; HFTrainerParityTests cannot run" >&2
fi
