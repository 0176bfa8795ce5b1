#!/usr/bin/env python3
"""A stand-in for `forgetbench serve`, to check lm_eval_local_completions.sh before serve exists.

Speaks the parts of the OpenAI API the script uses (POST /v1/completions with echo + logprobs, a
string or a list prompt) and vLLM's tokenizer endpoints (GET /tokenizer_info, POST /tokenize,
POST /detokenize). Its "tokenizer" splits text into words with their leading space; a token's
log-prob is a hash of it and the token before. Prints 'forgetbench serve: listening on
http://127.0.0.1:PORT/v1' like serve. Standard library only.
"""
import hashlib, json, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

vocab, words, lock = {}, [], threading.Lock()


def tokenize(text):
    tokens, current = [], ""
    for ch in text:
        if ch == " " and current:
            tokens.append(current)
            current = ""
        current += ch
    if current:
        tokens.append(current)
    return tokens


def token_id(t):
    with lock:
        if t not in vocab:
            vocab[t] = len(words)
            words.append(t)
        return vocab[t]


def logprob(prev, t):
    h = int.from_bytes(hashlib.sha256(f"{prev}|{t}".encode()).digest()[:8], "little")
    return -(h % 1000) / 200 - 0.01


def echo(prompt, max_tokens):
    tokens = tokenize(prompt)
    offsets, lps, tops, offset = [], [], [], 0
    for i, t in enumerate(tokens):
        offsets.append(offset)
        offset += len(t)
        lp = None if i == 0 else logprob(tokens[i - 1], t)
        lps.append(lp)
        tops.append(None if i == 0 else {t: lp, "ALT": lp + (0.5 if (int(-lp * 200) % 3 == 0) else -1)})
    text = prompt
    if max_tokens > 0:
        tokens.append(" gen"); offsets.append(offset); lps.append(-0.1); tops.append({" gen": -0.1}); text += " gen"
    return {"text": text, "finish_reason": "length",
            "logprobs": {"tokens": tokens, "token_logprobs": lps, "top_logprobs": tops, "text_offset": offsets}}


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, body, status=200):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/tokenizer_info":
            return self.reply({"eos_token": "</s>", "bos_token": "<s>", "pad_token": None})
        self.reply({"error": "not found"}, 404)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if self.path == "/tokenize":
            return self.reply({"tokens": [token_id(t) for t in tokenize(body["prompt"])]})
        if self.path == "/detokenize":
            return self.reply({"prompt": "".join(words[i] for i in body["tokens"])})
        if self.path == "/v1/completions":
            prompts = body["prompt"] if isinstance(body["prompt"], list) else [body["prompt"]]
            if prompts and isinstance(prompts[0], int):
                prompts = ["".join(words[i] for i in prompts)]
            choices = []
            for i, p in enumerate(prompts):
                if not body.get("echo"):
                    return self.reply({"error": "this fake only echoes"}, 400)
                c = echo(p, body.get("max_tokens", 16))
                c["index"] = i
                choices.append(c)
            return self.reply({"object": "text_completion", "model": body.get("model"), "choices": choices})
        self.reply({"error": "not found"}, 404)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(f"forgetbench serve: listening on http://127.0.0.1:{server.server_address[1]}/v1", flush=True)
server.serve_forever()
