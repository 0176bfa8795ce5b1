#!/usr/bin/env python3
"""Per-token log-probs of a Hugging Face model for Selective Token Masking, when the scorer is too big
for ForgetBench's built-in engine and no vLLM is at hand.

It serves the one request `forgetbench mask --model openai:URL` makes: POST /v1/completions with a
list of token-id prompts, `echo: true`, `logprobs`, `max_tokens: 0`, answered with each prompt's
teacher-forced log-probs in `choices[i].logprobs.token_logprobs` (null for the first token, then
log p(token t | tokens before t), computed in float32 from the model's logits). Token ids are scored as
given, never re-tokenised, so the masks are those an in-process run would make.

    python integrations/hf/score.py --model models/Meta-Llama-3-8B-Instruct --port 8011 &
    forgetbench mask --model openai:http://127.0.0.1:8011/v1 --model-name score \\
      --tokenizer models/Meta-Llama-3-8B-Instruct/tokenizer.json --input train.jsonl --regime stm:2.5 --output train.stm.jsonl

It prints `score.py: listening on http://HOST:PORT/v1` once ready (`--port 0` picks a free port).
Large models spread over the visible GPUs with `--device-map auto`. Text prompts are refused (400):
give mask the model's tokenizer so that it sends token ids.
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def load(args):
    import torch
    from transformers import AutoModelForCausalLM
    dtype = {"float32": torch.float32, "bfloat16": torch.bfloat16, "float16": torch.float16}[args.dtype]
    kwargs = {"dtype": dtype}
    if args.device_map:
        kwargs["device_map"] = args.device_map
    model = AutoModelForCausalLM.from_pretrained(args.model, **kwargs).eval()
    if not args.device_map and torch.cuda.is_available():
        model = model.to("cuda")
    return model


def token_logprobs(model, prompts: list[list[int]]) -> list[list[float | None]]:
    """For each prompt, [None, log p(t1 | t0), ...]: one sequence at a time, no padding."""
    import torch
    results = []
    device = next(model.parameters()).device
    with torch.no_grad():
        for ids in prompts:
            if len(ids) < 2:
                results.append([None] * len(ids))
                continue
            logits = model(input_ids=torch.tensor([ids], device=device)).logits[0, :-1].float()
            logprobs = torch.log_softmax(logits, dim=-1).gather(1, torch.tensor(ids[1:], device=device).unsqueeze(1)).squeeze(1)
            results.append([None] + [float(x) for x in logprobs.cpu()])
    return results


def serve(args):
    model = load(args)
    vocab = model.config.vocab_size
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def reply(self, status: int, body: dict):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def error(self, status: int, message: str):
            self.reply(status, {"error": {"message": message, "type": "invalid_request_error"}})

        def do_GET(self):
            if self.path.rstrip("/") == "/v1/models":
                return self.reply(200, {"object": "list", "data": [{"id": args.name, "object": "model"}]})
            self.error(404, f"no route {self.path}")

        def do_POST(self):
            if self.path.rstrip("/") != "/v1/completions":
                return self.error(404, f"no route {self.path}; score.py answers POST /v1/completions")
            try:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            except (ValueError, json.JSONDecodeError):
                return self.error(400, "the body is not JSON")
            prompt = body.get("prompt")
            if isinstance(prompt, list) and prompt and all(isinstance(t, int) for t in prompt):
                prompt = [prompt]
            if not (isinstance(prompt, list) and prompt and all(isinstance(p, list) and p and all(isinstance(t, int) for t in p) for p in prompt)):
                return self.error(400, "score.py scores token ids only: the prompt must be a list of token-id lists (give forgetbench mask --tokenizer)")
            if not body.get("echo") or body.get("logprobs") is None:
                return self.error(400, "score.py answers echo: true with logprobs only")
            if body.get("max_tokens", 16) != 0:
                return self.error(400, "score.py generates nothing: max_tokens must be 0")
            bad = next((t for p in prompt for t in p if not 0 <= t < vocab), None)
            if bad is not None:
                return self.error(400, f"token id {bad} is outside the vocabulary (0..<{vocab})")
            with lock:
                scores = token_logprobs(model, prompt)
            choices = [{"index": i, "text": "", "finish_reason": "length",
                        "logprobs": {"token_logprobs": lp, "tokens": [str(t) for t in ids]}}
                       for i, (ids, lp) in enumerate(zip(prompt, scores))]
            self.reply(200, {"object": "text_completion", "model": args.name, "choices": choices,
                             "usage": {"prompt_tokens": sum(map(len, prompt)), "completion_tokens": 0}})

    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"score.py: listening on http://{args.host}:{server.server_address[1]}/v1", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a Hugging Face model directory")
    parser.add_argument("--name", default="score", help="the model id it answers to (mask's --model-name)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8011, help="0: a free port")
    parser.add_argument("--dtype", default="float32", choices=["float32", "bfloat16", "float16"])
    parser.add_argument("--device-map", default=None, help="e.g. auto: spread a large model over the GPUs")
    return serve(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
