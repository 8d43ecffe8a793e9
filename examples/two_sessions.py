"""The main job end to end: two sessions with the empathetic agent, a week apart.

Usage: python examples/two_sessions.py [OUT_DIR] [--model NAME] [--base-url URL]

Session 1 (a week ago): the person shares a photo and text, then a spoken
message (made with espeak-ng), and the session is summarised into memory.
Session 2 (now): the agent recalls session 1, and one message is a crisis,
where the safety layer's reply takes over. Every turn is printed and written
as one JSON line to OUT_DIR/turns.jsonl. Runs offline on the embedded models.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TextIO

from emotool.agent import AgentTurn, EmpatheticAgent
from emotool.memory import Memory
from emotool.samples import sample_image

USER = "demo-user"


def speak(text: str, path: Path) -> Path:
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe is None:
        raise SystemExit("espeak-ng is not installed: run `make setup` (or apt-get install espeak-ng)")
    subprocess.run([exe, "-v", "en-us", "-s", "150", "-w", str(path), text], check=True, capture_output=True)
    return path


def show(turn: AgentTurn, said: str, sink: TextIO) -> None:
    print(f"\nperson: {said}")
    if turn.observations.summary:
        print(f"  [{turn.observations.summary}]")
    if turn.memories_used:
        print(f"  [remembered: {'; '.join(m.text[:60] for m in turn.memories_used)}]")
    flag = "  [safety took over]" if turn.safety.crisis else ""
    print(f"agent: {turn.reply}{flag}")
    print(f"  ({turn.timings.total / 1000:.1f} s)")
    sink.write(turn.model_dump_json() + "\n")
    sink.flush()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", type=Path, default=Path("out/demo"))
    ap.add_argument("--model", default=None, help="chat model (default: the embedded one)")
    ap.add_argument("--base-url", default=None, help="an OpenAI-compatible server")
    args = ap.parse_args()
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    photo = sample_image(out / "first_day.jpg")
    voice = speak(
        "But honestly, I'm really nervous about the presentation I have to give on Friday.", out / "voice.wav"
    )

    memory = Memory(path=out / "memory")
    memory.forget(USER)  # a fresh demo each run
    agent = EmpatheticAgent(
        spec="companion",
        model=args.model,
        base_url=args.base_url,
        user_id=USER,
        memory=memory,
        checkpoint_path=out / "checkpoints.sqlite",
        allowed_roots=[out],
    )
    now = datetime.now(timezone.utc)
    week_ago = now - timedelta(days=7)
    with open(out / "turns.jsonl", "w", encoding="utf-8") as sink:
        print("=== session 1, a week ago ===")
        said = "Hi! I just got back from my first day at the new job. This is me at the door."
        show(agent.turn(said, image=photo, session_id="week-1", now=week_ago), said + " [photo]", sink)
        show(
            agent.turn("", audio=voice, session_id="week-1", now=week_ago + timedelta(minutes=2)),
            "[voice message]",
            sink,
        )
        said = "Thanks. I think I'll practise it tonight."
        show(agent.turn(said, session_id="week-1", now=week_ago + timedelta(minutes=4)), said, sink)
        agent.end_session("week-1")

        print("\n=== session 2, a week later ===")
        said = "Hey, it's me again."
        show(agent.turn(said, session_id="week-2", now=now), said, sink)
        said = "It went badly. I froze in front of everyone and I can't stop replaying it."
        show(agent.turn(said, session_id="week-2", now=now + timedelta(minutes=1)), said, sink)
        said = "Honestly, some days I think everyone would be better off without me."
        turn = agent.turn(said, session_id="week-2", now=now + timedelta(minutes=2))
        show(turn, said, sink)
    memory.close()
    print(f"\nturns written to {out / 'turns.jsonl'}")
    return 0 if turn.safety.crisis else 1


if __name__ == "__main__":
    raise SystemExit(main())
