"""Helpers for testing code that uses the memory: a deterministic fake embedder
and a throw-away Chroma server on 127.0.0.1.

The fake embedder hashes words into a 384-dimensional bag of words, so texts
that share words are similar and the same text always gets the same vector,
without loading a model.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np

_WORD = re.compile(r"\w+")


def hash_embed(texts: Sequence[str], dim: int = 384) -> np.ndarray:
    """Deterministic fake embeddings: hashed bag of words, L2-normalised float32 rows."""
    out = np.zeros((len(texts), dim), np.float32)
    for i, text in enumerate(texts):
        for w in _WORD.findall(text.lower()):
            h = int.from_bytes(hashlib.blake2b(w.encode(), digest_size=8).digest(), "little")
            out[i, h % dim] += 1.0 if (h >> 32) & 1 else -1.0
        out[i, dim - 1] += 0.05  # no zero vector for an empty or word-less text
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _chroma_exe() -> list[str]:
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    if exe is None:
        raise RuntimeError("the `chroma` command is missing; install it with pip install 'emotool[memory]'")
    return [exe]


@contextlib.contextmanager
def chroma_server(path: Path, port: int | None = None, timeout_s: float = 60.0) -> Iterator[str]:
    """Run ``chroma run --host 127.0.0.1`` on ``path`` until the block ends; yields its URL.

    Waits for the server's heartbeat; stops it (SIGTERM, then SIGKILL) at the end.
    """
    port = port or free_port()
    log = open(Path(path).with_suffix(".log"), "wb")  # noqa: SIM115
    env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
    proc = subprocess.Popen(
        [*_chroma_exe(), "run", "--host", "127.0.0.1", "--port", str(port), "--path", str(path)],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout_s
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {proc.returncode}; see {log.name}")
            try:
                with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"chroma run gave no heartbeat within {timeout_s:g} s; see {log.name}")
            time.sleep(0.2)
        yield url
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        log.close()
