"""``emotool safety check "TEXT"`` and ``emotool eval crisis FILE``.

Wired into the main CLI with ``add_safety_commands(subparsers)`` and
``add_crisis_eval_command(eval_subparsers)``; each sub-command sets ``func``
to its handler, which returns the exit code. Nothing heavy is imported until a
handler runs.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

_LAYERS = "lexicon,semantic,classifier,context"


def _layers(value: str) -> tuple[str, ...]:
    names = tuple(v.strip() for v in value.split(",") if v.strip())
    bad = [n for n in names if n not in _LAYERS.split(",")]
    if bad or not names:
        raise argparse.ArgumentTypeError(f"layers are a comma list of {_LAYERS}; got {value!r}")
    return names


def add_safety_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``safety`` command and its actions to the main CLI's sub-parsers."""
    s = subparsers.add_parser("safety", help="assess a message for crisis risk; show the safe reply")
    ssub = s.add_subparsers(dest="safety_command", required=True, metavar="ACTION")
    c = ssub.add_parser("check", help="assess one message (level, categories, evidence, layers)")
    c.add_argument("text", metavar="TEXT", help="the message (use - to read it from stdin)")
    c.add_argument("--json", action="store_true", help="print the assessment as one JSON object")
    c.add_argument(
        "--history",
        action="append",
        default=[],
        metavar="MESSAGE",
        help="an earlier user message, oldest first (repeatable)",
    )
    c.add_argument("--language", default=None, help="language code if known (default: detected)")
    c.add_argument("--locale", default=None, help="locale of the crisis reply shown on a crisis (e.g. en-GB)")
    c.add_argument("--layers", type=_layers, default=None, help=f"layers to run (default {_LAYERS})")
    c.add_argument("--reply", action="store_true", help="also print the policy's reply on a crisis")
    c.set_defaults(func=cmd_check)
    return s


def add_crisis_eval_command(eval_subparsers: Any) -> argparse.ArgumentParser:
    """Add ``crisis`` to the ``emotool eval`` sub-commands."""
    e = eval_subparsers.add_parser(
        "crisis", help="crisis detection on a CSV/JSONL file with text and label (crisis, distress, safe)"
    )
    e.add_argument("file", type=Path, metavar="FILE")
    e.add_argument("--json", action="store_true", help="print one JSON object")
    e.add_argument("--split", default=None, help="only rows whose split column has this value (dev, heldout)")
    e.add_argument("--layers", type=_layers, default=None, help=f"layers to run (default {_LAYERS})")
    e.set_defaults(func=cmd_eval_crisis)
    return e


def cmd_check(args: argparse.Namespace) -> int:
    import sys

    from . import SafetyPolicy, SafetySettings

    text = sys.stdin.read() if args.text == "-" else args.text
    settings = SafetySettings(layers=args.layers) if args.layers else SafetySettings()
    policy = SafetyPolicy(settings=settings)
    from . import warmup

    # so that the time shown is the message's, not the loading of the models
    warmup(settings.encoder if {"semantic", "classifier"} & set(settings.layers) else None)
    a = policy.assess(text, history=args.history, language=args.language)
    if args.json:
        out: dict[str, Any] = a.model_dump()
        if args.reply and a.level == "crisis":
            out["reply"] = policy.crisis_reply(a, locale=args.locale)
        print(json.dumps(out, ensure_ascii=False))
        return 0
    print(f"level: {a.level}")
    if a.categories:
        print(f"categories: {', '.join(a.categories)}")
    print(f"language: {a.language}")
    if a.layers:
        print(f"layers: {', '.join(a.layers)}")
    if a.reason:
        print(f"reason: {a.reason}")
    for e in a.evidence:
        print(f"  - {e}")
    print(f"({a.ms:.1f} ms)")
    if args.reply and a.level == "crisis":
        print()
        print(policy.crisis_reply(a, locale=args.locale))
    return 0


def cmd_eval_crisis(args: argparse.Namespace) -> int:
    from ..eval.crisis import evaluate_crisis_cli

    return evaluate_crisis_cli(args.file, as_json=args.json, split=args.split, layers=args.layers)
