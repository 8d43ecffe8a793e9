"""The memory's behaviour against real Chroma: the same suite on the embedded store and on a server.

The server is a real ``chroma run`` started on 127.0.0.1 by the session fixture.
Embeddings come from a deterministic fake (hashed bag of words); the real
embedder has its own test in test_memory_unit.py.
"""

from __future__ import annotations

import itertools
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("chromadb", reason="needs the memory extra: pip install 'emotool[memory]'")

from emotool.errors import MemoryStoreError
from emotool.memory import Affect, Memory, NewMemory, RecallWeights
from emotool.memory.models import normalize_user_id
from emotool.memory.testing import chroma_server, hash_embed

_ns = itertools.count()
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="session")
def chroma_url(tmp_path_factory: pytest.TempPathFactory):
    with chroma_server(tmp_path_factory.mktemp("chroma-server") / "data") as url:
        yield url


@pytest.fixture(params=["embedded", "server"])
def open_memory(request: pytest.FixtureRequest, tmp_path: Path):
    """A factory of Memory objects on one fresh store (a fresh folder, or a fresh namespace on the server)."""
    ns = f"t{next(_ns)}"
    opened: list[Memory] = []
    if request.param == "server":
        url = request.getfixturevalue("chroma_url")

        def make(**kw):
            m = Memory(url=url, namespace=ns, embedder=hash_embed, **kw)
            opened.append(m)
            return m
    else:

        def make(**kw):
            m = Memory(path=tmp_path / "mem", url=None, namespace=ns, embedder=hash_embed, **kw)
            opened.append(m)
            return m

    make.backend = request.param  # type: ignore[attr-defined]
    yield make
    for m in opened:
        m.close()


def _fill(mem: Memory) -> None:
    mem.remember(
        "I have a maths exam on Friday and I am scared of failing",
        user_id="ana",
        session_id="s1",
        at=NOW - timedelta(days=10),
        role="user",
        emotions=[Affect(source="face", label="fear", valence=-0.7, arousal=0.8, confidence=0.9)],
    )
    mem.remember(
        "we went to the beach with my sister",
        user_id="ana",
        session_id="s1",
        at=NOW - timedelta(days=10),
        role="user",
    )
    mem.remember(
        "my dog Rex died and I miss him",
        user_id="ana",
        session_id="s2",
        at=NOW - timedelta(days=2),
        role="user",
        emotions=[Affect(source="voice", label="sadness", valence=-0.8, arousal=0.3, confidence=0.8)],
    )
    mem.remember(
        "the exam went fine in the end",
        user_id="ana",
        session_id="s2",
        at=NOW - timedelta(days=1),
        role="user",
    )
    mem.remember("my exam results came and I passed", user_id="bob", session_id="b1", at=NOW, role="user")


def test_remember_recall_ranks_by_similarity(open_memory) -> None:
    mem = open_memory()
    _fill(mem)
    hits = mem.recall("my dog Rex", "ana", k=2, now=NOW)
    assert hits[0].memory.text == "my dog Rex died and I miss him"
    assert hits[0].memory.emotions[0].label == "sadness"
    assert all(h.memory.user_id == "ana" for h in hits)
    assert hits[0].score >= hits[1].score
    assert 0 <= hits[0].similarity <= 1 and 0 <= hits[0].recency <= 1


def test_weights_change_the_ranking(open_memory) -> None:
    mem = open_memory()
    _fill(mem)
    q = "exam"
    by_recency = mem.recall(q, "ana", k=4, now=NOW, weights={"similarity": 0, "recency": 1, "salience": 0})
    assert by_recency[0].memory.text == "the exam went fine in the end"
    by_salience = mem.recall(
        q, "ana", k=4, now=NOW, weights=RecallWeights(similarity=0, recency=0, salience=1)
    )
    assert by_salience[0].memory.text.startswith("I have a maths exam")
    assert by_salience[0].salience == pytest.approx(0.9 * 0.75)


def test_filters_sessions_export(open_memory) -> None:
    mem = open_memory()
    _fill(mem)
    assert {h.memory.session_id for h in mem.recall("exam", "ana", k=9, session_id="s1")} == {"s1"}
    sessions = mem.sessions("ana")
    assert [s.session_id for s in sessions] == ["s2", "s1"]
    assert sessions[0].turns == 2 and sessions[0].last_at == NOW - timedelta(days=1)
    exp = json.loads(mem.export("ana").model_dump_json())
    assert exp["user_id"] == "ana" and len(exp["memories"]) == 4
    assert {m["user_id"] for m in exp["memories"]} == {"ana"}
    assert mem.users() == ["ana", "bob"]
    assert mem.recall("anything", "nobody") == [] and mem.sessions("nobody") == []


def test_idempotent_ids_and_metadata(open_memory) -> None:
    mem = open_memory()
    mem.remember("first", user_id="u", session_id="s", memory_id="m1", metadata={"topic": "x", "n": [1, 2]})
    mem.remember("second", user_id="u", session_id="s", memory_id="m1")
    items = mem.get("u")
    assert [(m.id, m.text) for m in items] == [("m1", "second")]
    batch = mem.remember_many([NewMemory(text=f"t{i}", user_id="u", session_id="s2") for i in range(30)])
    assert len({m.id for m in batch}) == 30 and mem.count("u") == 31
    with pytest.raises(ValueError, match="JSON"):
        mem.remember("x", user_id="u", session_id="s", metadata={"bad": object()})


def test_redaction_before_storing(open_memory) -> None:
    mem = open_memory()
    m = mem.remember(
        "write to ana.lopez@example.org or call +44 20 7946 0958",
        user_id="ana",
        session_id="s",
        metadata={"note": "backup 555-123-4567"},
    )
    assert m.redacted and "[EMAIL]" in m.text and "[PHONE]" in m.text
    stored = mem.export("ana").model_dump_json()
    assert "example.org" not in stored and "7946" not in stored and "555-123" not in stored
    raw = open_memory(redact=False).remember("mail me at bo@example.com", user_id="bo", session_id="s")
    assert raw.text.endswith("bo@example.com") and not raw.redacted


def test_forget_user_and_session_also_after_reopen(open_memory) -> None:
    mem = open_memory()
    _fill(mem)
    assert mem.forget("ana", session_id="s1") == 2
    assert all(h.memory.session_id != "s1" for h in mem.recall("exam beach", "ana", k=10))
    assert mem.forget("bob") == 1
    assert mem.recall("exam results", "bob", k=10) == [] and mem.get("bob") == []
    mem.close()
    again = open_memory()
    assert again.get("bob") == [] and again.users() == ["ana"]
    assert {m.session_id for m in again.get("ana")} == {"s2"}
    assert all("beach" not in h.memory.text for h in again.recall("beach sister", "ana", k=10))
    assert again.forget("ana") == 2 and again.users() == [] and again.forget("ana") == 0
    with pytest.raises(ValueError, match="user_id"):
        again.forget()


def test_retention_hides_then_purges(open_memory) -> None:
    now = datetime.now(timezone.utc)
    keep_all = open_memory()
    keep_all.remember("an old worry about money", user_id="cy", session_id="old", at=now - timedelta(days=8))
    keep_all.remember("a new worry about money", user_id="cy", session_id="new", at=now - timedelta(days=1))
    keep_all.close()
    mem = open_memory(retention_days=7)
    hits = mem.recall("worry about money", "cy", k=5)
    assert [h.memory.session_id for h in hits] == ["new"]
    assert [m.session_id for m in mem.get("cy")] == ["new"]
    assert mem.count("cy") == 2  # hidden, not yet deleted
    assert mem.purge_expired() == 1
    assert mem.count("cy") == 1
    eager = open_memory(retention_days=7, purge_interval_s=0)
    eager.remember(
        "writing purges expired memories", user_id="cy", session_id="new", at=now - timedelta(days=9)
    )
    assert eager.count("cy") == 1  # a write purges (at most once per purge_interval_s per user)


def test_retriever_and_session_summary(open_memory) -> None:
    mem = open_memory()
    _fill(mem)
    docs = mem.as_retriever("ana", k=2).invoke("my dog Rex")
    assert docs[0].page_content.startswith('<data label="memory">my dog Rex')
    assert docs[0].metadata["session_id"] == "s2"
    assert docs[0].metadata["emotion"] == "sadness"
    summary = mem.remember_session("ana", "s2")
    assert summary.kind == "summary" and summary.salience == pytest.approx(0.8 * 0.55)
    assert mem.sessions("ana")[0].summary == summary.text
    assert mem.remember_session("ana", "s2").id == summary.id  # summarising again replaces it
    assert len(mem.get("ana", kind="summary")) == 1


def test_isolation_refuses_foreign_collection(open_memory) -> None:
    """A collection whose owner tag does not match is refused, never read."""
    mem = open_memory()
    mem.remember("mine", user_id="ana", session_id="s")
    from emotool.memory.store import _user_collection

    name = _user_collection(mem.config.namespace, "ana")
    with mem._store.op(write=True) as client:
        client.get_collection(name).modify(metadata={"emotool_user": "mallory", "emotool_format": 1})
    mem._store._collections.clear()
    with pytest.raises(MemoryStoreError, match="belongs to"):
        mem.recall("mine", "ana")


USERS = st.sampled_from(["ana", "Ana", "ana ", "bob", "b\u00f6b", "x" * 40, "u-1", "u_1"])
WORDS = st.sampled_from(["exam", "dog", "sister", "money", "sleep", "work", "friday", "scared", "happy"])
OPS = st.lists(
    st.one_of(
        st.tuples(st.just("remember"), USERS, st.lists(WORDS, min_size=1, max_size=4)),
        st.tuples(st.just("recall"), USERS, st.lists(WORDS, min_size=1, max_size=3)),
        st.tuples(st.just("forget"), USERS, st.just([])),
    ),
    min_size=1,
    max_size=14,
)


@pytest.mark.parametrize("backend", ["embedded", "server"])
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_property_no_user_sees_another_users_memories(backend: str, ops, request, tmp_path_factory) -> None:
    if backend == "server":
        mem = Memory(
            url=request.getfixturevalue("chroma_url"), namespace=f"p{next(_ns)}", embedder=hash_embed
        )
    else:
        mem = Memory(path=tmp_path_factory.mktemp("prop"), url=None, embedder=hash_embed)
    model: dict[str, set[str]] = {}  # by normalised id: "ana " is "ana", "Ana" is not
    try:
        for i, (op, user, words) in enumerate(ops):
            uid = normalize_user_id(user)
            if op == "remember":
                m = mem.remember(" ".join(words), user_id=user, session_id=f"s{i % 3}")
                model.setdefault(uid, set()).add(m.id)
            elif op == "forget":
                mem.forget(user)
                model.pop(uid, None)
            else:
                hits = mem.recall(" ".join(words), user, k=50)
                assert all(h.memory.user_id == uid for h in hits)
                assert {h.memory.id for h in hits} == model.get(uid, set())  # sound and complete
        for user in set(model) | {"ana", "bob"}:
            assert {m.id for m in mem.get(user)} == model.get(user, set())
    finally:
        mem.close()


def test_another_handle_forgets_then_this_one_writes(open_memory) -> None:
    """A user forgotten through another handle (another process on a server) is recreated cleanly."""
    a, b = open_memory(), open_memory()
    a.remember("before the forget", user_id="ana", session_id="s1")
    assert [m.text for m in b.get("ana")] == ["before the forget"]
    assert b.forget("ana") == 1
    a.remember("after the forget", user_id="ana", session_id="s2")
    assert [m.text for m in a.get("ana")] == ["after the forget"]
    assert [h.memory.text for h in b.recall("forget", "ana", k=5)] == ["after the forget"]


def test_forget_then_vacuum_leaves_no_bytes_on_disk(tmp_path: Path) -> None:
    store = tmp_path / "mem"
    with Memory(path=store, url=None, embedder=hash_embed) as mem:
        mem.remember("zebracornflake is my secret", user_id="u", session_id="s")
        mem.remember("something to keep", user_id="v", session_id="s")
        assert mem.forget("u") == 1
        mem.vacuum()
        # checked as vacuum leaves the store: later saves of the remaining users' index
        # files by this same process may write uncleared memory (see EmbeddedStore.vacuum)
        leftovers = [p for p in store.rglob("*") if p.is_file() and b"zebracornflake" in p.read_bytes()]
        assert not leftovers
        assert [m.text for m in mem.get("v")] == ["something to keep"]  # still usable after


async def test_async_retriever_and_llm_session_summary(open_memory) -> None:
    from langchain_core.language_models.fake_chat_models import FakeListChatModel

    mem = open_memory()
    _fill(mem)
    docs = await mem.as_retriever("ana", k=1).ainvoke("my dog Rex")
    assert docs[0].metadata["session_id"] == "s2"
    llm = FakeListChatModel(responses=["Ana grieves her dog Rex; the exam went fine."])
    summary = mem.remember_session("ana", "s2", llm=llm)
    assert summary.text == "Ana grieves her dog Rex; the exam went fine."
    assert summary.metadata == {"turns": 2, "summarizer": "llm"}
    assert mem.recall("grieving Rex", "ana", k=1, kind="summary")[0].memory.id == summary.id
