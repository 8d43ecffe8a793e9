"""``emotool memory list|show|export|forget --user NAME``.

Wired into the main CLI with ``add_memory_commands(subparsers)``; each
sub-command sets ``func`` to its handler, which returns the exit code.
Nothing heavy is imported until a handler runs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..untrusted import safe_display


def add_memory_commands(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``memory`` command and its actions to the main CLI's sub-parsers."""
    m = subparsers.add_parser("memory", help="list, show, export or forget what the assistant remembers")
    msub = m.add_subparsers(dest="memory_command", required=True, metavar="ACTION")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--user", required=True, metavar="NAME", help="the user whose memories to use")
        p.add_argument(
            "--path", type=Path, default=None, help="embedded store folder (default <home>/memory)"
        )
        p.add_argument("--url", default=None, help="Chroma server URL instead of the embedded store")
        p.add_argument("--namespace", default=None, help="collection prefix (default emotool)")

    p = msub.add_parser("list", help="the user's sessions, most recent first")
    common(p)
    p.add_argument("--json", action="store_true", help="one JSON object per session")
    p.set_defaults(func=cmd_list)

    p = msub.add_parser("show", help="the user's memories, oldest first")
    common(p)
    p.add_argument("--session", default=None, help="only this session")
    p.add_argument("--json", action="store_true", help="one JSON object per memory")
    p.set_defaults(func=cmd_show)

    p = msub.add_parser("export", help="everything stored for the user, as JSON")
    common(p)
    p.add_argument("-o", "--output", type=Path, default=None, help="write to this file instead of stdout")
    p.set_defaults(func=cmd_export)

    p = msub.add_parser("forget", help="delete the user's memories (or one session) for good")
    common(p)
    p.add_argument("--session", default=None, help="only this session")
    p.add_argument("--yes", action="store_true", help="confirm the deletion")
    p.set_defaults(func=cmd_forget)
    return m


def _open(args: argparse.Namespace, read_only: bool = True) -> Any:
    """The store the arguments name. A read-only command never creates one.

    Returns:
        The open ``Memory``, or None when no embedded store exists at the default place
        (nothing has been remembered yet).

    Raises:
        InvalidInput: an empty ``--user``.
        MemoryStoreError: ``--path`` names a folder that holds no memory store.
    """
    from ..errors import MemoryStoreError
    from . import Memory
    from .models import default_path, default_url, normalize_user_id

    args.user = normalize_user_id(args.user)
    if read_only and args.url is None and default_url() is None:
        folder = args.path if args.path is not None else default_path()
        if not (Path(folder) / "chroma.sqlite3").is_file():
            if args.path is None:
                return None
            raise MemoryStoreError(
                f"no memory store at {safe_display(str(folder))}; check --path (it must be a folder "
                "an assistant has remembered into)"
            )
    opts: dict[str, Any] = {}
    if args.path is not None:
        opts["path"] = args.path
    if args.url is not None:
        opts["url"] = args.url
    if args.namespace is not None:
        opts["namespace"] = args.namespace
    return Memory(**opts)


def cmd_list(args: argparse.Namespace) -> int:
    """``emotool memory list``: the user's sessions."""
    mem = _open(args)
    if mem is None:
        sessions = []
    else:
        with mem:
            sessions = mem.sessions(args.user)
    if args.json:
        for s in sessions:
            print(s.model_dump_json())
        return 0
    if not sessions:
        print(f"no memories of {args.user!r}")
        return 0
    print(f"{'session':<24} {'first':<20} {'last':<20} {'turns':>5} {'all':>4}  summary")
    for s in sessions:
        summary = safe_display(s.summary or "", 60)
        print(
            f"{safe_display(s.session_id):<24} {s.first_at:%Y-%m-%d %H:%M:%S}  "
            f"{s.last_at:%Y-%m-%d %H:%M:%S}  {s.turns:>5} {s.memories:>4}  {summary}"
        )
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    """``emotool memory show``: the user's memories."""
    mem = _open(args)
    if mem is None:
        items = []
    else:
        with mem:
            items = mem.get(args.user, session_id=args.session)
    if args.json:
        for m in items:
            print(m.model_dump_json())
        return 0
    if not items:
        print(f"no memories of {args.user!r}" + (f" in session {args.session!r}" if args.session else ""))
        return 0
    for m in items:
        label = next((a.label for a in m.emotions if a.label), "")
        who = m.role or m.kind
        text = safe_display(m.text, 2000)  # stored text is the user's: no terminal escapes
        print(
            f"{m.at:%Y-%m-%d %H:%M:%S}  {safe_display(m.session_id)}  {who:<9} {label:<9} "
            f"sal={m.salience:.2f}  {text}"
        )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    """``emotool memory export``: JSON of everything stored for the user."""
    mem = _open(args)
    if mem is None:
        from datetime import datetime, timezone

        from .models import MemoryExport

        text = MemoryExport(
            user_id=args.user, exported_at=datetime.now(timezone.utc), memories=[]
        ).model_dump_json(indent=2)
    else:
        with mem:
            text = mem.export(args.user).model_dump_json(indent=2)
    if args.output is None:
        sys.stdout.write(text + "\n")
    else:
        args.output.write_text(text + "\n")
        print(f"exported to {args.output}", file=sys.stderr)
    return 0


def cmd_forget(args: argparse.Namespace) -> int:
    """``emotool memory forget``: delete for good (needs ``--yes``)."""
    what = f"session {args.session!r} of {args.user!r}" if args.session else f"every memory of {args.user!r}"
    if not args.yes:
        print(f"emotool: this deletes {what} for good; add --yes to confirm", file=sys.stderr)
        return 2
    mem = _open(args)
    if mem is None:
        n = 0
    else:
        with mem:
            n = mem.forget(args.user, session_id=args.session)
    print(f"forgot {n} memor{'y' if n == 1 else 'ies'} ({what})")
    return 0
