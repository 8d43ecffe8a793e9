"""Per-stage timings of the empathetic agent's turns, p50 / p95.

Usage: python benchmarks/bench_chat.py [--models embedded:qwen2.5-1.5b,embedded:qwen2.5-0.5b,stub]
                                       [--text-turns 5] [--media-turns 3]

For each chat model: one warm-up turn (models loaded, not counted), then text
turns and turns with a photo and about 5 s of speech (made with espeak-ng),
each through ``EmpatheticAgent.turn`` with a real memory store holding earlier
sessions. ``stub`` is a real OpenAI-compatible server on 127.0.0.1 that answers
at once: its row is the agent's own cost (perception, speech, recall, safety,
prompt, memory) without a model. ``raw first token`` is the same model called
directly with a one-line prompt, the peer for the agent's first token.

Targets on 2 cores: first token under 3 s for a text turn with warm models, the
whole photo-and-audio turn under 15 s.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

TEXTS = [
    "Work was rough today, my manager criticised my report in front of everyone.",
    "I finally called my sister after months, it went better than I expected.",
    "I can't sleep again, my head keeps going over the same worries.",
    "We're moving house next week and I haven't packed a single box.",
    "My friend forgot my birthday and I'm trying not to take it personally.",
    "I got some good news about the flat today!",
    "Honestly I just feel flat, nothing much happened.",
]
SPOKEN = "I have been feeling a bit anxious about the interview tomorrow, but I think I am ready."
STAGES = ("perception", "speech", "recall", "safety", "model_first_token", "model", "total")


def pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))] if s else float("nan")


def fmt(xs: list[float]) -> str:
    if not xs:
        return "-"
    return f"{pct(xs, 0.5) / 1000:.2f}/{pct(xs, 0.95) / 1000:.2f}"


def media(work: Path) -> tuple[Path, Path]:
    from emotool.eval.dialogue import speak
    from emotool.samples import sample_image

    return sample_image(work / "photo.jpg"), speak(SPOKEN, work / "voice.wav")


def seed(memory: Any, user: str) -> None:
    now = datetime.now(timezone.utc)
    for i, text in enumerate(
        [
            "I have a job interview at the bakery on Thursday.",
            "My sister and I haven't spoken since the summer.",
            "I'm dreading the move, there's so much to sort out.",
        ]
    ):
        memory.remember(
            text, user_id=user, session_id=f"past-{i}", at=now - timedelta(days=3 + i), role="user"
        )


def run_model(
    name: str, work: Path, n_text: int, n_media: int
) -> list[tuple[str, str, dict[str, list[float]]]]:
    from emotool.agent import EmpatheticAgent
    from emotool.memory import Memory

    photo, voice = media(work)
    memory = Memory(path=work / f"memory-{abs(hash(name))}")
    user = "bench"
    seed(memory, user)
    stub_ctx = None
    if name == "stub":
        import openai_stub

        stub_ctx = openai_stub.running()
        srv = stub_ctx.__enter__()
        srv.default = openai_stub.text(
            "That sounds like a lot to carry today. What part of it weighs on you most?"
        )
        agent = EmpatheticAgent(
            model="stub-model",
            base_url=srv.url,
            user_id=user,
            memory=memory,
            checkpoint_path=work / "ck.sqlite",
            allowed_roots=[work],
        )
    else:
        agent = EmpatheticAgent(
            model=name, user_id=user, memory=memory, checkpoint_path=work / "ck.sqlite", allowed_roots=[work]
        )
    try:
        agent.turn("Hi there.", image=photo, audio=voice, session_id="warm")  # loads every model
        rows = []
        for kind, n in (("text", n_text), ("photo + 5 s audio", n_media)):
            per: dict[str, list[float]] = {s: [] for s in STAGES}
            for i in range(n):
                kw = {"image": photo, "audio": voice} if kind != "text" else {}
                turn = agent.turn(TEXTS[i % len(TEXTS)], session_id=f"{kind}-{i}", **kw)
                t = turn.timings
                for s in STAGES:
                    v = getattr(t, s)
                    if v is not None:
                        per[s].append(float(v))
            rows.append((name, kind, per))
        if name != "stub":
            rows.append((name, "raw first token", {"model_first_token": raw_first_token(agent.model)}))
        return rows
    finally:
        memory.close()
        if stub_ctx is not None:
            stub_ctx.__exit__(None, None, None)


def raw_first_token(model: Any, n: int = 3) -> list[float]:
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        for _ in model.stream(f"Say hello to person number {i}."):
            out.append((time.perf_counter() - t0) * 1000)
            break
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default="embedded:qwen2.5-1.5b,embedded:qwen2.5-0.5b,stub")
    ap.add_argument("--text-turns", type=int, default=5)
    ap.add_argument("--media-turns", type=int, default=3)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-chat-") as tmp:
        for name in args.models.split(","):
            rows += run_model(name.strip(), Path(tmp), args.text_turns, args.media_turns)
    print("\nseconds, p50/p95 over the turns (first token: from the model call's start)")
    head = f"{'model':<24} {'turn':<18} {'n':>2} " + " ".join(
        f"{s.replace('model_', ''):>12}" for s in STAGES
    )
    print(head)
    print("-" * len(head))
    for name, kind, per in rows:
        n = max(len(v) for v in per.values())
        print(f"{name:<24} {kind:<18} {n:>2} " + " ".join(f"{fmt(per.get(s, [])):>12}" for s in STAGES))
    firsts = {
        name: statistics.median(per["model_first_token"])
        for name, kind, per in rows
        if kind == "text" and per.get("model_first_token")
    }
    raws = {
        name: statistics.median(per["model_first_token"])
        for name, kind, per in rows
        if kind == "raw first token" and per.get("model_first_token")
    }
    for name in raws:
        if name in firsts:
            print(f"{name}: agent first token / raw first token = {firsts[name] / raws[name]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
