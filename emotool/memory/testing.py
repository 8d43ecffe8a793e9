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
import signal
import socket
import subprocess
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
    from ._chroma import chroma_command

    return [chroma_command()]


class ChromaServer:
    """A ``chroma run`` process on 127.0.0.1 serving ``path`` (for tests and benchmarks)."""

    def __init__(self, path: Path, port: int | None = None) -> None:
        self.path = Path(path)
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = self.path.with_name(self.path.name + ".log")

    def start(self, timeout_s: float = 60.0) -> str:
        """Start the server and wait for its heartbeat; returns its URL."""
        env = {**os.environ, "ANONYMIZED_TELEMETRY": "False"}
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [
                    *_chroma_exe(),
                    "run",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--path",
                    str(self.path),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout_s
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chroma run exited with {self.proc.returncode}; see {self.log_path}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/v2/heartbeat", timeout=2) as r:
                    if r.status == 200:
                        return self.url
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"chroma run gave no heartbeat within {timeout_s:g} s; see {self.log_path}"
                )
            time.sleep(0.2)

    def kill(self) -> None:
        """Kill the server with SIGKILL (a crash), and wait for it to be gone."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL after 10 s)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def chroma_server(path: Path, port: int | None = None, timeout_s: float = 60.0) -> Iterator[str]:
    """Run ``chroma run --host 127.0.0.1`` on ``path`` until the block ends; yields its URL."""
    server = ChromaServer(path, port)
    server.start(timeout_s)
    try:
        yield server.url
    finally:
        server.stop()
