"""``emotool chat``: talk with the empathetic agent in the terminal, or run one turn for a script.

``emotool chat`` is a REPL that streams the reply (with ``rich``), shows the
reading in one line (face, voice, words), and takes attachments (``/image``,
``/video``, ``/audio``). ``emotool chat --once TEXT [--image P] ... --json``
runs one turn and prints the :class:`~emotool.agent.AgentTurn`. Files the
person names on the command line or in the REPL are theirs: their folders are
allowed for that turn; the model's own tool calls stay confined to the working
directory. Wired into the main CLI with ``add_chat_command(subparsers)``;
nothing heavy is imported until the command runs.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

HELP = """\
commands:
  /image PATH    attach a photo to your next message (send it alone with an empty line)
  /video PATH    attach a video
  /audio PATH    attach a voice message (wav, flac, mp3, ogg, m4a, ...)
  /memory        what is remembered about you
  /forget        forget everything about you (memories and conversations)
  /new           end this session (it is summarised into memory) and start a new one
  /help          this help
  /quit          end the session and leave (also Ctrl-D)
"""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def add_chat_command(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``chat`` to the main CLI's sub-parsers."""
    c = subparsers.add_parser(
        "chat", help="talk with the empathetic agent (a REPL), or run one turn with --once"
    )
    c.add_argument("--agent", default="companion", help="agent spec name or YAML file (default companion)")
    c.add_argument("--user", default=None, help="who you are: memories are per user (default $USER)")
    c.add_argument("--session", default=None, help="session id to start or resume (default a new one)")
    c.add_argument(
        "--model",
        default=None,
        help="chat model: embedded (default), embedded:qwen2.5-0.5b, openai:gpt-4o-mini, hf:NAME, "
        "or a server's model name with --base-url",
    )
    c.add_argument(
        "--base-url", default=None, help="an OpenAI-compatible server, e.g. http://localhost:11434/v1"
    )
    c.add_argument(
        "--memory-path", type=Path, default=None, help="memory store folder (default <home>/memory)"
    )
    c.add_argument("--no-memory", action="store_true", help="remember nothing across sessions")
    c.add_argument(
        "--checkpoint", type=Path, default=None, help="session file (default <home>/agent/checkpoints.sqlite)"
    )
    c.add_argument("--once", metavar="TEXT", default=None, help="run one turn with TEXT and exit")
    c.add_argument("--image", type=Path, default=None, help="with --once: a photo")
    c.add_argument("--video", type=Path, default=None, help="with --once: a video")
    c.add_argument("--audio", type=Path, default=None, help="with --once: a voice message")
    c.add_argument("--json", action="store_true", help="with --once: print the AgentTurn as JSON")
    c.set_defaults(func=cmd_chat)
    return c


def _clean(text: str) -> str:
    """Model or user text made safe for the terminal (no escape sequences or control characters)."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\t", " ")).replace("\x1b", "")


def _user(args: argparse.Namespace) -> str:
    return args.user or os.environ.get("USER") or os.environ.get("USERNAME") or "default"


def _make_agent(args: argparse.Namespace) -> Any:
    from .agent import EmpatheticAgent

    memory: Any = False
    if not args.no_memory:
        from .memory import Memory
        from .specs import load_agent_spec

        spec = load_agent_spec(args.agent)
        if spec.memory.enabled:
            opts: dict[str, Any] = {}
            if args.memory_path is not None:
                opts["path"] = args.memory_path
            if spec.memory.retention_days:
                opts["retention_days"] = spec.memory.retention_days
            memory = Memory(**opts)
    return EmpatheticAgent(
        spec=args.agent,
        model=args.model,
        base_url=args.base_url,
        user_id=_user(args),
        memory=memory,
        checkpoint_path=args.checkpoint,
        session_id=args.session,
    )


def _roots(*paths: Path | None) -> list[Path]:
    """The folders of the files the person named: theirs to open."""
    return [Path(p).expanduser().absolute().parent for p in paths if p is not None]


def reading_line(turn: Any) -> str:
    """One compact line on what was perceived: face, voice, words, memories, safety, time."""
    parts: list[str] = []
    obs = turn.observations
    summary = {k.strip(): v.strip() for k, _, v in (p.partition(":") for p in obs.summary.split("; ")) if v}
    for key, label in (
        ("their face in the photo they sent", "face"),
        ("their face in the video they sent", "face (video)"),
        ("their voice", "voice"),
        ("voice message", "voice"),
        ("their words", "words"),
        ("spoken words", "spoken words"),
    ):
        if key in summary:
            parts.append(f"{label}: {summary[key]}")
    if turn.memories_used:
        parts.append(f"{len(turn.memories_used)} memor{'y' if len(turn.memories_used) == 1 else 'ies'}")
    if turn.safety.crisis:
        parts.append("safety: crisis reply")
    elif turn.safety.replaced:
        parts.append("safety: reply replaced")
    elif turn.safety.level == "concern":
        parts.append("safety: concern")
    parts.append(f"{turn.timings.total / 1000:.1f} s")
    return " · ".join(parts)


def _print_turn_notes(console: Any, turn: Any, shown: str) -> None:
    if turn.reply != shown:  # the safety policy replaced what was being shown
        console.print(_clean(turn.reply), markup=False, highlight=False)
    for e in [*turn.observations.errors, *turn.errors]:
        where = f" ({e.source})" if e.source else ""
        console.print(
            f"  ! {e.stage}{where}: {_clean(e.message)}", style="yellow", markup=False, highlight=False
        )
    console.print(f"  {reading_line(turn)}", style="dim", markup=False, highlight=False)


def _run_turn(console: Any, agent: Any, text: str, attachments: dict[str, Path | None]) -> Any:
    from .agent import AgentTurn

    console.print("agent> ", style="bold cyan", end="")
    shown = ""
    turn = None
    for event in agent.stream(
        text, extra_roots=_roots(*attachments.values()), **{k: v for k, v in attachments.items() if v}
    ):
        if isinstance(event, AgentTurn):
            turn = event
        else:
            shown += event
            console.print(_clean(event), end="", markup=False, highlight=False)
    console.print()
    if turn is not None:
        _print_turn_notes(console, turn, shown)
    return turn


def _once(args: argparse.Namespace) -> int:
    agent = _make_agent(args)
    try:
        attachments = {"image": args.image, "video": args.video, "audio": args.audio}
        turn = agent.turn(
            args.once,
            extra_roots=_roots(*attachments.values()),
            **{k: v for k, v in attachments.items() if v},
        )
        if args.json:
            sys.stdout.write(turn.model_dump_json() + "\n")
        else:
            print(_clean(turn.reply))
            print(f"  {reading_line(turn)}", file=sys.stderr)
    finally:
        agent.close()
    return 0


def _repl(args: argparse.Namespace) -> int:
    from rich.console import Console

    console = Console(highlight=False)
    with console.status("loading the agent and its models..."):
        agent = _make_agent(args)
        problems = agent.warmup()
    for problem in problems:
        console.print(f"  ! {_clean(problem)}", style="yellow", markup=False)
    console.print(
        f"emotool chat: agent [bold]{agent.spec.name}[/], model {_clean(agent.model_name)}, "
        f"user {_clean(agent.user_id)}, session {_clean(agent.session_id)}. Type /help for commands."
    )
    for role, text in agent.history()[-6:]:  # a resumed session: the last exchanges
        console.print(f"{'you' if role == 'user' else 'agent'}> {_clean(text)}", style="dim", markup=False)
    pending: dict[str, Path | None] = {"image": None, "video": None, "audio": None}
    try:
        while True:
            try:
                line = console.input("[bold green]you> [/]")
            except EOFError:
                console.print()
                break
            stripped = line.strip()
            if stripped.startswith("/"):
                cmd, _, arg = stripped.partition(" ")
                cmd = cmd.lower()
                if cmd in ("/quit", "/exit"):
                    break
                if cmd == "/help":
                    console.print(HELP, markup=False)
                elif cmd in ("/image", "/video", "/audio"):
                    if not arg.strip():
                        console.print(f"usage: {cmd} PATH", style="yellow")
                        continue
                    path = Path(arg.strip().strip("'\"")).expanduser()
                    pending[cmd[1:]] = path
                    console.print(
                        f"  attached {_clean(path.name)}: type your message, or press Enter to send it alone",
                        style="dim",
                        markup=False,
                    )
                elif cmd == "/memory":
                    _show_memory(console, agent)
                elif cmd == "/forget":
                    answer = console.input(f"forget everything about {_clean(agent.user_id)}? [y/N] ")
                    if answer.strip().lower() in ("y", "yes"):
                        n = agent.forget()
                        console.print(f"  forgotten: {n} memories and your conversations", style="dim")
                elif cmd == "/new":
                    agent.end_session()
                    console.print(f"  new session {_clean(agent.new_session())}", style="dim", markup=False)
                else:
                    console.print(
                        f"unknown command {_clean(cmd)}; /help lists them", style="yellow", markup=False
                    )
                continue
            if not stripped and not any(pending.values()):
                continue
            _run_turn(console, agent, line, pending)
            pending = {"image": None, "video": None, "audio": None}
    except KeyboardInterrupt:
        console.print()
    finally:
        agent.end_session()
        agent.close()
    return 0


def _show_memory(console: Any, agent: Any) -> None:
    if agent.memory is None:
        console.print("  memory is off for this agent", style="dim")
        return
    items = agent.memory.get(agent.user_id)
    if not items:
        console.print("  nothing remembered yet", style="dim")
        return
    for m in items[-12:]:
        text = m.text if len(m.text) <= 160 else m.text[:157] + "..."
        console.print(f"  {m.at:%Y-%m-%d %H:%M}  {m.kind:<7}  {_clean(text)}", markup=False)
    if len(items) > 12:
        console.print(f"  ... and {len(items) - 12} earlier (emotool memory show --user NAME)", style="dim")


def cmd_chat(args: argparse.Namespace) -> int:
    """Run ``emotool chat``."""
    if args.once is None and any((args.image, args.video, args.audio, args.json)):
        print("emotool: error: --image, --video, --audio and --json go with --once TEXT", file=sys.stderr)
        return 2
    if args.once is not None:
        return _once(args)
    return _repl(args)
