"""The memory with the real embedded sentence model (all-MiniLM-L6-v2) on a real Chroma store."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("chromadb", reason="needs the memory extra: pip install 'emotool[memory]'")

from emotool.memory import Memory, RecallWeights


@pytest.mark.real
def test_recall_finds_the_memory_that_means_the_same(tmp_path: Path) -> None:
    weights = RecallWeights(similarity=1.0, recency=0.0, salience=0.0)
    with Memory(path=tmp_path / "mem", url=None) as mem:  # default: the embedded MiniLM
        for i, text in enumerate(
            [
                "I am really nervous about my maths exam on Friday",
                "Our dog Rex died last month and the house feels empty",
                "We went hiking in the mountains and the weather was lovely",
            ]
        ):
            mem.remember(text, user_id="ana", session_id=f"s{i}")
        mem.remember("My pet passed away and I keep crying", user_id="ben", session_id="b1")

        hits = mem.recall("she is grieving her dog", "ana", k=3, weights=weights)
        assert hits[0].memory.text.startswith("Our dog Rex died")
        assert hits[0].similarity > hits[1].similarity
        assert all(h.memory.user_id == "ana" for h in hits)  # ben's similar memory never shows

        hits = mem.recall("worried about a test at school", "ana", k=1, weights=weights)
        assert "exam" in hits[0].memory.text
