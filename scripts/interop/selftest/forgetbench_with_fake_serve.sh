#!/usr/bin/env bash
# `forgetbench` with `serve` replaced by fake_serve.py: lets lm_eval_local_completions.sh run end to
# end before the real `forgetbench serve` exists. REAL_FORGETBENCH names the real binary.
#   FORGETBENCH_BIN=scripts/interop/selftest/forgetbench_with_fake_serve.sh \
#   REAL_FORGETBENCH=.build/release/forgetbench LM_EVAL_VENV=/work/venv TOLERANCE=0 \
#   scripts/interop/lm_eval_local_completions.sh 50
# (the in-process row then scores stories260K, which the fake server is not: only the first two rows compare.)
set -euo pipefail
if [[ "${1:-}" == "serve" ]]; then
    exec python3 "$(dirname "${BASH_SOURCE[0]}")/fake_serve.py"
fi
exec "${REAL_FORGETBENCH:?set REAL_FORGETBENCH to the real forgetbench binary}" "$@"
