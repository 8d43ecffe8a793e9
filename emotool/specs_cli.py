"""``emotool agents list|show NAME [--json]``: the agent specs available and what one contains.

Wired into the main CLI with ``add_agents_commands(subparsers)``; each action
sets ``func`` to its handler, which returns the exit code. pydantic and PyYAML
are imported only when a handler runs.
"""

from __future__ import annotations

import argparse
import json
import textwrap
from typing import Any


def add_agents_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``agents`` command and its actions to the main CLI's sub-parsers."""
    a = subparsers.add_parser("agents", help="list the agent specs or show one (persona, style, policies)")
    asub = a.add_subparsers(dest="agents_command", required=True, metavar="ACTION")
    p = asub.add_parser("list", help="every agent spec: $EMOTOOL_AGENTS first, then the shipped ones")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(func=cmd_list)
    p = asub.add_parser("show", help="one agent spec, validated")
    p.add_argument("name", metavar="NAME", help="a spec name (`emotool agents list`) or a YAML file")
    p.add_argument("--json", action="store_true", help="print the spec as JSON")
    p.set_defaults(func=cmd_show)
    return a


def cmd_list(args: argparse.Namespace) -> int:
    """Print every available spec with its description and where it comes from."""
    from . import datafiles
    from .errors import AgentSpecError, EmotoolError
    from .specs import agent_spec_paths, load_agent_spec

    user = datafiles.user_dir("agents", AgentSpecError)
    rows: list[dict[str, Any]] = []
    for name, path in agent_spec_paths().items():
        row: dict[str, Any] = {
            "name": name,
            "description": None,
            "origin": "user" if user is not None and path.parent == user else "shipped",
            "source": str(path),
            "error": None,
        }
        try:
            row["description"] = load_agent_spec(name).description
        except EmotoolError as exc:
            row["error"] = str(exc)
        rows.append(row)
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        width = max([len(r["name"]) for r in rows] + [4])
        print(f"{'name':<{width}}  {'origin':<7}  description")
        for r in rows:
            text = r["description"] if r["error"] is None else f"INVALID: {r['error']}"
            print(f"{r['name']:<{width}}  {r['origin']:<7}  {text}")
    return 1 if any(r["error"] for r in rows) else 0


def cmd_show(args: argparse.Namespace) -> int:
    """Print one spec: as JSON with ``--json``, else as readable text."""
    from .specs import load_agent_spec

    spec = load_agent_spec(args.name)
    data = spec.model_dump(mode="json")
    data["source"] = str(spec.source) if spec.source is not None else None
    if args.json:
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return 0
    print(f"{spec.name}: {spec.description}")
    print(f"  source: {data['source']}")
    print(f"  locale: {spec.locale}")
    print("  persona:")
    print(textwrap.indent(textwrap.fill(" ".join(spec.persona.split()), 96), "    "))
    if spec.style:
        print("  style:")
        for rule in spec.style:
            print(textwrap.fill(rule, 96, initial_indent="    - ", subsequent_indent="      "))
    if spec.greeting:
        print(f"  greeting: {spec.greeting}")
    for section in ("reply", "perceptions", "tools", "memory", "safety"):
        values = ", ".join(f"{k}={_fmt(v)}" for k, v in data[section].items())
        print(f"  {section}: {values}")
    return 0


def _fmt(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)
