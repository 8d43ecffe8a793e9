"""``emotool eval dialogue FILE``: wired into the main CLI; nothing heavy is imported until it runs."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any


def add_dialogue_command(eval_subparsers: Any) -> argparse.ArgumentParser:
    """Add ``dialogue`` to the ``emotool eval`` sub-commands."""
    d = eval_subparsers.add_parser(
        "dialogue", help="play scripted conversations through the agent and score the replies"
    )
    d.add_argument("file", type=Path, help="scenario JSONL (see benchmarks/dialogue_scenarios.jsonl)")
    d.add_argument("--model", default=None, help="chat model (default: the embedded one; see `emotool chat`)")
    d.add_argument("--base-url", default=None, help="an OpenAI-compatible server for --model")
    d.add_argument("--judge", default=None, metavar="MODEL", help="also ask this chat model the rubric")
    d.add_argument(
        "--only", action="append", default=[], metavar="ID", help="run only this scenario (repeatable)"
    )
    d.add_argument("--workdir", type=Path, default=None, help="keep the memory store and media here")
    d.add_argument("--json", action="store_true", help="print one JSON object")
    d.add_argument("--details", action="store_true", help="with --json: include every turn and its scores")
    d.set_defaults(func=cmd_dialogue)
    return d


def cmd_dialogue(args: argparse.Namespace) -> int:
    from .dialogue import evaluate_dialogue, report_json, report_table

    report = evaluate_dialogue(
        args.file,
        model=args.model,
        base_url=args.base_url,
        judge=args.judge,
        workdir=args.workdir,
        only=args.only,
        progress=sys.stderr.isatty() and not args.json,
    )
    if args.json:
        print(report_json(report, details=args.details))
        return 0
    for d in report.details:
        tag = "CRISIS " if d.crisis else ""
        failed = [c.name for c in d.criteria if not c.passed]
        print(f"[{d.scenario} #{d.turn}] {tag}{d.user_text[:80]}")
        print(f"  -> {d.reply}")
        if failed:
            print(f"  missed: {', '.join(failed)}")
    print()
    for line in report_table(report):
        print(line)
    return 0
