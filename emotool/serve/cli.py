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


def add_serve_commands(subparsers: Any) -> None:
    """Add ``emotool batch`` and ``emotool serve mcp|http`` to the CLI."""
    add_batch_command(subparsers)
