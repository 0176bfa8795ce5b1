#!/usr/bin/env bash
# lm-evaluation-harness and ForgetBench on the same server and the same items.
#
# Starts `forgetbench serve` on stories260K, runs lm-eval's `local-completions` model against it on
# ARC-Easy (lm_eval_tasks/arc_easy_local.yaml: the same local data file, prompt and choices as
# tasks/arc_easy.yaml), runs `forgetbench eval --model openai:URL` (and the in-process engine) on
# the same first N items, and compares acc. Exit 0 when the accuracies agree within TOLERANCE.
#
# Usage: scripts/interop/lm_eval_local_completions.sh [N]        (default N=100)
# Environment:
#   FORGETBENCH_SHARED  the shared folder (default: ../shared beside the repository)
#   FORGETBENCH_DATA    the data root (default: $FORGETBENCH_SHARED/data)
#   FORGETBENCH_BIN     a built forgetbench (default: swift build -c release, .build/release/forgetbench)
#   LM_EVAL_VENV        the virtual environment with lm-eval (default: .venv; created and filled with
#                       `pip install 'lm-eval[api]'` when lm_eval is missing; /work/venv works too)
#   LM_EVAL_TOKENIZER   a Hugging Face tokenizer (name or path) for lm-eval to count context tokens;
#                       default: the server's own tokenizer through vLLM's /tokenizer_info, /tokenize
#                       and /detokenize endpoints (lm-eval's tokenizer_backend=remote)
#   TOLERANCE           largest |acc difference| accepted (default 0: same tokens, same answers)
#
# lm-eval's local-completions scores a continuation as sum(token_logprobs[ctxlen:-1]) of an echo
# request with max_tokens 1, where ctxlen is the context's token count by its own tokenizer: the
# server must echo exactly the prompt's tokens (a BOS it prepends shifts every slice by one).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
N="${1:-100}"
SHARED="${FORGETBENCH_SHARED:-$ROOT/../shared}"
DATA="${FORGETBENCH_DATA:-$SHARED/data}"
MODEL="$SHARED/models/stories260K/stories260K.bin"
VENV="${LM_EVAL_VENV:-$ROOT/.venv}"
TOLERANCE="${TOLERANCE:-0}"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/fb-lm-eval.XXXXXX")"
SERVE_PID=""

cleanup() {
    if [[ -n "$SERVE_PID" ]]; then kill "$SERVE_PID" 2>/dev/null || true; wait "$SERVE_PID" 2>/dev/null || true; fi
}
trap cleanup EXIT

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

[[ -f "$MODEL" ]] || die "$MODEL not found (set FORGETBENCH_SHARED)"
[[ -f "$DATA/arc/arc_easy.jsonl" ]] || die "$DATA/arc/arc_easy.jsonl not found (set FORGETBENCH_DATA)"

# 1. lm-eval in a virtual environment.
if [[ ! -x "$VENV/bin/python" ]]; then
    say "creating $VENV"
    python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import lm_eval, tenacity, aiohttp, requests' 2>/dev/null; then
    say "pip install 'lm-eval[api]' into $VENV"   # [api]: what local-completions needs (tenacity, aiohttp)
    "$VENV/bin/pip" install --quiet 'lm-eval[api]'
fi
LM_EVAL_VERSION="$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("lm_eval"))')"

# 2. forgetbench.
if [[ -z "${FORGETBENCH_BIN:-}" ]]; then
    say "swift build -c release --product forgetbench"
    (cd "$ROOT" && swift build -c release --product forgetbench >&2)
    FORGETBENCH_BIN="$ROOT/.build/release/forgetbench"
fi
[[ -x "$FORGETBENCH_BIN" ]] || die "$FORGETBENCH_BIN is not an executable"

# 3. The server: it prints exactly one line 'forgetbench serve: listening on http://HOST:PORT/v1'.
say "starting forgetbench serve on $MODEL"
"$FORGETBENCH_BIN" serve --model "$MODEL" --port 0 >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVE_PID=$!
URL=""
for _ in $(seq 1 600); do
    URL="$(sed -n 's|^forgetbench serve: listening on \(http://[^ ]*/v1\)$|\1|p' "$WORK/serve.out" | head -n 1)"
    [[ -n "$URL" ]] && break
    kill -0 "$SERVE_PID" 2>/dev/null || die "forgetbench serve exited: $(tail -n 5 "$WORK/serve.err")"
    sleep 0.1
done
[[ -n "$URL" ]] || die "forgetbench serve printed no 'listening on' line within 60 s"
MODEL_ID="$(basename "$MODEL" .bin)"
say "server $URL, model $MODEL_ID; outputs in $WORK"

# 4. The task file, pointed at this data root.
mkdir -p "$WORK/tasks"
sed "s|../shared/data/|$DATA/|" "$ROOT/scripts/interop/lm_eval_tasks/arc_easy_local.yaml" >"$WORK/tasks/arc_easy_local.yaml"

# 5. lm-eval local-completions. It needs a tokenizer to count the context's tokens.
SERVER_ROOT="${URL%/v1}"
if [[ -n "${LM_EVAL_TOKENIZER:-}" ]]; then
    TOKENIZER_ARGS="tokenizer_backend=huggingface,tokenizer=$LM_EVAL_TOKENIZER"
elif "$VENV/bin/python" -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=5)" "$SERVER_ROOT/tokenizer_info" 2>/dev/null; then
    TOKENIZER_ARGS="tokenizer_backend=remote"
else
    die "the server has no /tokenizer_info (vLLM's tokenizer endpoints), which lm-eval's tokenizer_backend=remote needs; set LM_EVAL_TOKENIZER to a Hugging Face tokenizer equivalent to the server's"
fi
say "lm-eval $LM_EVAL_VERSION local-completions ($TOKENIZER_ARGS) on arc_easy_local, first $N items"
HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 "$VENV/bin/lm_eval" run --model local-completions \
    --model_args "model=$MODEL_ID,base_url=$URL/completions,$TOKENIZER_ARGS,tokenized_requests=False,add_bos_token=True,num_concurrent=4,max_retries=3,max_length=512" \
    --tasks arc_easy_local --include_path "$WORK/tasks" --limit "$N" \
    --output_path "$WORK/lm_eval" --log_samples >&2

# 6. ForgetBench through the same server, and the in-process engine.
say "forgetbench eval --model openai:$URL"
"$FORGETBENCH_BIN" eval --model "openai:$URL" --model-name "$MODEL_ID" --concurrency 4 \
    --tasks arc_easy --limit "$N" --data-dir "$DATA" --output "$WORK/forgetbench-openai" >&2
say "forgetbench eval --model $MODEL (in process)"
"$FORGETBENCH_BIN" eval --model "$MODEL" --tasks arc_easy --limit "$N" --data-dir "$DATA" --output "$WORK/forgetbench-native" >&2

# 7. Compare.
"$VENV/bin/python" - "$WORK" "$N" "$TOLERANCE" <<'PY'
import glob, json, sys
work, n, tolerance = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
results = json.load(open(sorted(glob.glob(f"{work}/lm_eval/**/results_*.json", recursive=True))[-1]))["results"]["arc_easy_local"]
samples = [json.loads(l) for f in glob.glob(f"{work}/lm_eval/**/samples_arc_easy_local_*.jsonl", recursive=True) for l in open(f)]
lm_items = {s["doc_id"]: s["acc"] for s in samples}

def forgetbench(run):
    r = json.load(open(f"{work}/{run}/results.json"))
    task = next(t for t in r["tasks"] if t["name"] == "arc_easy")
    metrics = {m["name"]: m["value"] for m in task["metrics"]}
    items = [json.loads(l)["values"]["acc"] for l in open(f"{work}/{run}/samples/arc_easy.jsonl")]
    return metrics, items

rows = [("lm-eval local-completions", results["acc,none"], results["acc_norm,none"], [lm_items[i] for i in sorted(lm_items)])]
for run, label in [("forgetbench-openai", "forgetbench eval openai:"), ("forgetbench-native", "forgetbench eval (in process)")]:
    m, items = forgetbench(run)
    rows.append((label, m["acc"], m["acc_norm"], items))
print(f"ARC-Easy, first {n} items")
print(f"{'run':32} {'acc':>8} {'acc_norm':>9} {'items agreeing with lm-eval':>28}")
for label, acc, norm, items in rows:
    agree = sum(1 for a, b in zip(items, rows[0][3]) if a == b)
    print(f"{label:32} {acc:8.4f} {norm:9.4f} {agree:>20}/{len(items)}")
# Per choice: lm-eval's (log-likelihood, is_greedy) against ForgetBench's through the same server.
lm_ll = {s["doc_id"]: [(float(r[0][0]), r[0][1] == "True") for r in s["resps"]] for s in samples}
fb_ll = [[(c["logLikelihood"], c["isGreedy"]) for c in json.loads(l)["response"]["choices"]]
         for l in open(f"{work}/forgetbench-openai/samples/arc_easy.jsonl")]
pairs = [(a, b) for doc, fb in zip(sorted(lm_ll), fb_ll) for a, b in zip(lm_ll[doc], fb)]
print(f"choices: {len(pairs)}; largest |log-likelihood difference| {max(abs(a[0] - b[0]) for a, b in pairs):.2e}; "
      f"is_greedy agrees on {sum(a[1] == b[1] for a, b in pairs)}")
difference = abs(rows[1][1] - rows[0][1])
print(f"|acc(forgetbench openai) - acc(lm-eval)| = {difference:.4f} (tolerance {tolerance})")
sys.exit(0 if difference <= tolerance + 1e-12 else 1)
PY
