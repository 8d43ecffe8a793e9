"""Importing emotool and starting the CLI stay light: no torch, OpenCV or LangChain."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("torch", "cv2", "langchain_core", "matplotlib", "sentence_transformers")


def _loaded_after(stmt: str) -> set[str]:
    code = f"import sys; {stmt}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return set(out.split())


def test_import_emotool_is_light() -> None:
    loaded = _loaded_after("import emotool, emotool.schema, emotool.labels, emotool.errors, emotool.assets")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_cli_help_is_light() -> None:
    loaded = _loaded_after("import emotool.cli as c; import contextlib, io\n"
                           "try:\n  c.main(['--help'])\nexcept SystemExit: pass")
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_cli_help_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "emotool.cli", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for cmd in ("analyze", "models", "eval", "schema"):
        assert cmd in proc.stdout
