"""``Memory``: what an empathetic assistant remembers of past sessions, on Chroma.

Layout: one Chroma collection per user (named from a hash of the user id,
tagged with the id). A user's recall searches only their own HNSW index, so
its cost does not grow with other users, and isolation does not rest on a
filter. The alternative, one shared collection with a ``where`` filter on
``user_id``, was measured with ``benchmarks/bench_memory.py --compare-shared``:
at 100k memories its recall p95 was over 250 ms against about 20 ms here,
because Chroma resolves the metadata filter in SQLite before the vector search.

Ranking: the ``candidates`` nearest memories by cosine similarity are
re-scored as ``w_sim * similarity + w_rec * 0.5 ** (age / half_life) +
w_sal * salience``. A memory far from the query in meaning is therefore never
returned on recency or salience alone; raise ``candidates`` to widen the net.

Retention: reads hide memories older than ``retention_days`` at once; a write
deletes a user's expired memories at most once per ``purge_interval_s``, and
``purge_expired()`` deletes them everywhere.

Deletion: ``forget`` deletes through Chroma, so nothing is returned by any
query afterwards, in this process or after reopening. Chroma's SQLite file can
keep the bytes of deleted rows in free pages and in its write-ahead log until
they are reused or compacted: ``Memory.vacuum()`` (``chroma vacuum``) removes them.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidInput, MemoryStoreError, missing_extra
from ..limits import MAX_MEMORY_TEXT, MAX_QUERY_TEXT, check_text
from .codec import from_meta, hits_of, query_nearest, to_meta, where_of
from .models import (
    Affect,
    Kind,
    MemoryConfig,
    MemoryExport,
    MemoryItem,
    NewMemory,
    Recalled,
    RecallWeights,
    SessionInfo,
    normalize_user_id,
    salience_of,
    to_datetime,
)
from .redaction import redact, redact_value

if TYPE_CHECKING:
    from ._chroma import Embedder, Store
    from .retriever import MemoryRetriever

_BATCH = 1000
_DAY = 86400.0


def _user_collection(namespace: str, user_id: str) -> str:
    """The collection that holds ``user_id``'s memories (the hash keeps any id a valid, opaque name)."""
    return f"{namespace}-u-{hashlib.sha256(user_id.encode()).hexdigest()[:40]}"


class Memory:
    """A Chroma-backed memory of past sessions, one collection per user.

    Per-user isolation is enforced in one place, :meth:`_scope`: every read and
    write of a user's memories goes through it, it picks that user's own
    collection, and it checks that each memory read back belongs to that user.

    User ids are normalised (:func:`~emotool.memory.models.normalize_user_id`): Unicode
    NFKC and surrounding white space removed, so ``"ana"`` and ``"ana "`` are one user.
    Case is kept (``"Ana"`` and ``"ana"`` are two users): ids belong to the host
    application, and folding case could merge two people's memories.

    Args:
        config: Options; defaults read ``$EMOTOOL_MEMORY_PATH`` and ``$EMOTOOL_MEMORY_URL``.
        embedder: ``texts -> (n, d)`` L2-normalised float32 array; default: emotool's
            embedded all-MiniLM-L6-v2 (tests pass a deterministic fake).
        **options: Any :class:`MemoryConfig` field, overriding ``config`` (``path=``, ``url=``,
            ``retention_days=``, ``weights=``, ``redact=``, ...).

    Example:
        >>> mem = Memory(path="my-memory")                                  # doctest: +SKIP
        >>> mem.remember("My exam is on Friday", user_id="ana", session_id="s1")  # doctest: +SKIP
        >>> [r.memory.text for r in mem.recall("how are the exams going?", user_id="ana")]  # doctest: +SKIP
    """

    def __init__(
        self, config: MemoryConfig | None = None, *, embedder: Embedder | None = None, **options: Any
    ) -> None:
        base = config.model_dump() if config is not None else {}
        base.update(options)
        self.config = MemoryConfig.model_validate(base)
        try:
            from . import _chroma
        except ImportError as exc:
            raise missing_extra("chromadb", "memory") from exc
        model = "custom" if embedder is not None else _chroma.DEFAULT_MODEL
        self._embedder = embedder
        self._ef = _chroma.EmotoolEmbeddingFunction(model=model, embedder=embedder)
        self._store: Store
        if self.config.url:
            self._store = _chroma.ServerStore(self.config.url, self._ef)
        else:
            self._store = _chroma.EmbeddedStore(self.config.path, self._ef, self.config.lock_timeout_s)
        self._store.hnsw = dict(self.config.hnsw)
        self._last_purge: dict[str, float] = {}

    # ------------------------------------------------------------------ plumbing

    def close(self) -> None:
        """Release the store (the embedded store's file lock and Chroma client)."""
        self._store.close()

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        where = self.config.url or str(self.config.path)
        return f"Memory({where!r}, namespace={self.config.namespace!r})"

    def _embed(self, texts: list[str]) -> np.ndarray:
        if self._embedder is None:
            from ._chroma import default_embedder

            self._embedder = default_embedder()
        out = np.asarray(self._embedder(texts), dtype=np.float32)
        if out.ndim != 2 or out.shape[0] != len(texts):
            raise MemoryStoreError(f"the embedder returned shape {out.shape} for {len(texts)} texts")
        return out

    @contextlib.contextmanager
    def _scope(self, user_id: str, *, write: bool) -> Any:
        """The one gate to a user's memories: yields that user's collection (None if they have none).

        Everything that reads or writes a user's memories goes through here; the
        collection is the user's own and ``_check_owner`` verifies what comes back.
        """
        user_id = normalize_user_id(user_id)
        name = _user_collection(self.config.namespace, user_id)
        with self._store.op(write) as client:
            col = self._store.collection(client, name, create=write, user_id=user_id)
            if col is not None:
                owner = (col.metadata or {}).get("emotool_user")
                if owner != user_id:
                    raise MemoryStoreError(
                        f"collection {name} belongs to {owner!r}, not the requested user; refusing to use it"
                    )
            yield col

    @staticmethod
    def _check_owner(user_id: str, metas: Sequence[dict[str, Any] | None]) -> None:
        for m in metas:
            if (m or {}).get("user_id") != user_id:
                raise MemoryStoreError("the store returned a memory of another user; refusing to return it")

    def _cutoff(self, now: float) -> float | None:
        days = self.config.retention_days
        return now - days * _DAY if days else None

    # ------------------------------------------------------------------ writing

    def remember(
        self,
        text: str,
        *,
        user_id: str,
        session_id: str,
        at: datetime | float | None = None,
        kind: Kind = "turn",
        role: str | None = None,
        emotions: Iterable[Any] = (),
        metadata: dict[str, Any] | None = None,
        salience: float | None = None,
        memory_id: str | None = None,
    ) -> MemoryItem:
        """Store one conversation turn, session summary or note.

        When this returns, the memory is committed: it survives the process being killed.

        Args:
            text: What was said or what happened.
            user_id: Whose memory it is.
            session_id: The session it belongs to.
            at: When it happened (datetime, naive = UTC, or epoch seconds); default now.
            kind: ``"turn"``, ``"summary"`` or ``"note"``.
            role: Who spoke (``"user"``, ``"assistant"``, ...).
            emotions: Readings of that moment: :class:`Affect`, emotool readings (face/video),
                or any object with ``label``/``valence``/``arousal``/``confidence``.
            metadata: Free JSON-serialisable metadata.
            salience: Emotional salience in [0, 1]; computed from ``emotions`` when None.
            memory_id: A stable id (writing the same id again replaces it); random when None.

        Returns:
            The stored memory (text after redaction, with its id).

        Raises:
            InputTooLong: ``text`` is over ``emotool.limits.MAX_MEMORY_TEXT`` (20,000) characters.
        """
        affects = [Affect.from_reading(e) for e in emotions]
        item = NewMemory(
            text=text,
            user_id=normalize_user_id(user_id),
            session_id=session_id,
            at=to_datetime(at),
            kind=kind,
            role=role,
            emotions=affects,
            metadata=metadata or {},
            salience=salience,
            memory_id=memory_id,
        )
        return self.remember_many([item])[0]

    def remember_many(self, items: Iterable[NewMemory | dict[str, Any]]) -> list[MemoryItem]:
        """Store many memories at once (embedded in batches); same guarantees as :meth:`remember`.

        Args:
            items: :class:`NewMemory` objects or dicts of their fields.

        Returns:
            The stored memories, in the given order.
        """
        news = [i if isinstance(i, NewMemory) else NewMemory.model_validate(i) for i in items]
        if not news:
            return []
        for n in news:  # before redaction and embedding, which cost in proportion to the text
            check_text(n.text, "a memory's text", MAX_MEMORY_TEXT, "store a summary, or split it into turns")
        stored = [self._prepare(n) for n in news]
        vectors = np.concatenate(
            [self._embed([m.text for m in stored[s : s + 256]]) for s in range(0, len(stored), 256)]
        )
        by_user: dict[str, list[int]] = {}
        for i, m in enumerate(stored):
            by_user.setdefault(m.user_id, []).append(i)
        for user_id, idx in by_user.items():
            with self._scope(user_id, write=True) as col:
                for s in range(0, len(idx), _BATCH):
                    part = idx[s : s + _BATCH]
                    col.upsert(
                        ids=[stored[i].id for i in part],
                        embeddings=vectors[part],
                        documents=[stored[i].text for i in part],
                        metadatas=[to_meta(stored[i]) for i in part],
                    )
            self._maybe_purge(user_id)
        return stored

    def _prepare(self, n: NewMemory) -> MemoryItem:
        text, meta = n.text, n.metadata
        changed = False
        if self.config.redact:
            text, meta = redact(n.text), redact_value(n.metadata)
            changed = text != n.text or meta != n.metadata
        try:
            json.dumps(meta)
        except (TypeError, ValueError) as exc:
            raise ValueError(
                f"memory metadata must be JSON-serialisable (str, numbers, lists, dicts): {exc}"
            ) from exc
        sal = n.salience if n.salience is not None else salience_of(n.emotions)
        return MemoryItem(
            id=n.memory_id or uuid.uuid4().hex,
            user_id=n.user_id,
            session_id=n.session_id,
            text=text,
            at=n.at,
            kind=n.kind,
            role=n.role,
            emotions=n.emotions,
            salience=sal,
            metadata=meta,
            redacted=changed,
        )

    # ------------------------------------------------------------------ reading

    def recall(
        self,
        query: str,
        user_id: str,
        k: int = 5,
        *,
        weights: RecallWeights | dict[str, float] | None = None,
        session_id: str | None = None,
        kind: Kind | None = None,
        now: datetime | float | None = None,
    ) -> list[Recalled]:
        """The ``k`` most useful memories of ``user_id`` for ``query``.

        The ``config.candidates`` nearest memories by meaning are re-ranked by
        ``weights``: similarity (1 - cosine distance), recency (halves every
        ``recency_half_life_days``) and emotional salience. Expired memories are never returned.

        Args:
            query: What to remember about (embedded with the same model as the memories).
            user_id: Whose memories to search; no other user's memory is ever returned.
            k: How many to return.
            weights: Overrides ``config.weights`` for this call.
            session_id: Only this session.
            kind: Only this kind (``"turn"``, ``"summary"``, ``"note"``).
            now: The time recency is measured from (default now).

        Returns:
            Best first, each with its score and the three components.
        """
        check_text(query, "the recall query", MAX_QUERY_TEXT, "ask with a shorter query")
        user_id = normalize_user_id(user_id)
        if k < 1:
            return []
        w = (
            RecallWeights.model_validate(weights)
            if isinstance(weights, dict)
            else (weights or self.config.weights)
        )
        ws, wr, we = w.normalised()
        now_ts = to_datetime(now).timestamp()
        cutoff = self._cutoff(now_ts)
        qvec = self._embed([query])
        n = max(k, self.config.candidates)
        where: list[dict[str, Any]] = []
        if session_id is not None:
            where.append({"session_id": session_id})
        if kind is not None:
            where.append({"kind": kind})
        with self._scope(user_id, write=False) as col:
            if col is None:
                return []
            res = query_nearest(col, qvec, n, where)
            hits = hits_of(res)
            if cutoff is not None:
                fresh = [h for h in hits if h[2]["at"] >= cutoff]
                if len(fresh) < len(hits) == n:  # expired ones crowded out some: ask Chroma to filter
                    hits = hits_of(query_nearest(col, qvec, n, [*where, {"at": {"$gte": cutoff}}]))
                else:
                    hits = fresh
            self._check_owner(user_id, [h[2] for h in hits])
        half = self.config.recency_half_life_days * _DAY
        out = []
        for mid, doc, meta, dist in hits:
            sim = min(1.0, max(0.0, 1.0 - float(dist)))
            age = max(0.0, now_ts - float(meta["at"]))
            rec = math.pow(0.5, age / half)
            sal = float(meta.get("salience", 0.0))
            out.append(
                Recalled(
                    memory=from_meta(mid, doc, meta),
                    score=ws * sim + wr * rec + we * sal,
                    similarity=sim,
                    recency=rec,
                    salience=sal,
                )
            )
        out.sort(key=lambda r: (-r.score, -r.memory.at.timestamp(), r.memory.id))
        return out[:k]

    def get(
        self,
        user_id: str,
        *,
        session_id: str | None = None,
        kind: Kind | None = None,
        now: datetime | float | None = None,
    ) -> list[MemoryItem]:
        """Every unexpired memory of ``user_id`` (optionally one session or kind), oldest first."""
        user_id = normalize_user_id(user_id)
        cutoff = self._cutoff(to_datetime(now).timestamp())
        conds: list[dict[str, Any]] = []
        if session_id is not None:
            conds.append({"session_id": session_id})
        if kind is not None:
            conds.append({"kind": kind})
        with self._scope(user_id, write=False) as col:
            if col is None:
                return []
            res = col.get(where=where_of(conds), include=["documents", "metadatas"])
            metas = res["metadatas"] or []
            self._check_owner(user_id, metas)
        items = [
            from_meta(i, d, m)
            for i, d, m in zip(res["ids"], res["documents"] or [], metas, strict=True)
            if cutoff is None or m["at"] >= cutoff
        ]
        items.sort(key=lambda m: (m.at, m.id))
        return items

    def count(self, user_id: str) -> int:
        """How many memories ``user_id`` has stored (expired ones not yet purged included)."""
        with self._scope(user_id, write=False) as col:
            return 0 if col is None else int(col.count())

    def sessions(self, user_id: str) -> list[SessionInfo]:
        """The sessions of ``user_id``, most recent first."""
        groups: dict[str, list[MemoryItem]] = {}
        for m in self.get(user_id):
            groups.setdefault(m.session_id, []).append(m)
        out = []
        for sid, ms in groups.items():
            summaries = [m for m in ms if m.kind == "summary"]
            out.append(
                SessionInfo(
                    session_id=sid,
                    first_at=ms[0].at,
                    last_at=ms[-1].at,
                    turns=sum(m.kind == "turn" for m in ms),
                    memories=len(ms),
                    summary=summaries[-1].text if summaries else None,
                )
            )
        out.sort(key=lambda s: s.last_at, reverse=True)
        return out

    def users(self) -> list[str]:
        """Every user with a collection in this store (this namespace)."""
        prefix = f"{self.config.namespace}-u-"
        users = []
        with self._store.op(write=False) as client:
            for name in self._store.list_names(client, prefix):
                col = self._store.collection(client, name, create=False, user_id="")
                if col is not None and (col.metadata or {}).get("emotool_user"):
                    users.append(str(col.metadata["emotool_user"]))
        return sorted(users)

    def export(self, user_id: str) -> MemoryExport:
        """Everything stored for ``user_id`` (``.model_dump_json()`` gives the JSON)."""
        user_id = normalize_user_id(user_id)
        return MemoryExport(
            user_id=user_id, exported_at=datetime.now(timezone.utc), memories=self.get(user_id)
        )

    # ------------------------------------------------------------------ forgetting

    def forget(self, user_id: str | None = None, *, session_id: str | None = None) -> int:
        """Delete one user's memories for good.

        ``forget(user_id)`` deletes everything of that user (their collection);
        ``forget(user_id, session_id=...)`` only that user's session. The user is required:
        deleting a session id across every user is :meth:`forget_session_all_users`, an
        explicitly named administrative call.

        Returns:
            How many memories were deleted.

        Raises:
            InvalidInput: no (or an empty) ``user_id``.
        """
        if user_id is None:
            raise InvalidInput(
                "forget needs the user_id whose memories to delete: forget(user_id) or "
                "forget(user_id, session_id=...); to delete a session of every user, call "
                "forget_session_all_users(session_id) (an administrative operation)"
            )
        user_id = normalize_user_id(user_id)
        if session_id is None:
            name = _user_collection(self.config.namespace, user_id)
            with self._scope(user_id, write=False) as col:
                if col is None:
                    return 0
                n = int(col.count())
                with self._store.op(write=True) as client:
                    self._store.drop(client, name)
            self._last_purge.pop(user_id, None)
            return n
        return self._delete_where(user_id, {"session_id": session_id})

    def forget_session_all_users(self, session_id: str) -> int:
        """Administrative: delete the session ``session_id`` of every user in this store.

        Session ids are chosen by the application and need not be unique across users, so
        this can delete other people's memories; use :meth:`forget` with a user for one user.

        Returns:
            How many memories were deleted, over all users.
        """
        if not isinstance(session_id, str) or not session_id:
            raise InvalidInput("session_id must be a non-empty string")
        return sum(self._delete_where(u, {"session_id": session_id}) for u in self.users())

    def _delete_where(self, user_id: str, where: dict[str, Any]) -> int:
        with self._scope(user_id, write=False) as col:
            if col is None:
                return 0
            ids = col.get(where=where, include=[])["ids"]
        if not ids:
            return 0
        with self._scope(user_id, write=True) as col:
            for s in range(0, len(ids), _BATCH):
                col.delete(ids=ids[s : s + _BATCH])
        return len(ids)

    def vacuum(self) -> None:
        """Compact the embedded store so that forgotten text leaves no bytes on disk.

        ``forget`` already makes memories unretrievable; SQLite may still hold the
        deleted bytes in free pages, and Chroma's index files stale bytes in their
        unused slots, until this runs: it compacts SQLite (``chroma vacuum``) and
        rewrites every index in a fresh process, so it takes time in proportion to the
        store. Other processes using the store wait meanwhile. A process that once
        held forgotten text can write stale bytes of it into an index when it next
        saves one: for byte-level erasure, vacuum last (or from a fresh process). A
        Chroma server manages its own storage: run ``chroma vacuum --path DIR`` there
        while it is stopped.
        """
        vac = getattr(self._store, "vacuum", None)
        if vac is None:
            raise MemoryStoreError(
                "vacuum works on the embedded store only; stop the Chroma server and run "
                "`chroma vacuum --path DIR --force` on its folder"
            )
        vac()

    def purge_expired(self, user_id: str | None = None, now: datetime | float | None = None) -> int:
        """Delete memories older than the retention period (of one user, or of all); returns how many."""
        cutoff = self._cutoff(to_datetime(now).timestamp())
        if cutoff is None:
            return 0
        users = [normalize_user_id(user_id)] if user_id is not None else self.users()
        n = 0
        for u in users:
            n += self._delete_where(u, {"at": {"$lt": cutoff}})
            self._last_purge[u] = time.monotonic()
        return n

    def _maybe_purge(self, user_id: str) -> None:
        if not self.config.retention_days:
            return
        last = self._last_purge.get(user_id)
        if last is None or time.monotonic() - last >= self.config.purge_interval_s:
            self.purge_expired(user_id)

    # ------------------------------------------------------------------ helpers for agents

    def remember_session(
        self, user_id: str, session_id: str, *, llm: Any = None, max_sentences: int = 3
    ) -> MemoryItem:
        """Summarise a finished session into one ``summary`` memory (see :func:`summarize_session`).

        Its time is the session's last turn, its salience the session's highest.
        """
        from .summary import summarize_session

        user_id = normalize_user_id(user_id)
        turns = [m for m in self.get(user_id, session_id=session_id) if m.kind == "turn"]
        if not turns:
            raise ValueError(f"session {session_id!r} of this user has no turns to summarise")
        text = summarize_session(turns, llm=llm, max_sentences=max_sentences)
        strongest = max(turns, key=lambda m: m.salience)
        return self.remember(
            text,
            user_id=user_id,
            session_id=session_id,
            at=turns[-1].at,
            kind="summary",
            emotions=strongest.emotions,
            salience=strongest.salience,
            metadata={"turns": len(turns), "summarizer": "llm" if llm is not None else "extractive"},
            memory_id=f"summary-{hashlib.sha256(session_id.encode()).hexdigest()[:24]}",
        )

    def as_retriever(self, user_id: str, k: int = 4, **kwargs: Any) -> MemoryRetriever:
        """A LangChain ``BaseRetriever`` over ``user_id``'s memories."""
        from .retriever import MemoryRetriever

        return MemoryRetriever(memory=self, user_id=normalize_user_id(user_id), k=k, **kwargs)
