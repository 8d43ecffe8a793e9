"""The ``emotool batch`` and ``emotool serve`` commands: argparse only here, the work is imported on use."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def add_batch_command(subparsers: Any) -> None:
    """Add ``emotool batch`` to the CLI."""
    b = subparsers.add_parser(
        "batch",
        help="read every image, video and audio file of folders or lists into a JSONL file (resumable)",
    )
    b.add_argument("inputs", nargs="+", metavar="DIR|LIST", help="folders, media files or list files")
    b.add_argument("--out", type=Path, required=True, help="the JSONL file (appended; done files skipped)")
    b.add_argument("--engine", default="local", help="local (processes) or ray (default local)")
    b.add_argument("--workers", type=int, default=1, help="worker processes or Ray actors (default 1)")
    b.add_argument("--address", default=None, help="Ray cluster address (ray://host:10001 or auto)")
    b.add_argument("--fps", type=float, default=None, help="video frames analysed per second (default 2)")
    b.add_argument("--detector", default="auto", help="face detector: auto, mtcnn, haar")
    b.add_argument("--classifier", default="ensemble", help="ensemble, mini_xception, cnn48")
    b.add_argument("--retry-errors", action="store_true", help="redo files recorded as errors")
    b.add_argument("--no-progress", action="store_true", help="no progress bar")
    b.set_defaults(func=_batch)


def _batch(args: argparse.Namespace) -> int:
    from .batch import batch_cli

    return batch_cli(args)


def _common_serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--allow-root",
        action="append",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder clients' paths may point into (repeatable; default: the working directory)",
    )
    p.add_argument("--user", default=None, help="serve this user only (default: clients name the user)")
    p.add_argument("--agent", default="companion", help="agent spec of chat (default companion)")
    p.add_argument("--model", default=None, help="chat model (default: the embedded one)")
    p.add_argument("--base-url", default=None, help="an OpenAI-compatible server for --model")
    p.add_argument("--no-memory", action="store_true", help="no memory tools, chat remembers nothing")
    p.add_argument("--memory-path", type=Path, default=None, help="embedded memory store folder")
    p.add_argument("--memory-url", default=None, help="a Chroma server for the memory")


def add_serve_commands(subparsers: Any) -> None:
    """Add ``emotool batch`` and ``emotool serve mcp|http`` to the CLI."""
    add_batch_command(subparsers)
    s = subparsers.add_parser("serve", help="serve emotool to other programs: an MCP server or an HTTP API")
    ssub = s.add_subparsers(dest="serve_command", required=True, metavar="KIND")
    m = ssub.add_parser("mcp", help="an MCP server (stdio for a local client, or streamable HTTP)")
    m.add_argument("--transport", choices=("stdio", "http"), default="stdio")
    m.add_argument("--host", default="127.0.0.1", help="HTTP address (loopback only; default 127.0.0.1)")
    m.add_argument("--port", type=int, default=8765, help="HTTP port (default 8765); path /mcp")
    _common_serve_args(m)
    m.set_defaults(func=_serve_mcp)
    h = ssub.add_parser("http", help="the HTTP API (FastAPI) with the web chat page at /")
    h.add_argument("--host", default="127.0.0.1", help="address (default 127.0.0.1; others need --token)")
    h.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    h.add_argument("--token", default=None, help="bearer token for /v1 (default $EMOTOOL_API_TOKEN)")
    h.add_argument("--rate-limit", type=int, default=120, help="requests a minute per client (0: none)")
    h.add_argument("--max-upload-mb", type=float, default=25.0, help="largest upload in MB (default 25)")
    _common_serve_args(h)
    h.set_defaults(func=_serve_http)


def _serve_http(args: argparse.Namespace) -> int:
    from .http import serve_http_cli

    return serve_http_cli(args)


def _serve_mcp(args: argparse.Namespace) -> int:
    from .mcp import serve_mcp_cli

    return serve_mcp_cli(args)
