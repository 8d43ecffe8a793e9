"""Rewrite every collection of an embedded store (run by ``vacuum`` in a fresh process).

Chroma's HNSW index files are written from memory that hnswlib allocates
without clearing, so their unused slots can carry stale bytes of whatever the
writing process held before, a forgotten memory's text included. ``vacuum``
therefore compacts SQLite first (the forgotten rows are then gone for good), then
runs this module in a new process, whose memory never held them, to rewrite each
collection's index from the rows that remain, and compacts SQLite again.

Usage (internal): ``python -m emotool.memory._rebuild PATH``
"""

from __future__ import annotations

import sys
from typing import Any

#: Rows copied per batch.
BATCH = 1000


def rebuild(path: str) -> int:
    """Recreate each collection under ``path`` with the same rows; returns how many were rebuilt."""
    import chromadb

    from ._chroma import EmotoolEmbeddingFunction, _settings

    client: Any = chromadb.PersistentClient(path=path, settings=_settings())
    names = [c.name for c in client.list_collections()]
    for name in names:
        col = client.get_collection(name, embedding_function=EmotoolEmbeddingFunction())
        rows: dict[str, list[Any]] = {"ids": [], "embeddings": [], "documents": [], "metadatas": []}
        while True:
            page: Any = col.get(
                include=["embeddings", "documents", "metadatas"], limit=BATCH, offset=len(rows["ids"])
            )
            if not page["ids"]:
                break
            for key in rows:
                rows[key].extend(list(page[key]))
        hnsw = dict((col.configuration or {}).get("hnsw") or {})
        metadata = dict(col.metadata or {})
        client.delete_collection(name)
        fresh = client.create_collection(
            name,
            embedding_function=EmotoolEmbeddingFunction(),
            configuration={"hnsw": hnsw},
            metadata=metadata,
        )
        for i in range(0, len(rows["ids"]), BATCH):
            fresh.add(
                ids=rows["ids"][i : i + BATCH],
                embeddings=rows["embeddings"][i : i + BATCH],
                documents=rows["documents"][i : i + BATCH],
                metadatas=rows["metadatas"][i : i + BATCH],
            )
    return len(names)


if __name__ == "__main__":
    print(rebuild(sys.argv[1]))
