"""How a memory is laid out in Chroma (document, scalar metadata) and read back."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from .models import Affect, MemoryItem, to_datetime


def to_meta(m: MemoryItem) -> dict[str, Any]:
    return {
        "user_id": m.user_id,
        "session_id": m.session_id,
        "at": m.at.timestamp(),
        "kind": m.kind,
        "role": m.role or "",
        "salience": float(m.salience),
        "label": _dominant(m.emotions),
        "emotions": json.dumps([a.model_dump(exclude_none=True) for a in m.emotions]),
        "meta": json.dumps(m.metadata),
        "redacted": m.redacted,
    }


def _dominant(affects: list[Affect]) -> str:
    best = max((a for a in affects if a.label), key=lambda a: a.confidence, default=None)
    return best.label if best is not None and best.label else ""


def from_meta(mid: str, doc: str | None, meta: dict[str, Any]) -> MemoryItem:
    return MemoryItem(
        id=mid,
        user_id=meta["user_id"],
        session_id=meta["session_id"],
        text=doc or "",
        at=to_datetime(float(meta["at"])),
        kind=meta["kind"],
        role=meta.get("role") or None,
        emotions=[Affect.model_validate(a) for a in json.loads(meta.get("emotions") or "[]")],
        salience=float(meta.get("salience", 0.0)),
        metadata=json.loads(meta.get("meta") or "{}"),
        redacted=bool(meta.get("redacted", False)),
    )


def where_of(conds: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not conds:
        return None
    return conds[0] if len(conds) == 1 else {"$and": conds}


def query_nearest(col: Any, qvec: np.ndarray, n: int, conds: list[dict[str, Any]]) -> dict[str, Any]:
    return col.query(
        query_embeddings=qvec,
        n_results=n,
        where=where_of(conds),
        include=["documents", "metadatas", "distances"],
    )


def hits_of(res: dict[str, Any]) -> list[tuple[str, str, dict[str, Any], float]]:
    ids = res["ids"][0] if res["ids"] else []
    docs = res["documents"][0] if res.get("documents") else [None] * len(ids)
    metas = res["metadatas"][0] if res.get("metadatas") else [{}] * len(ids)
    dists = res["distances"][0] if res.get("distances") else [1.0] * len(ids)
    return list(zip(ids, docs, metas, dists, strict=True))
