"""Throughput of a reasoning backend: images per second and generated tokens per second.

Runs N images through face detection and then ``backend.read_images`` in
batches, and reports the backend's own images/s, end-to-end images/s, and
tokens/s (completion tokens over the backend's generation time), with retries
and fallbacks (unusable output). Images default to faces-dev (../shared/data
beside the checkout), else the photos scikit-image ships.

On this 2-core CPU machine (no model hub, no GPU)::

    python benchmarks/bench_backends.py --backend classic --n 24
    python benchmarks/bench_backends.py --tiny --n 8 --batch-size 4     # tiny random LLaVA, hf path on CPU
    python benchmarks/bench_backends.py --stub --n 24 --batch-size 8    # openai path against a local stub

On a GPU (24 GB for bf16; about 8 GB with 4-bit), a 7B model::

    pip install 'emotool[hf]' torchvision            # torchvision: Qwen2-VL-family processors
    python benchmarks/bench_backends.py --backend hf --model Qwen/Qwen2.5-VL-7B-Instruct \\
        --backend-option dtype=bfloat16 --batch-size 8 --n 64
    # 4-bit: pip install bitsandbytes; add --backend-option quantization=4bit

Against a vLLM (or other OpenAI-compatible) server::

    vllm serve Qwen/Qwen2.5-VL-7B-Instruct --limit-mm-per-prompt '{"image": 8}'
    python benchmarks/bench_backends.py --backend openai --base-url http://localhost:8000/v1 \\
        --model Qwen/Qwen2.5-VL-7B-Instruct --backend-option api_key_env=null --batch-size 16 --n 64
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FACES = ROOT.parent / "shared" / "data" / "faces-dev" / "images"


def _images(paths: list[Path], n: int) -> list[Any]:
    import numpy as np

    from emotool.media import MediaPolicy, load_image

    if not paths:
        if FACES.is_dir():
            paths = sorted(FACES.glob("*.jpg"))
        else:
            from skimage import data

            arrays = [data.astronaut(), data.chelsea(), data.coffee()]
            return [load_image(arrays[i % len(arrays)]) for i in range(n)]
    files = [f for p in paths for f in (sorted(p.glob("*")) if p.is_dir() else [p])]
    policy = MediaPolicy(allowed_roots=sorted({f.resolve().parent for f in files}))
    loaded = [load_image(f, policy) for f in files[:n]]
    while len(loaded) < n:  # repeat when asked for more than there are
        loaded.append(loaded[len(loaded) % len(files)])
    _ = np
    return loaded


def _stub_server() -> tuple[ThreadingHTTPServer, str]:
    answer = json.dumps(
        {
            "reasoning": "Face: relaxed. Scene: plain. Neutral.",
            "cues": [{"view": 1, "observation": "relaxed face"}],
            "answer": "neutral",
            "emotion": "neutral",
            "scores": {
                "anger": 0.05,
                "disgust": 0.05,
                "fear": 0.05,
                "happiness": 0.1,
                "neutral": 0.6,
                "sadness": 0.1,
                "surprise": 0.05,
            },
            "confidence": 0.6,
        }
    )
    body = json.dumps(
        {
            "choices": [{"message": {"role": "assistant", "content": answer}}],
            "usage": {"prompt_tokens": 1500, "completion_tokens": 80},
        }
    ).encode()

    class H(BaseHTTPRequestHandler):
        def log_message(self, *a: Any) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f"http://127.0.0.1:{srv.server_address[1]}/v1"


def main(argv: list[str] | None = None) -> int:
    from emotool.backends import ReadOptions, get_backend
    from emotool.backends.cliargs import add_backend_arguments, backend_options, read_options_from_args

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("images", nargs="*", type=Path, help="image files or folders (default faces-dev)")
    ap.add_argument("--n", type=int, default=16, help="images to read")
    ap.add_argument("--batch-size", type=int, default=4, help="images per read_images call")
    ap.add_argument("--no-faces", action="store_true", help="skip face detection (scene view only)")
    ap.add_argument("--tiny", action="store_true", help="hf backend on a tiny random LLaVA built here (CPU)")
    ap.add_argument("--stub", action="store_true", help="openai backend against a local stub server")
    ap.add_argument("--json", action="store_true")
    add_backend_arguments(ap)
    args = ap.parse_args(argv)

    opts: dict[str, Any] = backend_options(args)
    name = args.backend
    stub = None
    if args.tiny:
        sys.path.insert(0, str(ROOT / "tests"))
        from tiny_vlm import build_tiny_llava

        name = "hf"
        opts.setdefault("model", str(build_tiny_llava(Path(tempfile.mkdtemp()) / "tiny-llava")))
        opts.setdefault("max_new_tokens", 32)
        opts.setdefault("batch_size", args.batch_size)
    if args.stub:
        stub, url = _stub_server()
        name = "openai"
        opts.update(base_url=url, api_key_env=None, trust_env=False)
        opts.setdefault("model", "stub")
    backend = get_backend(name, **opts)
    read_opts = read_options_from_args(args) or ReadOptions()
    if hasattr(backend, "load"):
        t0 = time.perf_counter()
        backend.load()
        load_s = time.perf_counter() - t0
    else:
        load_s = 0.0

    images = _images(args.images, args.n)
    pipe = None
    if not args.no_faces:
        from emotool.analyzer import shared_pipeline

        pipe, _ = shared_pipeline()
        pipe.analyze(images[0].rgb)  # warm up
    t_all = time.perf_counter()
    perception_s = backend_s = 0.0
    n_views: list[int] = []
    for start in range(0, len(images), args.batch_size):
        chunk = images[start : start + args.batch_size]
        t0 = time.perf_counter()
        items = [(im, pipe.analyze(im.rgb) if pipe is not None else None) for im in chunk]
        t1 = time.perf_counter()
        readings = backend.read_images(
            items, read_opts, models=pipe.model_infos() if pipe is not None else []
        )
        backend_s += time.perf_counter() - t1
        perception_s += t1 - t0
        n_views += [len(r.views) for r in readings]
    wall = time.perf_counter() - t_all
    usage = getattr(backend, "usage", None)
    gen_s = usage.seconds if usage is not None and usage.seconds else backend_s
    report = {
        "backend": backend.name,
        "model": ", ".join(m.name for m in backend.model_infos()) or "embedded pipeline",
        "images": len(images),
        "batch_size": args.batch_size,
        "load_s": round(load_s, 2),
        "views_per_image": round(statistics.mean(n_views), 2) if n_views else 0,
        "images_per_s_backend": round(len(images) / backend_s, 3) if backend_s else None,
        "images_per_s_end_to_end": round(len(images) / wall, 3),
        "perception_ms_per_image": round(perception_s * 1000 / len(images), 1),
        "completion_tokens": usage.completion_tokens if usage else 0,
        "prompt_tokens_per_request": round(usage.prompt_tokens / max(1, usage.requests)) if usage else 0,
        "tokens_per_s": round(usage.completion_tokens / gen_s, 1) if usage and gen_s else None,
        "retries": usage.retries if usage else 0,
        "fallbacks": usage.fallbacks if usage else 0,
    }
    if stub is not None:
        stub.shutdown()
    if args.json:
        print(json.dumps(report))
    else:
        for k, v in report.items():
            print(f"{k:>26}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
