"""The `support` agent with a human hand-off: what a mental-health-support prototype needs.

Usage: python examples/support_bot.py [OUT_DIR] [--model NAME] [--base-url URL]

Each message goes through the safety layer first. On a crisis turn the
policy's reply (with the crisis lines for the person's locale) stands, and
`on_crisis` is called: here it writes a hand-off ticket a human on call would
pick up. The audit log records every assessment with a hashed user id and no
message text.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from emotool.agent import EmpatheticAgent

MESSAGES = [
    "I've had a rough week at work, my manager keeps piling things on me.",
    "Honestly I don't see the point of any of it anymore. I've been thinking about ending it.",
]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", nargs="?", type=Path, default=Path("out/support"))
    ap.add_argument("--model", default=None)
    ap.add_argument("--base-url", default=None)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    tickets = args.out / "handoffs.jsonl"

    def hand_off(event: Any) -> None:
        # a real deployment pages the on-call counsellor here
        with open(tickets, "a", encoding="utf-8") as f:
            f.write(json.dumps(event if isinstance(event, dict) else event.model_dump(mode="json")) + "\n")
        print("  >> hand-off ticket written for the on-call counsellor")

    agent = EmpatheticAgent(
        spec="support",
        model=args.model,
        base_url=args.base_url,
        user_id="sam",
        on_crisis=hand_off,
        locale="en-GB",
        checkpoint_path=args.out / "checkpoints.sqlite",
    )
    crisis_turns = 0
    for text in MESSAGES:
        turn = agent.turn(text, session_id="support-1")
        print(f"\nperson: {text}\nagent: {turn.reply}")
        crisis_turns += turn.safety.crisis
    print(f"\n{crisis_turns} crisis turn(s); tickets in {tickets}")
    return 0 if crisis_turns == 1 else 1


if __name__ == "__main__":
    raise SystemExit(main())
