"""Command-line options that choose a backend and a task (shared by ``analyze`` and ``eval bench``)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from ..errors import EmotoolError


def add_backend_arguments(parser: argparse.ArgumentParser, *, task: bool = True) -> None:
    """Add ``--backend``, ``--model``, ``--base-url``, ``--backend-option`` (and ``--task``/``--options``)."""
    g = parser.add_argument_group("reasoning backend")
    g.add_argument(
        "--backend",
        default=None,
        help="classic (embedded CPU, default), hf (local vision-language model) or openai "
        "(OpenAI-compatible server); default $EMOTOOL_BACKEND or classic",
    )
    g.add_argument(
        "--model", default=None, help="hf: Hub id or local folder; openai: model name on the server"
    )
    g.add_argument("--base-url", default=None, help="openai: server URL up to /v1 (default $OPENAI_BASE_URL)")
    g.add_argument(
        "--backend-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="any other backend option, e.g. dtype=bfloat16, quantization=4bit, timeout=30 "
        "(VALUE is read as JSON when it parses, else as text; repeatable)",
    )
    if task:
        g.add_argument(
            "--task",
            default=None,
            help="close_set (default), open_set, valence_arousal, intent, humor, hate, sarcasm, describe",
        )
        g.add_argument("--options", default=None, help="comma-separated answers for close_set/intent")
        g.add_argument(
            "--views", default=None, help="comma-separated views: scene,faces,context (default all)"
        )


def backend_options(args: argparse.Namespace) -> dict[str, Any]:
    """The backend keyword options given on the command line."""
    opts: dict[str, Any] = {}
    for item in getattr(args, "backend_option", []) or []:
        key, sep, raw = item.partition("=")
        if not sep or not key.strip():
            raise EmotoolError(f"--backend-option takes KEY=VALUE, got {item!r}")
        try:
            opts[key.strip()] = json.loads(raw)
        except ValueError:
            opts[key.strip()] = raw
    if getattr(args, "model", None):
        opts["model"] = args.model
    if getattr(args, "base_url", None):
        opts["base_url"] = args.base_url
    return opts


def backend_from_args(args: argparse.Namespace) -> Any:
    """Create the backend the command line asks for (see :func:`emotool.backends.get_backend`)."""
    from . import get_backend, resolve_name

    opts = backend_options(args)
    name = resolve_name(getattr(args, "backend", None))
    if name == "classic":
        for key in ("model", "base_url"):
            if key in opts:
                raise EmotoolError(
                    f"--{key.replace('_', '-')} applies to the hf and openai backends, not classic"
                )
        for key in ("detector", "classifier"):
            if getattr(args, key, None) and key not in opts:
                opts[key] = getattr(args, key)
    return get_backend(name, **opts)


def read_options_from_args(args: argparse.Namespace) -> Any:
    """The :class:`~emotool.backends.ReadOptions` the command line asks for, or ``None`` (defaults)."""
    from pydantic import ValidationError

    from . import ReadOptions

    task, options, views = (
        getattr(args, "task", None),
        getattr(args, "options", None),
        getattr(args, "views", None),
    )
    if not (task or options or views):
        return None
    data: dict[str, Any] = {}
    if task:
        data["task"] = task
    if options:
        data["options"] = [o.strip() for o in options.split(",") if o.strip()]
    if views:
        data["views"] = {"views": [v.strip() for v in views.split(",") if v.strip()]}
    try:
        return ReadOptions(**data)
    except ValidationError as exc:
        raise EmotoolError(
            "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        ) from None


def add_bench_command(eval_subparsers: Any) -> argparse.ArgumentParser:
    """Add ``bench`` to the ``emotool eval`` sub-commands; run it with :func:`bench_cli`."""
    b = eval_subparsers.add_parser(
        "bench", help="EmoBench-style items (media, task, options, answer) in a JSONL file"
    )
    b.add_argument("file", type=Path, metavar="FILE.jsonl")
    b.add_argument("--json", action="store_true", help="print the report as one JSON object")
    b.add_argument("--limit", type=int, default=None, help="run only the first N items")
    b.add_argument("--detector", default="auto", help="face detector for the views (default auto)")
    b.add_argument("--classifier", default="ensemble", help="expression classifier (default ensemble)")
    add_backend_arguments(b, task=False)
    return b
