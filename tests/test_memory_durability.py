"""Crash safety and concurrent writers, against real Chroma (embedded folder and ``chroma run`` server).

* A writer process acknowledges each memory (prints its id) only after
  ``remember`` returned; the test kills it with SIGKILL mid-stream, reopens the
  store and finds every acknowledged memory, by id and by vector search.
* Two processes writing the same users at once lose nothing.
* A Chroma server killed with SIGKILL and restarted keeps what it acknowledged.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("chromadb", reason="needs the memory extra: pip install 'emotool[memory]'")

from emotool.memory import Memory
from emotool.memory.testing import ChromaServer, chroma_server, hash_embed

pytestmark = pytest.mark.slow

WRITER = r"""
import sys
from emotool.memory import Memory, NewMemory
from emotool.memory.testing import hash_embed
import time
target, ns, tag, n, pause = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])
opts = {"url": target} if target.startswith("http") else {"path": target, "url": None}
# small HNSW batches so that index flushes and saves happen during the test
mem = Memory(namespace=ns, embedder=hash_embed, hnsw={"batch_size": 10, "sync_threshold": 20}, **opts)
mem.count("user0")  # open the store before "ready"
print("ready", flush=True)
sys.stdin.readline()  # wait for "go", so that concurrent writers really overlap
i = 0
while n <= 0 or i < n:
    if i % 10 == 9:  # now and then a batch, so a kill can land inside one
        items = [NewMemory(text=f"{tag} batch {i} item {j}", user_id=f"user{(i + j) % 3}", session_id=tag,
                           memory_id=f"{tag}-{i}-{j}") for j in range(20)]
        for m in mem.remember_many(items):
            print(m.id, m.user_id, m.text, sep="\t", flush=True)
    else:
        m = mem.remember(f"{tag} memory number {i}", user_id=f"user{i % 3}", session_id=tag,
                         memory_id=f"{tag}-{i}")
        print(m.id, m.user_id, m.text, sep="\t", flush=True)
    i += 1
    time.sleep(pause)
print("reopens", getattr(mem._store, "reopens", 0), file=sys.stderr)
mem.close()
"""


def _writer(target: str, ns: str, tag: str, n: int, pause: float = 0.0) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, target, ns, tag, str(n), str(pause)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _ready(*procs: subprocess.Popen[str]) -> None:
    """Wait until every writer has opened the store, then let them all go at once."""
    for p in procs:
        assert p.stdout is not None and p.stdin is not None
        first = p.stdout.readline()
        assert first.strip() == "ready", (first, p.stderr.read() if p.stderr else "")
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()


def _read_acks(proc: subprocess.Popen[str], until: int | None) -> list[tuple[str, str, str]]:
    assert proc.stdout is not None
    acks = []
    for line in proc.stdout:
        mid, user, text = line.rstrip("\n").split("\t")
        acks.append((mid, user, text))
        if until is not None and len(acks) >= until:
            break
    return acks


def _check_all_there(mem: Memory, acks: list[tuple[str, str, str]]) -> None:
    by_user: dict[str, set[str]] = {}
    for mid, user, _ in acks:
        by_user.setdefault(user, set()).add(mid)
    for user, ids in by_user.items():
        stored = {m.id for m in mem.get(user)}
        missing = ids - stored
        assert not missing, f"{len(missing)} acknowledged memories of {user} lost: {sorted(missing)[:5]}"
    for mid, user, text in acks[:: max(1, len(acks) // 25)]:  # the vector index has them too
        hits = mem.recall(text, user, k=3, weights={"similarity": 1, "recency": 0, "salience": 0})
        assert mid in {h.memory.id for h in hits}, f"{mid} is stored but not found by vector search"


def _sqlite_ok(folder: Path) -> None:
    db = sqlite3.connect(f"file:{folder / 'chroma.sqlite3'}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()


@pytest.fixture(params=["embedded", "server"])
def store(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "embedded":
        yield str(tmp_path / "mem")
    else:
        with chroma_server(tmp_path / "srv") as url:
            yield url


def _open(target: str, ns: str) -> Memory:
    opts = {"url": target} if target.startswith("http") else {"path": target, "url": None}
    return Memory(namespace=ns, embedder=hash_embed, **opts)


def test_sigkill_mid_stream_loses_no_acknowledged_memory(store: str) -> None:
    acks: list[tuple[str, str, str]] = []
    for round_, wait in enumerate((25, 61, 137)):  # three crashes at different points, same store
        proc = _writer(store, "crash", f"r{round_}", 0)
        _ready(proc)
        acks += _read_acks(proc, until=wait)
        proc.send_signal(signal.SIGKILL)  # still writing: the next remember is in flight
        proc.wait()
        assert proc.returncode == -signal.SIGKILL
        assert proc.stdout is not None
        acks += [tuple(x.split("\t")) for x in proc.stdout.read().splitlines() if "\t" in x]  # type: ignore[misc]
    with _open(store, "crash") as mem:
        _check_all_there(mem, acks)
        mem.remember("still writable after the crashes", user_id="user0", session_id="after")
        assert mem.recall("still writable after the crashes", "user0", k=1)[0].memory.session_id == "after"
    if not store.startswith("http"):
        _sqlite_ok(Path(store))


def test_two_processes_writing_at_once_lose_nothing(store: str) -> None:
    a = _writer(store, "both", "A", 40, pause=0.01)  # like chat workers: a write now and then
    b = _writer(store, "both", "B", 40, pause=0.01)
    _ready(a, b)
    acks_a, acks_b = _read_acks(a, None), _read_acks(b, None)
    assert a.wait(120) == 0 and b.wait(120) == 0, (a.stderr.read(), b.stderr.read())  # type: ignore[union-attr]
    if not store.startswith("http"):  # the writes did interleave: each saw the other's and reopened
        reopens = [int(p.stderr.read().split("reopens")[-1]) for p in (a, b)]  # type: ignore[union-attr]
        assert min(reopens) >= 1, reopens
    assert len(acks_a) == len(acks_b) == 36 + 4 * 20
    with _open(store, "both") as mem:
        _check_all_there(mem, acks_a + acks_b)
        assert sum(mem.count(f"user{u}") for u in range(3)) == 2 * (36 + 4 * 20)
    if not store.startswith("http"):
        _sqlite_ok(Path(store))


def test_server_killed_and_restarted_keeps_acknowledged(tmp_path: Path) -> None:
    server = ChromaServer(tmp_path / "srv")
    url = server.start()
    try:
        proc = _writer(url, "srvcrash", "S", 0)
        _ready(proc)
        acks = _read_acks(proc, until=50)
        server.kill()  # the server crashes under the writer
        time.sleep(0.2)
        proc.kill()
        proc.wait()
        server = ChromaServer(tmp_path / "srv", port=server.port)
        server.start()
        with _open(url, "srvcrash") as mem:
            _check_all_there(mem, acks)
    finally:
        server.stop()
