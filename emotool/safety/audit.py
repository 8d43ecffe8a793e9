"""The safety audit log: one JSON line per assessed turn, with a hashed user id and no message text
unless configured.

User and session ids are pseudonymised with HMAC-SHA256 keyed by
``$EMOTOOL_AUDIT_KEY``; without a key a fixed salt is used, which still keeps
ids out of the file but can be reversed by anyone who can guess them: set the
key in production. Writes are appended and flushed line by line, under a lock,
so concurrent turns in one process do not interleave.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
from datetime import datetime, timezone
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["AuditLog", "AuditRecord", "hash_id"]

_FIXED_SALT = b"emotool-safety-audit-v1"


def hash_id(value: str | None) -> str | None:
    """A stable pseudonym for a user or session id (16 hex digits), or None."""
    if value is None:
        return None
    key = os.environ.get("EMOTOOL_AUDIT_KEY", "").encode() or _FIXED_SALT
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()[:16]


class AuditRecord(BaseModel):
    """One line of the audit log."""

    model_config = ConfigDict(extra="forbid")

    time: str
    user: str | None
    session: str | None
    level: str
    categories: list[str] = Field(default_factory=list)
    layers: list[str] = Field(default_factory=list)
    language: str
    replaced: bool = False
    violations: list[str] = Field(default_factory=list)
    handoff: str | None = None
    text: str | None = None
    evidence: list[str] | None = None


class AuditLog:
    """Appends :class:`AuditRecord` lines to a JSONL file (created with its folder on first write)."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path).expanduser()
        self._lock = threading.Lock()

    def write(self, record: AuditRecord) -> None:
        line = json.dumps(record.model_dump(exclude_none=True), ensure_ascii=False)
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as f:
                f.write(line + "\n")
                f.flush()


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
