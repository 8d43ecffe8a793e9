"""Where emotool keeps its files, and the device/threads it runs on.

Everything that depends on the environment is decided here, once.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any


def home() -> Path:
    """emotool's data directory: ``$EMOTOOL_HOME`` or ``~/.cache/emotool``."""
    env = os.environ.get("EMOTOOL_HOME")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "emotool"


def models_dir() -> Path:
    """Where model assets are cached: ``$EMOTOOL_MODELS`` or ``<home>/models``."""
    env = os.environ.get("EMOTOOL_MODELS")
    return Path(env).expanduser() if env else home() / "models"


def cpu_threads() -> int:
    """Threads for CPU inference: ``$EMOTOOL_THREADS``, else 1.

    The embedded models are small: on a 2-core machine one thread per process ran
    them as fast as two when the machine was idle, and 3-4x faster when other
    processes were busy (two threads then fight over the cores). Raise it for
    large models on many cores (e.g. the ``hf`` backend on a CPU).
    """
    return _threads_env("EMOTOOL_THREADS") or 1


def _threads_env(var: str) -> int | None:
    """A thread count from the environment (at least 1); None, with a warning, when not a number."""
    env = os.environ.get(var)
    if not env:
        return None
    try:
        return max(1, int(env))
    except ValueError:
        warnings.warn(f"{var}={env!r} is not a number; ignoring it", stacklevel=3)
        return None


def llm_threads() -> int:
    """Threads for the embedded chat model (llama.cpp): ``$EMOTOOL_LLM_THREADS``, else
    :func:`cpu_threads` (1 by default).

    llama.cpp's threads wait for each other at every layer, so when other processes
    hold the cores, two threads on a 2-core machine ran SmolLM2-135M at 4 tokens/s
    against 51 with one. Raise it on an idle machine with cores to spare.
    """
    return _threads_env("EMOTOOL_LLM_THREADS") or cpu_threads()


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


def ct2_device(requested: str | None = None) -> str:
    """Choose the CTranslate2 device (faster-whisper): ``requested``, ``$EMOTOOL_DEVICE``, else CUDA
    if CTranslate2 sees a GPU, else CPU. Does not import torch.

    A requested GPU that is missing falls back to the CPU with a warning.
    """
    want = requested or os.environ.get("EMOTOOL_DEVICE") or "auto"
    if want == "cpu":
        return "cpu"
    try:
        import ctranslate2

        gpus = ctranslate2.get_cuda_device_count()
    except Exception:  # no ctranslate2, or a broken CUDA install: the CPU still works
        gpus = 0
    if want == "auto":
        return "cuda" if gpus > 0 else "cpu"
    if want.startswith("cuda") and gpus == 0:
        warnings.warn(
            f"device {want!r} requested but CTranslate2 sees no CUDA GPU; using the CPU", stacklevel=2
        )
        return "cpu"
    return "cuda" if want.startswith("cuda") else want


#: Compute types CTranslate2 accepts for Whisper models.
COMPUTE_TYPES = (
    "default",
    "auto",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)


def compute_type(device: str, requested: str | None = None) -> str:
    """Numeric precision of the speech model: ``requested``, ``$EMOTOOL_COMPUTE_TYPE``, else ``int8``
    on the CPU (fastest there, same accuracy on Whisper) and ``float16`` on a GPU.
    """
    want = requested or os.environ.get("EMOTOOL_COMPUTE_TYPE") or ""
    if want:
        if want not in COMPUTE_TYPES:
            from .errors import UnknownName

            raise UnknownName("compute type", want, list(COMPUTE_TYPES))
        return want
    return "float16" if device.startswith("cuda") else "int8"


def torch_dtype(requested: str | None = None, device: str | None = None) -> Any:
    """Choose the torch dtype for a model: ``requested``, ``$EMOTOOL_DTYPE``, else by device.

    ``auto`` picks bfloat16 on a CUDA GPU that supports it, float16 on other
    GPUs, and float32 on the CPU (half precision on CPU is slow or unsupported).
    Asking for half precision on the CPU falls back to float32 with a warning.

    Args:
        requested: ``auto``, ``float32``/``fp32``, ``bfloat16``/``bf16`` or ``float16``/``fp16``.
        device: The device the model runs on (default :func:`torch_device`).

    Raises:
        ValueError: An unknown dtype name.
    """
    import torch

    names = {
        "float32": torch.float32,
        "fp32": torch.float32,
        "bfloat16": torch.bfloat16,
        "bf16": torch.bfloat16,
        "float16": torch.float16,
        "fp16": torch.float16,
    }
    want = (requested or os.environ.get("EMOTOOL_DTYPE") or "auto").lower()
    dev = device or torch_device()
    if want == "auto":
        if dev.startswith("cuda"):
            return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16
        return torch.float32
    if want not in names:
        raise ValueError(f"unknown dtype {want!r}; choose auto, float32, bfloat16 or float16")
    if dev == "cpu" and names[want] is not torch.float32:
        warnings.warn(f"dtype {want} requested on the CPU; using float32", stacklevel=2)
        return torch.float32
    return names[want]
