#!/usr/bin/env bash
# Regenerates Tests/Fixtures/stories260K/runc_samples.json: seeded-sampling goldens from llama2.c's
# reference `run.c` (float32) on shared/models/stories260K.
#
# Usage:
#   scripts/reference/runc_samples.sh /path/to/llama2.c-checkout [MODEL_DIR] [OUT_JSON]
#
#   MODEL_DIR defaults to ../shared/models/stories260K relative to the repo (falls back to
#   /work/shared/models/stories260K); OUT_JSON defaults to Tests/Fixtures/stories260K/runc_samples.json.
#
# The reference run.c is NOT committed to this repository (it is someone else's code). Check out
# karpathy/llama2.c yourself; the committed fixture was produced with run.c at commit
# bd182289c596fa6059eb7b3b7c8ccd04b5c90fc3 (CLI: -t temperature, -p top-p, -s seed, -n steps,
# -i prompt, -z tokenizer). Later run.c versions (Tokenizer/Sampler structs) use the same
# xorshift64* RNG, the same sampler and print the same text, so they should reproduce these files.
# The script compiles it with `gcc -O3 -o run run.c -lm` into a temporary directory.
#
# Needs: bash, gcc, python3 (standard library only; no venv required for this script).
#
# After writing the JSON it also times `-t 0 -n 512` greedy generation 5 times and prints the
# median of run.c's stderr "achieved tok/s" (informational; not stored).
set -euo pipefail

LLAMA2C=${1:?usage: runc_samples.sh /path/to/llama2.c [MODEL_DIR] [OUT_JSON]}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
MODEL_DIR=${2:-}
if [[ -z "$MODEL_DIR" ]]; then
  if [[ -d "$REPO/../shared/models/stories260K" ]]; then MODEL_DIR="$REPO/../shared/models/stories260K"
  else MODEL_DIR=/work/shared/models/stories260K; fi
fi
OUT=${3:-$REPO/Tests/Fixtures/stories260K/runc_samples.json}
CKPT="$MODEL_DIR/stories260K.bin"
TOK="$MODEL_DIR/tok512.bin"
GOLDEN_GREEDY="$MODEL_DIR/../../goldens/stories260K_greedy_n200.txt"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
gcc -O3 -o "$WORK/run" "$LLAMA2C/run.c" -lm
# An instrumented copy that also prints each position's next token id to stderr ("NEXT <id>"),
# inserted right after `pos++;` in the generation loop. Its stdout must equal the unmodified run's.
sed 's|^\( *\)pos++;$|\1pos++; fprintf(stderr, "NEXT %d\\n", next);|' "$LLAMA2C/run.c" >"$WORK/run_ids.c"
grep -q 'NEXT %d' "$WORK/run_ids.c" || { echo "could not instrument run.c (no 'pos++;' line)" >&2; exit 1; }
gcc -O3 -o "$WORK/run_ids" "$WORK/run_ids.c" -lm

# Settings: temperature|topp|seed|steps|prompt  (seed 0 = no -s flag, used for greedy only;
# steps 0 = seq_len (512); prompt "" = no -i flag). The last one ends early on BOS.
SETTINGS=(
  "0.0|0.9|0|200|"
  "1.0|0.9|42|200|"
  "0.8|0.0|7|150|"
  "1.0|1.0|123|100|"
  "0.5|0.95|2024|200|Once upon a time"
  "1.2|0.8|99|120|The dog"
  "1.0|0.5|5|256|Lily"
  "0.0|0.9|0|60|Once upon a time"
  "1.0|0.9|7|0|"
)

i=0
for s in "${SETTINGS[@]}"; do
  IFS='|' read -r t p seed n prompt <<<"$s"
  args=("$CKPT" -z "$TOK" -t "$t" -p "$p" -n "$n")
  if [[ "$seed" != "0" ]]; then args+=(-s "$seed"); fi
  if [[ -n "$prompt" ]]; then args+=(-i "$prompt"); fi
  "$WORK/run" "${args[@]}" >"$WORK/out_$i.txt" 2>"$WORK/err_$i.txt"
  "$WORK/run_ids" "${args[@]}" >"$WORK/out_ids_$i.txt" 2>"$WORK/ids_$i.txt"
  cmp -s "$WORK/out_$i.txt" "$WORK/out_ids_$i.txt" || { echo "instrumented run.c printed different text" >&2; exit 1; }
  printf '%s\n' "$s" >"$WORK/setting_$i.txt"
  i=$((i + 1))
done

if [[ -f "$GOLDEN_GREEDY" ]]; then
  if (cat "$GOLDEN_GREEDY"; echo) | cmp -s - "$WORK/out_0.txt"; then
    echo "greedy -n 200 output matches $GOLDEN_GREEDY (+ newline)" >&2
  else
    echo "WARNING: greedy -n 200 output differs from $GOLDEN_GREEDY" >&2
    exit 1
  fi
fi

mkdir -p "$(dirname "$OUT")"
python3 - "$WORK" "$i" "$OUT" <<'PY'
import hashlib, json, sys
work, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
samples = []
for i in range(n):
    t, p, seed, steps, prompt = open(f"{work}/setting_{i}.txt").read().rstrip("\n").split("|", 4)
    raw = open(f"{work}/out_{i}.txt", "rb").read()
    ids = [int(l.split()[1]) for l in open(f"{work}/ids_{i}.txt") if l.startswith("NEXT ")]
    samples.append({
        "prompt": prompt if prompt else None,
        "temperature": float(t),
        "topp": float(p),
        "seed": int(seed) if float(t) != 0.0 else None,
        "steps": int(steps),
        "stdout": raw.decode("utf-8"),
        "stdout_bytes": len(raw),
        "stdout_sha256": hashlib.sha256(raw).hexdigest(),
        "token_ids": ids,
        "stopped_on_bos": bool(ids) and ids[-1] == 1,
    })
doc = {
    "description": "stdout of llama2.c reference run.c (float32) on stories260K.bin with -z tok512.bin",
    "runc_commit": "bd182289c596fa6059eb7b3b7c8ccd04b5c90fc3",
    "model": "stories260K.bin",
    "tokenizer": "tok512.bin",
    "command_template": "run stories260K.bin -z tok512.bin -t <temperature> -p <topp> -n <steps> [-s <seed>] [-i <prompt>]",
    "notes": {
        "steps": ("-n counts forward positions INCLUDING the prompt: position 0 is fed BOS (1), the prompt "
                  "tokens (bpe_encode with the dummy-prefix space, without BOS) are forced for positions "
                  "0..len(prompt)-1, and tokens are sampled afterwards until pos == steps; so at most "
                  "steps tokens are printed (prompt + generated) and steps - len(prompt_tokens) are sampled. "
                  "Generation stops early if token 1 (BOS) is produced. steps <= 0 or > seq_len means seq_len."),
        "stdout": ("exactly as printed: the prompt pieces are printed too (leading space of the first piece "
                   "after BOS stripped), raw-byte tokens <0xXX> printed only if isprint/isspace, then one "
                   "final newline. 'achieved tok/s' goes to stderr and is not included."),
        "seed": ("null when temperature == 0 (greedy; no -s flag was passed and the RNG is never used). "
                 "Otherwise passed as -s; the RNG is xorshift64* (s ^= s>>12; s ^= s<<25; s ^= s>>27; "
                 "u32 = (s * 0x2545F4914F6CDD1D) >> 32), coin = (u32 >> 8) / 16777216.0f, one coin per sampled token."),
        "sampling": ("logits /= temperature; softmax; if topp <= 0 or topp >= 1: sample from the full "
                     "distribution (first i with coin < cdf, else n-1); else top-p: keep candidates with "
                     "p >= (1 - topp)/(n - 1), qsort descending by prob (qsort is not stable: ties may be "
                     "ordered arbitrarily), cut after the first index where the cumulative prob exceeds topp, "
                     "r = coin * cumulative_prob, first i with r < cdf."),
        "prompt": "null means no -i flag (generation starts from BOS alone).",
        "token_ids": ("the `next` token chosen at each position 0..pos-1 (from an instrumented copy of run.c "
                      "that prints it after `pos++`): the forced prompt tokens first, then sampled tokens; "
                      "the BOS input at position 0 is NOT included. Prepend [1] to get the full sequence "
                      "of inputs. If stopped_on_bos, the last id is the 1 that ended generation (not printed)."),
    },
    "samples": samples,
}
with open(out, "w") as f:
    json.dump(doc, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"wrote {out} ({n} samples)", file=sys.stderr)
PY

# Speed: -t 0 -n 512 greedy, 5 runs, median of stderr "achieved tok/s".
speeds=()
for r in 1 2 3 4 5; do
  "$WORK/run" "$CKPT" -z "$TOK" -t 0 -n 512 >/dev/null 2>"$WORK/speed.txt"
  speeds+=("$(sed -n 's/^achieved tok\/s: //p' "$WORK/speed.txt")")
done
python3 -c 'import sys,statistics; v=[float(x) for x in sys.argv[1:]]; print("run.c -t 0 -n 512 achieved tok/s runs:", v, "median:", statistics.median(v))' "${speeds[@]}"
