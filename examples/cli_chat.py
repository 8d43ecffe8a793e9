"""A minimal terminal chat on the empathetic agent: your own REPL in 30 lines.

Usage: python examples/cli_chat.py [--user NAME] [--model NAME] [--base-url URL]

Type a message; start a line with `image:`, `video:` or `audio:` and a path to
attach a file to your next message. The reply streams as it is written.
`emotool chat` is the full-featured version of this.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from emotool.agent import AgentTurn, EmpatheticAgent


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--user", default="me")
    ap.add_argument("--model", default=None, help="chat model (default: the embedded one)")
    ap.add_argument("--base-url", default=None)
    ap.add_argument("--memory", type=Path, default=None, help="memory store folder")
    args = ap.parse_args()
    memory = None
    if args.memory is not None:
        from emotool.memory import Memory

        memory = Memory(path=args.memory)
    agent = EmpatheticAgent(
        model=args.model, base_url=args.base_url, user_id=args.user, memory=memory, allowed_roots=[Path.cwd()]
    )
    attach: dict[str, Path] = {}
    for line in sys.stdin:
        line = line.strip()
        kind, _, rest = line.partition(":")
        if kind in ("image", "video", "audio") and rest.strip():
            attach[kind] = Path(rest.strip())
            continue
        if not line:
            continue
        print("agent: ", end="", flush=True)
        for event in agent.stream(line, session_id="cli", **attach):
            if isinstance(event, AgentTurn):
                note = ", safety took over" if event.safety.crisis else ""
                print(f"\n  ({event.timings.total / 1000:.1f} s{note})")
            else:
                print(event, end="", flush=True)
        attach = {}
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
