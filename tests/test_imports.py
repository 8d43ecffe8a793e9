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


def test_cli_help_does_not_even_load_numpy_or_pydantic() -> None:
    loaded = _loaded_after(
        "import emotool.cli as c\ntry:\n  c.main(['analyze', '--help'])\nexcept SystemExit: pass"
    )
    assert not loaded & {"numpy", "pydantic", *HEAVY}, loaded & {"numpy", "pydantic", *HEAVY}


def test_lazy_package_exports_are_the_functions_not_the_submodules() -> None:
    import emotool.speech.analyze  # noqa: F401  (importing submodules first must not shadow names)
    from emotool.backends import get_backend
    from emotool.speech import analyze_speech, transcribe

    assert callable(transcribe) and transcribe.__name__ == "transcribe"
    assert callable(analyze_speech) and callable(get_backend)


def test_cli_help_is_light() -> None:
    loaded = _loaded_after(
        "import emotool.cli as c; import contextlib, io\ntry:\n  c.main(['--help'])\nexcept SystemExit: pass"
    )
    assert not loaded & set(HEAVY), loaded & set(HEAVY)


def test_cli_help_runs() -> None:
    proc = subprocess.run([sys.executable, "-m", "emotool.cli", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for cmd in ("analyze", "models", "eval", "schema"):
        assert cmd in proc.stdout
