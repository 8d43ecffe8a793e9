"""Where emotool keeps its files, and the device/threads it runs on.

Everything that depends on the environment is decided here, once.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path


def home() -> Path:
    """emotool's data directory: ``$EMOTOOL_HOME`` or ``~/.cache/emotool``."""
    env = os.environ.get("EMOTOOL_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "emotool"


def models_dir() -> Path:
    """Where model assets are cached: ``$EMOTOOL_MODELS`` or ``<home>/models``."""
    env = os.environ.get("EMOTOOL_MODELS")
    return Path(env).expanduser() if env else home() / "models"


def cpu_threads() -> int:
    """Threads for CPU inference: ``$EMOTOOL_THREADS`` or the number of cores."""
    env = os.environ.get("EMOTOOL_THREADS")
    if env:
        return max(1, int(env))
    return max(1, os.cpu_count() or 1)


def torch_device(requested: str | None = None) -> str:
    """Choose the torch device: ``requested``, ``$EMOTOOL_DEVICE``, else CUDA if present, else CPU.

    A requested accelerator that is missing falls back to the CPU with a warning.
    """
    import torch

    want = requested or os.environ.get("EMOTOOL_DEVICE") or "auto"
    if want == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if want.startswith("cuda") and not torch.cuda.is_available():
        warnings.warn(f"device {want!r} requested but CUDA is not available; using the CPU", stacklevel=2)
        return "cpu"
    return want


_torch_ready = False


def init_torch() -> None:
    """Set torch's thread count once per process."""
    global _torch_ready
    if _torch_ready:
        return
    import torch

    torch.set_num_threads(cpu_threads())
    _torch_ready = True
