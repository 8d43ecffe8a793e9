"""The Chroma side of the memory: our embedding function and the two ways to reach a store.

Imported only when a :class:`~emotool.memory.Memory` is opened, so that
``import emotool`` never imports chromadb.

Embedded store and several processes
------------------------------------
Chroma's embedded store keeps a vector index in each process's memory beside
the SQLite file. Two processes writing the same folder corrupt each other's
view (measured with chromadb 1.5: queries fail with "Error finding id" and
vectors go missing from the index after a reopen). emotool makes it safe: every
operation holds an exclusive file lock on ``<store>/emotool-memory.lock``, and
every write leaves a new token in ``<store>/emotool-memory.gen``; a process
that finds a token it did not write reopens its client before going on. This
is cheap while one process does the writing and slow when several interleave
writes (each reopen reloads the index), so deployments with several writing
processes should run a Chroma server (``chroma run``) and set the memory URL.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings
from chromadb.utils.embedding_functions import register_embedding_function

from ..errors import MemoryStoreError

Embedder = Callable[[list[str]], np.ndarray]

DEFAULT_MODEL = "all-MiniLM-L6-v2"


def default_embedder() -> Embedder:
    """The embedded sentence-embedding model (loaded once per process, on first use)."""
    from .. import embeddings

    return embeddings.embed


@register_embedding_function
class EmotoolEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma embedding function backed by emotool's embedded model (or an injected embedder).

    Registered with Chroma so that a collection reopened without it is rebuilt
    from its saved config instead of falling back to Chroma's downloading default.
    """

    def __init__(self, model: str = DEFAULT_MODEL, embedder: Embedder | None = None) -> None:
        self._model = model
        self._embedder = embedder

    def _embed(self, texts: list[str]) -> np.ndarray:
        if self._embedder is None:
            self._embedder = default_embedder()
        return np.asarray(self._embedder(texts), dtype=np.float32)

    def __call__(self, input: Documents) -> Embeddings:
        return list(self._embed(list(input)))

    @staticmethod
    def name() -> str:
        return "emotool"

    def get_config(self) -> dict[str, Any]:
        return {"model": self._model}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> EmotoolEmbeddingFunction:
        return EmotoolEmbeddingFunction(model=str(config.get("model", DEFAULT_MODEL)))

    def default_space(self) -> Any:
        return "cosine"

    def supported_spaces(self) -> list[Any]:
        return ["cosine"]

    def is_legacy(self) -> bool:
        return False


def chroma_command() -> str:
    """The ``chroma`` command that chromadb installs (next to this Python first)."""
    exe = shutil.which("chroma", path=os.path.dirname(sys.executable)) or shutil.which("chroma")
    if exe is None:
        raise MemoryStoreError(
            "the `chroma` command is missing; reinstall it with pip install 'emotool[memory]'"
        )
    return exe


def _settings() -> Settings:
    return Settings(anonymized_telemetry=False, allow_reset=False)


class Store:
    """Hands out a Chroma client for the length of one operation."""

    #: keep collection handles between operations (safe only where a change by another process is noticed)
    cache_collections = True

    def __init__(self, ef: EmotoolEmbeddingFunction) -> None:
        self.ef = ef
        self.hnsw: dict[str, int] = {}
        self._collections: dict[str, Any] = {}

    @contextlib.contextmanager
    def op(self, write: bool) -> Iterator[Any]:  # pragma: no cover - abstract
        raise NotImplementedError
        yield

    def collection(self, client: Any, name: str, create: bool, user_id: str) -> Any | None:
        """The collection ``name``; created (tagged with ``user_id``) when ``create``, else None if absent."""
        col = self._collections.get(name)
        if col is not None:
            return col
        try:
            if create:
                col = client.get_or_create_collection(
                    name,
                    embedding_function=self.ef,
                    configuration={"hnsw": {"space": "cosine", **self.hnsw}},
                    metadata={"emotool_user": user_id, "emotool_format": 1},
                )
            else:
                col = client.get_collection(name, embedding_function=self.ef)
        except Exception as exc:
            if not create and _is_not_found(exc):
                return None
            raise
        if self.cache_collections:
            self._collections[name] = col
        return col

    def drop(self, client: Any, name: str) -> None:
        self._collections.pop(name, None)
        try:
            client.delete_collection(name)
        except Exception as exc:
            if not _is_not_found(exc):
                raise

    def list_names(self, client: Any, prefix: str) -> list[str]:
        names: list[str] = []
        offset = 0
        while True:
            page = client.list_collections(limit=100, offset=offset)
            if not page:
                return names
            names += [c.name for c in page if c.name.startswith(prefix)]
            offset += len(page)

    def close(self) -> None:
        self._collections.clear()


def _is_not_found(exc: Exception) -> bool:
    return type(exc).__name__ == "NotFoundError" or "does not exist" in str(exc)


class EmbeddedStore(Store):
    """A ``PersistentClient`` folder, safe across processes (see the module docstring)."""

    def __init__(self, path: Path, ef: EmotoolEmbeddingFunction, lock_timeout_s: float) -> None:
        super().__init__(ef)
        self.path = Path(path)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            self._lockfile = open(self.path / "emotool-memory.lock", "a+")  # noqa: SIM115
        except OSError as exc:
            raise MemoryStoreError(
                f"cannot open the memory store at {self.path}: {exc}; choose a writable folder "
                "(Memory(path=...) or $EMOTOOL_MEMORY_PATH)"
            ) from exc
        self._gen_path = self.path / "emotool-memory.gen"
        self._timeout = lock_timeout_s
        self._client: Any = None
        self._gen: str | None = None
        self._tlock = threading.RLock()
        self._depth = 0
        self.reopens = 0

    def _read_gen(self) -> str:
        try:
            return self._gen_path.read_text()
        except FileNotFoundError:
            return ""

    def _bump_gen(self) -> None:
        token = f"{os.getpid()}-{uuid.uuid4().hex}"
        tmp = self._gen_path.with_name(f".gen-{os.getpid()}-{threading.get_ident()}")
        tmp.write_text(token)
        os.replace(tmp, self._gen_path)
        self._gen = token

    def _flock(self) -> None:
        deadline = time.monotonic() + self._timeout
        delay = 0.001
        while True:
            try:
                fcntl.flock(self._lockfile, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise MemoryStoreError(
                        f"the memory store at {self.path} stayed locked by another process for "
                        f"{self._timeout:g} s; raise lock_timeout_s, or run a Chroma server "
                        "(`chroma run --path DIR`) and set the memory url for many processes"
                    ) from None
                time.sleep(delay)
                delay = min(delay * 2, 0.05)

    def _open(self) -> None:
        if self._client is not None:
            self._client.close()
            self.reopens += 1
        self._collections.clear()
        try:
            self._client = chromadb.PersistentClient(path=str(self.path), settings=_settings())
        except Exception as exc:
            self._client = None
            raise MemoryStoreError(f"cannot open the memory store at {self.path}: {exc}") from exc

    @contextlib.contextmanager
    def op(self, write: bool) -> Iterator[Any]:
        with self._tlock:
            if self._depth:
                self._depth += 1
                try:
                    yield self._client
                finally:
                    self._depth -= 1
                    if write:
                        self._bump_gen()
                return
            self._flock()
            self._depth = 1
            try:
                gen = self._read_gen()
                if self._client is None or gen != self._gen:
                    self._open()
                    self._gen = gen
                try:
                    yield self._client
                finally:
                    if write:
                        self._bump_gen()
            finally:
                self._depth = 0
                fcntl.flock(self._lockfile, fcntl.LOCK_UN)

    def vacuum(self) -> None:
        """Leave no byte of deleted rows on disk (holds the lock throughout).

        Compacts SQLite, rewrites every collection's index in a fresh process (see
        ``_rebuild``: hnswlib writes its unused slots from uncleared memory), compacts
        again and removes the folders of deleted collections, which Chroma leaves
        behind. Afterwards, a process that once held forgotten text in memory can
        write stale bytes of it into an index again when it next saves one; for
        byte-level erasure, vacuum last or from a process that did not handle the text.
        """
        with self._tlock:
            self._flock()
            try:
                if self._client is not None:
                    self._client.close()
                    self._client = None
                self._collections.clear()
                # compact; rewrite the indexes in a process that never held the forgotten
                # rows (see _rebuild); compact again; drop the folders of deleted collections
                for step in (
                    [chroma_command(), "vacuum", "--path", str(self.path), "--force"],
                    [sys.executable, "-m", "emotool.memory._rebuild", str(self.path)],
                    [chroma_command(), "vacuum", "--path", str(self.path), "--force"],
                ):
                    proc = subprocess.run(step, capture_output=True, text=True, check=False)
                    if proc.returncode != 0:
                        raise MemoryStoreError(
                            f"vacuum failed on {self.path} ({Path(step[0]).name} {step[-1]}): "
                            f"{proc.stderr.strip()[-500:]}"
                        )
                self._remove_orphan_segments()
                self._bump_gen()
            finally:
                fcntl.flock(self._lockfile, fcntl.LOCK_UN)

    def _remove_orphan_segments(self) -> None:
        """Delete segment folders that no segment in ``chroma.sqlite3`` refers to (client closed)."""
        import sqlite3

        db = sqlite3.connect(self.path / "chroma.sqlite3")
        try:
            live = {row[0] for row in db.execute("SELECT id FROM segments")}
        finally:
            db.close()
        for child in self.path.iterdir():
            if child.is_dir() and child.name not in live:
                try:
                    uuid.UUID(child.name)
                except ValueError:
                    continue  # not a segment folder
                shutil.rmtree(child)

    def close(self) -> None:
        with self._tlock:
            super().close()
            if self._client is not None:
                self._client.close()
                self._client = None
            self._lockfile.close()


class ServerStore(Store):
    """A Chroma server reached with ``HttpClient``; the server serialises writers.

    Collection handles are looked up on every operation (one extra round trip),
    so a user forgotten by another process is never written through a stale handle.
    """

    cache_collections = False

    def __init__(self, url: str, ef: EmotoolEmbeddingFunction) -> None:
        super().__init__(ef)
        u = urlparse(url)
        if u.scheme not in ("http", "https") or not u.hostname:
            raise MemoryStoreError(f"memory url {url!r} must look like http://HOST:PORT")
        self.url = url
        ssl = u.scheme == "https"
        port = u.port or (443 if ssl else 8000)
        try:
            self._client: Any = chromadb.HttpClient(host=u.hostname, port=port, ssl=ssl, settings=_settings())
            self._client.heartbeat()
        except Exception as exc:
            raise MemoryStoreError(
                f"cannot reach the Chroma server at {url}: {exc}; start one with "
                f"`chroma run --host {u.hostname} --port {port} --path DIR` or unset the memory url"
            ) from exc

    @contextlib.contextmanager
    def op(self, write: bool) -> Iterator[Any]:
        yield self._client

    def close(self) -> None:
        super().close()
        with contextlib.suppress(Exception):
            self._client.close()
