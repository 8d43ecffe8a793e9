"""Memory hardening (issue 10): forget needs the user, user ids are normalised, read-only CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("chromadb")

from emotool.cli import main
from emotool.errors import InvalidInput
from emotool.memory import Memory
from emotool.memory.models import normalize_user_id
from emotool.memory.testing import hash_embed


@pytest.fixture
def mem(tmp_path: Path):  # type: ignore[no-untyped-def]
    m = Memory(path=tmp_path / "store", url=None, embedder=hash_embed)
    yield m
    m.close()


def test_forget_a_session_needs_the_user(mem: Memory) -> None:
    mem.remember("ana's first session", user_id="ana", session_id="s1")
    mem.remember("bob's first session", user_id="bob", session_id="s1")
    with pytest.raises(InvalidInput, match="forget_session_all_users"):
        mem.forget(session_id="s1")
    assert mem.count("ana") == 1 and mem.count("bob") == 1  # nothing was deleted
    assert mem.forget("ana", session_id="s1") == 1
    assert mem.count("ana") == 0 and mem.count("bob") == 1  # bob's s1 is untouched
    mem.remember("ana again", user_id="ana", session_id="s1")
    assert mem.forget_session_all_users("s1") == 2  # the explicit administrative call
    assert mem.users() == [] or all(mem.count(u) == 0 for u in mem.users())


def test_user_ids_are_normalised_case_kept(mem: Memory) -> None:
    mem.remember("first", user_id="ana", session_id="s1")
    mem.remember("second", user_id=" ana \t", session_id="s1")
    mem.remember("third", user_id="\uff41\uff4e\uff41", session_id="s1")  # full-width "ana" (NFKC)
    mem.remember("someone else", user_id="ANA", session_id="s1")
    assert sorted(m.text for m in mem.get("ana ")) == ["first", "second", "third"]
    assert [m.text for m in mem.get("ANA")] == ["someone else"]  # case is kept: another user
    assert sorted(mem.users()) == ["ANA", "ana"]
    assert all(m.user_id == "ana" for m in mem.get("ana"))
    assert mem.forget("  ana") == 3


@pytest.mark.parametrize("bad", ["", "   ", "a\x00b", "x" * 300])
def test_bad_user_ids_are_a_typed_error(mem: Memory, bad: str) -> None:
    with pytest.raises(InvalidInput):
        normalize_user_id(bad)
    with pytest.raises(InvalidInput):
        mem.remember("x", user_id=bad, session_id="s1")
    with pytest.raises(InvalidInput):
        mem.recall("x", bad)


def test_cli_empty_user_is_one_clean_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["memory", "list", "--user", "", "--path", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("emotool: error: user_id is empty")


@pytest.mark.parametrize("action", ["list", "show", "export"])
def test_cli_read_only_commands_create_no_store(
    tmp_path: Path, action: str, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "not-a-store"
    folder.mkdir()
    (folder / "holiday.jpg").write_bytes(b"x")
    assert main(["memory", action, "--user", "ana", "--path", str(folder)]) == 1
    assert "no memory store" in capsys.readouterr().err
    assert sorted(p.name for p in folder.iterdir()) == ["holiday.jpg"]  # nothing created
    missing = tmp_path / "nowhere"
    assert main(["memory", action, "--user", "ana", "--path", str(missing)]) == 1
    assert not missing.exists()


def test_cli_reads_an_existing_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    store = tmp_path / "store"
    with Memory(path=store, url=None, embedder=hash_embed) as m:
        m.remember("exam \x1b[31mtomorrow", user_id="ana", session_id="s1")
    assert main(["memory", "show", "--user", " ana", "--path", str(store)]) == 0
    out = capsys.readouterr().out
    assert "exam tomorrow" in out and "\x1b" not in out


def test_cli_default_store_absent_means_no_memories(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("EMOTOOL_MEMORY_PATH", str(tmp_path / "default"))
    monkeypatch.delenv("EMOTOOL_MEMORY_URL", raising=False)
    assert main(["memory", "list", "--user", "ana"]) == 0
    assert "no memories" in capsys.readouterr().out
    assert not (tmp_path / "default").exists()
