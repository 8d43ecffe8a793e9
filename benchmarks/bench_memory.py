"""Memory speed: insert throughput and recall latency for one user among many.

    python benchmarks/bench_memory.py                       # 10k and 100k, embedded store
    python benchmarks/bench_memory.py --sizes 2000 --others 20 --queries 50   # a quick look
    python benchmarks/bench_memory.py --server              # the same through a local `chroma run`

For each size N the target user holds N memories and ``--others`` other users
hold ``--per-other`` each (so the store has N + others * per_other). Reported:

* end-to-end insert: ``remember_many`` with the real MiniLM embedder, memories/s;
* bulk insert: ``remember_many`` with the vectors computed beforehand (what
  building the store costs in Chroma, redaction and validation included);
* recall p50/p95 ms for the target user, query embedding with the real model
  included (k=5, default weights), and the embedding's own share;
* with ``--compare-shared``: the same store as one shared Chroma collection
  queried with a ``where={"user_id": ...}`` filter (the layout emotool avoids).

Building 100k memories embeds only ``--unique`` distinct sentences; each memory
reuses one of their vectors with a little noise, so neighbours stay meaningful
and the build takes minutes, not an hour.

Figures (2026-11-22, this 2-core machine, shared with other jobs but fairly
quiet: load average 0.8-2.7 during the runs; 49 other users x 200 memories):

    command                          user N   store    bulk/s  e2e/s  p50 ms  p95 ms  embed ms
    bench_memory.py                   10000   19800     1229    158    17.0    21.8    10.7
                                     100000  109800     1258    175    15.3    19.0     9.4
    bench_memory.py --compare-shared  10000   19800     1358    182    14.8    18.6     9.4
      one shared collection + where   10000   19800     2458      -    33.1    53.8
                                     100000  109800     1124    176    16.4    22.3    10.1
      one shared collection + where  100000  109800     1986      -   150.5   282.5
    bench_memory.py --server          10000   19800     1538    156    28.1    38.7    16.9
                                     100000  109800     1230    167    21.1    27.7    10.2

Recall p95 stays near 20 ms at 100k (target: under 50 ms), about half of it
embedding the query. A shared collection filtered by ``where`` grows with the
whole store (p95 282 ms at 100k), hence one collection per user.
"""

from __future__ import annotations

import argparse
import itertools
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

SUBJECTS = [
    "my exam",
    "my sister",
    "the new job",
    "my dog",
    "my landlord",
    "the doctor's visit",
    "my best friend",
    "the move to a new city",
    "my grandmother",
    "the football match",
    "my boss",
    "the wedding",
    "my sleep",
    "money",
    "the breakup",
    "my teacher",
    "the holiday",
    "my back pain",
    "the neighbours",
    "my brother's visit",
]
EVENTS = [
    "went badly",
    "went better than I feared",
    "keeps me awake",
    "made me laugh",
    "is next week",
    "was cancelled",
    "surprised me",
    "keeps getting postponed",
    "is all I think about",
    "finally happened",
]
FEELINGS = [
    "I feel anxious",
    "I am relieved",
    "I am furious",
    "I feel sad",
    "I am so happy",
    "I feel numb",
    "I am scared",
    "I feel proud",
    "I feel lonely",
    "I am exhausted",
]
DETAILS = [
    "and I could not eat",
    "and I called my mum",
    "and I went for a long walk",
    "and I cried",
    "and I wrote it in my diary",
    "and I told nobody",
    "and I played music",
    "and I slept all day",
]
QUERIES = [
    "how did the exam go",
    "is the dog feeling better",
    "work stress",
    "trouble sleeping at night",
    "family visit",
    "feeling lonely lately",
    "money worries",
    "something that made you happy",
    "the relationship ending",
    "health problems",
    "what helped you calm down",
    "plans for the weekend",
]


def sentences(n: int, seed: int) -> list[str]:
    combos = list(itertools.product(SUBJECTS, EVENTS, FEELINGS, DETAILS))
    random.Random(seed).shuffle(combos)
    return [f"{s.capitalize()} {e}; {f} {d}." for s, e, f, d in combos[:n]]


def pct(xs: list[float], p: float) -> float:
    return float(np.percentile(np.asarray(xs), p))


def run_size(n: int, args: argparse.Namespace, target: dict, pool: list[str], pool_vecs: np.ndarray) -> None:
    from emotool.embeddings import embed
    from emotool.memory import Memory, NewMemory

    rng = np.random.default_rng(n)
    lookup: dict[str, np.ndarray] = {}

    def precomputed(texts: list[str]) -> np.ndarray:
        return np.stack([lookup.pop(t) for t in texts])

    def make(user: str, count: int, start: float) -> list[NewMemory]:
        idx = rng.integers(0, len(pool), count)
        noisy = pool_vecs[idx] + rng.normal(0, args.noise, (count, pool_vecs.shape[1])).astype(np.float32)
        noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
        items = []
        for j in range(count):
            text = f"{pool[idx[j]]} (#{user}-{j})"
            lookup[text] = noisy[j]
            items.append(
                NewMemory(
                    text=text,
                    user_id=user,
                    session_id=f"s{j // 20}",
                    at=start + j * 60.0,
                    salience=float(rng.random()),
                )
            )
        return items

    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        opts = (
            {"url": target["url"], "namespace": f"b{n}"}
            if target.get("url")
            else {"path": Path(tmp), "url": None}
        )
        bulk = Memory(embedder=precomputed, **opts)
        t0 = time.perf_counter()
        total = 0
        start = time.time() - 365 * 86400
        for u in range(args.others):
            items = make(f"other{u}", args.per_other, start)
            bulk.remember_many(items)
            total += len(items)
        for s in range(0, n, args.chunk):
            items = make("target", min(args.chunk, n - s), start + s * 60.0)
            bulk.remember_many(items)
            total += len(items)
        build_s = time.perf_counter() - t0
        bulk.close()

        mem = Memory(**opts)  # the real embedder from here on
        e2e_texts = sentences(args.e2e, seed=n + 1)
        t0 = time.perf_counter()
        mem.remember_many([NewMemory(text=t, user_id="e2e", session_id="e2e") for t in e2e_texts])
        e2e_s = time.perf_counter() - t0

        queries = [f"{q} {i}" if i else q for i in range(args.queries) for q in QUERIES][: args.queries]
        for q in queries[:10]:
            mem.recall(q, "target", k=5)  # warm-up: model, index, caches
        lat, emb = [], []
        for q in queries:
            t = time.perf_counter()
            embed([q])
            emb.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            hits = mem.recall(q, "target", k=5)
            lat.append((time.perf_counter() - t) * 1000)
            assert hits and all(h.memory.user_id == "target" for h in hits)
        assert mem.count("target") == n
        mem.close()
    print(
        f"{n:>8} {total:>8} {target['name']:<9} {total / build_s:>10.0f} {args.e2e / e2e_s:>10.0f} "
        f"{pct(lat, 50):>8.1f} {pct(lat, 95):>8.1f} {statistics.median(emb):>8.1f}",
        flush=True,
    )


def run_shared_collection(n: int, args: argparse.Namespace, pool: list[str], pool_vecs: np.ndarray) -> None:
    """The layout emotool does not use, measured for comparison: every user in one Chroma
    collection and a ``where={"user_id": ...}`` filter on each query (raw chromadb calls)."""
    import chromadb
    from chromadb.config import Settings

    from emotool.embeddings import embed
    from emotool.memory._chroma import EmotoolEmbeddingFunction

    rng = np.random.default_rng(n)
    owners = ["target"] * n + [f"other{u}" for u in range(args.others) for _ in range(args.per_other)]
    with tempfile.TemporaryDirectory(prefix="bench-shared-") as tmp:
        client = chromadb.PersistentClient(path=tmp, settings=Settings(anonymized_telemetry=False))
        col = client.create_collection(
            "shared",
            embedding_function=EmotoolEmbeddingFunction(),
            configuration={"hnsw": {"space": "cosine"}},
        )
        t0 = time.perf_counter()
        for s in range(0, len(owners), args.chunk):
            part = owners[s : s + args.chunk]
            idx = rng.integers(0, len(pool), len(part))
            v = pool_vecs[idx] + rng.normal(0, args.noise, (len(part), pool_vecs.shape[1])).astype(np.float32)
            v /= np.linalg.norm(v, axis=1, keepdims=True)
            for b in range(0, len(part), 1000):
                col.add(
                    ids=[str(s + b + j) for j in range(len(part[b : b + 1000]))],
                    embeddings=v[b : b + 1000],
                    documents=[pool[i] for i in idx[b : b + 1000]],
                    metadatas=[{"user_id": u, "at": float(j)} for j, u in enumerate(part[b : b + 1000])],
                )
        build_s = time.perf_counter() - t0
        queries = [f"{q} {i}" if i else q for i in range(args.queries) for q in QUERIES][: args.queries]
        lat = []
        for i, q in enumerate(queries):
            t = time.perf_counter()
            col.query(
                query_embeddings=embed([q]),
                n_results=50,
                where={"user_id": "other0" if i % 2 else "target"},
                include=["documents", "metadatas", "distances"],
            )
            lat.append((time.perf_counter() - t) * 1000)
        client.close()
    lat = lat[10:]
    print(
        f"{n:>8} {len(owners):>8} {'shared+where':<13} {len(owners) / build_s:>7.0f} {'-':>10} "
        f"{pct(lat, 50):>8.1f} {pct(lat, 95):>8.1f}   (half the queries for a small user)",
        flush=True,
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="memories of the target user (comma-separated)")
    ap.add_argument("--others", type=int, default=49, help="other users in the store")
    ap.add_argument("--per-other", type=int, default=200, help="memories per other user")
    ap.add_argument("--queries", type=int, default=200, help="timed recall calls")
    ap.add_argument("--e2e", type=int, default=1000, help="memories inserted with the real embedder")
    ap.add_argument("--unique", type=int, default=4000, help="distinct sentences embedded for the build")
    ap.add_argument("--noise", type=float, default=0.02, help="noise added to reused vectors")
    ap.add_argument("--chunk", type=int, default=5000, help="memories per remember_many call while building")
    ap.add_argument("--server", action="store_true", help="use a `chroma run` server on 127.0.0.1")
    ap.add_argument(
        "--compare-shared",
        action="store_true",
        help="also time one shared collection with a where filter per user (not emotool's layout)",
    )
    args = ap.parse_args()

    import os

    from emotool.embeddings import embed

    pool = sentences(args.unique, seed=0)
    embed(["warm up"])  # load the model outside the timing
    t0 = time.perf_counter()
    pool_vecs = embed(pool, batch_size=64)
    print(
        f"embedded {len(pool)} distinct sentences in {time.perf_counter() - t0:.1f} s "
        f"({len(pool) / (time.perf_counter() - t0):.0f}/s); load average {os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'user N':>8} {'store':>8} {'backend':<9} {'bulk/s':>10} {'e2e/s':>10} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'embed ms':>8}"
    )
    server = None
    target: dict = {"name": "embedded"}
    tmp = None
    if args.server:
        from emotool.memory.testing import ChromaServer

        tmp = Path(tempfile.mkdtemp(prefix="bench-chroma-"))
        server = ChromaServer(tmp / "data")
        target = {"name": "server", "url": server.start()}
    try:
        for n in (int(x) for x in args.sizes.split(",")):
            run_size(n, args, target, pool, pool_vecs)
            if args.compare_shared:
                run_shared_collection(n, args, pool, pool_vecs)
    finally:
        if server is not None:
            server.stop()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
