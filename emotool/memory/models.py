"""The pydantic models at the memory's boundaries: options, what goes in, what comes out."""

from __future__ import annotations

import math
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ..config import home

Kind = Literal["turn", "summary", "note"]
Source = Literal["face", "voice", "words", "other"]

_NAMESPACE = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9_-]{0,30}[a-zA-Z0-9]$")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


def default_path() -> Path:
    """Where the embedded store lives: ``$EMOTOOL_MEMORY_PATH`` or ``<emotool home>/memory``."""
    env = os.environ.get("EMOTOOL_MEMORY_PATH")
    return Path(env).expanduser() if env else home() / "memory"


def default_url() -> str | None:
    """The Chroma server to use instead of the embedded store: ``$EMOTOOL_MEMORY_URL``, else None."""
    return os.environ.get("EMOTOOL_MEMORY_URL") or None


def normalize_user_id(user_id: object) -> str:
    """The canonical form of a user id: Unicode NFKC, surrounding white space removed.

    ``"ana"``, ``" ana "`` and ``"ａｎａ"`` (full-width) are one user. Case is kept:
    ``"Ana"`` and ``"ana"`` stay two users, because user ids are identifiers of the host
    application, where they may differ only in case; folding them would merge two people's
    memories. Lower-case ids yourself if your application treats them as one.

    Raises:
        InvalidInput: not a string, empty (or only white space), longer than 256
            characters, or containing control characters.
    """
    import unicodedata

    from ..errors import InvalidInput
    from ..limits import MAX_ID_CHARS

    if not isinstance(user_id, str):
        raise InvalidInput(f"user_id must be a string, not {type(user_id).__name__}")
    uid = unicodedata.normalize("NFKC", user_id).strip()
    if not uid:
        raise InvalidInput(
            "user_id is empty; give the id of the user whose memories these are (e.g. --user ana)"
        )
    if len(uid) > MAX_ID_CHARS:
        raise InvalidInput(f"user_id is {len(uid):,} characters, over the limit of {MAX_ID_CHARS}")
    if any(unicodedata.category(c) == "Cc" for c in uid):
        raise InvalidInput("user_id contains control characters; use printable characters only")
    return uid


class RecallWeights(_Model):
    """How ``recall`` ranks: a weighted sum of three scores, each in [0, 1].

    The weights need not sum to one; they are normalised.
    """

    similarity: float = Field(default=0.6, ge=0, description="Weight of semantic similarity to the query.")
    recency: float = Field(default=0.25, ge=0, description="Weight of recency (halves every half-life).")
    salience: float = Field(default=0.15, ge=0, description="Weight of the emotional salience of the moment.")

    @model_validator(mode="after")
    def _not_all_zero(self) -> RecallWeights:
        if self.similarity + self.recency + self.salience <= 0:
            raise ValueError("at least one recall weight must be positive, e.g. similarity=1")
        return self

    def normalised(self) -> tuple[float, float, float]:
        """The three weights scaled to sum to one."""
        total = self.similarity + self.recency + self.salience
        return self.similarity / total, self.recency / total, self.salience / total


class MemoryConfig(_Model):
    """Options of a :class:`~emotool.memory.Memory`.

    By default the store is an embedded Chroma database under emotool's data
    directory; set ``url`` (or ``$EMOTOOL_MEMORY_URL``) to use a Chroma server.
    """

    path: Path = Field(default_factory=default_path, description="Folder of the embedded store.")
    url: str | None = Field(
        default_factory=default_url,
        description="Chroma server URL (e.g. http://127.0.0.1:8000); None for the embedded store.",
    )
    namespace: str = Field(default="emotool", description="Prefix of the Chroma collections (one per user).")
    retention_days: float | None = Field(
        default=None,
        gt=0,
        description="Memories older than this expire (hidden, then deleted); None keeps all.",
    )
    weights: RecallWeights = Field(default_factory=RecallWeights, description="Ranking weights of recall.")
    recency_half_life_days: float = Field(default=30.0, gt=0, description="Age at which recency is 0.5.")
    candidates: int = Field(
        default=50, ge=1, description="Nearest neighbours fetched before re-ranking by recency and salience."
    )
    hnsw: dict[str, int] = Field(
        default_factory=dict,
        description="Chroma HNSW settings for new collections (ef_construction, ef_search, max_neighbors, "
        "batch_size, sync_threshold); empty = Chroma's defaults.",
    )
    redact: bool = Field(default=True, description="Mask e-mails, phone numbers and similar before storing.")
    lock_timeout_s: float = Field(
        default=60.0, gt=0, description="How long the embedded store waits for another process's operation."
    )
    purge_interval_s: float = Field(
        default=3600.0, ge=0, description="How often, per user, expired memories are deleted on write."
    )

    @field_validator("namespace")
    @classmethod
    def _check_namespace(cls, v: str) -> str:
        if not _NAMESPACE.match(v):
            raise ValueError(
                f"namespace {v!r} must be 2-32 letters, digits, '-' or '_', starting and ending with a "
                "letter or digit"
            )
        return v

    @field_validator("hnsw")
    @classmethod
    def _check_hnsw(cls, v: dict[str, int]) -> dict[str, int]:
        known = {"ef_construction", "ef_search", "max_neighbors", "batch_size", "sync_threshold"}
        unknown = set(v) - known
        if unknown:
            raise ValueError(f"unknown hnsw settings {sorted(unknown)}; choose from {sorted(known)}")
        return v

    @field_validator("url")
    @classmethod
    def _check_url(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^/\s]+", v):
            raise ValueError(f"memory url {v!r} must look like http://HOST:PORT (a Chroma server)")
        return v


class Affect(_Model):
    """The emotion of one moment, from one source (face, voice or words)."""

    source: Source = Field(default="other", description="Where the reading comes from.")
    label: str | None = Field(default=None, description="Dominant emotion, if known.")
    valence: float | None = Field(default=None, ge=-1, le=1, description="Pleasantness, -1 to 1.")
    arousal: float | None = Field(default=None, ge=0, le=1, description="Activation, 0 to 1.")
    confidence: float = Field(default=1.0, ge=0, le=1, description="How much to trust this reading.")

    @classmethod
    def from_reading(cls, reading: Any, source: Source | None = None) -> Affect:
        """Build from any emotool reading (image or video) or an object with
        ``label``/``valence``/``arousal``/``confidence`` attributes."""
        if isinstance(reading, Affect):
            return reading
        if isinstance(reading, dict):
            return cls.model_validate(reading)
        if source is None:
            kind = getattr(reading, "kind", None)
            source = "face" if kind in ("image", "video") else "other"
        label = getattr(reading, "label", None)
        return cls(
            source=source,
            label=str(label) if label is not None else None,
            valence=getattr(reading, "valence", None),
            arousal=getattr(reading, "arousal", None),
            confidence=float(getattr(reading, "confidence", 1.0) or 0.0),
        )

    def intensity(self) -> float:
        """How emotionally charged the moment is, in [0, 1], before confidence."""
        v = abs(self.valence) if self.valence is not None else None
        a = self.arousal
        if v is None and a is None:
            return 0.0 if self.label in (None, "neutral") else 0.5
        if v is None:
            return a or 0.0
        if a is None:
            return v
        return 0.5 * v + 0.5 * a


def salience_of(affects: list[Affect]) -> float:
    """Emotional salience of a moment: the strongest confidence-weighted intensity, in [0, 1]."""
    if not affects:
        return 0.0
    return max(min(1.0, max(0.0, a.confidence * a.intensity())) for a in affects)


def to_datetime(at: datetime | float | int | None) -> datetime:
    """An aware UTC datetime from a datetime (naive = UTC), epoch seconds or None (now)."""
    if at is None:
        return datetime.now(timezone.utc)
    if isinstance(at, (int, float)):
        if not math.isfinite(at):
            raise ValueError("a memory's time must be a finite number of epoch seconds")
        return datetime.fromtimestamp(float(at), timezone.utc)
    if at.tzinfo is None:
        return at.replace(tzinfo=timezone.utc)
    return at.astimezone(timezone.utc)


class NewMemory(_Model):
    """One memory to store: a conversation turn, a session summary or a note."""

    text: str = Field(min_length=1, description="What was said or what happened.")
    user_id: str = Field(min_length=1, max_length=256, description="Whose memory this is.")
    session_id: str = Field(min_length=1, max_length=256, description="The session it belongs to.")
    at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc), description="When it happened.")
    kind: Kind = Field(default="turn", description="turn, summary or note.")
    role: str | None = Field(default=None, max_length=64, description="Who spoke (user, assistant, ...).")
    emotions: list[Affect] = Field(default_factory=list, description="Emotion readings of that moment.")
    salience: float | None = Field(
        default=None, ge=0, le=1, description="Emotional salience; computed from `emotions` when None."
    )
    metadata: dict[str, Any] = Field(default_factory=dict, description="Free JSON-serialisable metadata.")
    memory_id: str | None = Field(
        default=None,
        min_length=1,
        max_length=128,
        description="Stable id (idempotent writes); random if None.",
    )

    @field_validator("user_id", mode="before")
    @classmethod
    def _normalise_user(cls, v: Any) -> Any:
        return normalize_user_id(v) if isinstance(v, str) else v

    @field_validator("at", mode="before")
    @classmethod
    def _coerce_at(cls, v: Any) -> Any:
        return to_datetime(v) if v is None or isinstance(v, (int, float, datetime)) else v

    @field_validator("at")
    @classmethod
    def _aware(cls, v: datetime) -> datetime:
        return to_datetime(v)


class MemoryItem(_Model):
    """A stored memory."""

    id: str = Field(description="The memory's id.")
    user_id: str
    session_id: str
    text: str = Field(description="The stored text (after redaction).")
    at: datetime = Field(description="When it happened (UTC).")
    kind: Kind
    role: str | None = None
    emotions: list[Affect] = Field(default_factory=list)
    salience: float = Field(ge=0, le=1)
    metadata: dict[str, Any] = Field(default_factory=dict)
    redacted: bool = Field(default=False, description="Whether redaction changed the text or metadata.")


class Recalled(_Model):
    """A memory returned by ``recall``, with why it ranked where it did."""

    memory: MemoryItem
    score: float = Field(description="The weighted score the ranking used.")
    similarity: float = Field(
        ge=0, le=1, description="Semantic similarity to the query (1 - cosine distance)."
    )
    recency: float = Field(ge=0, le=1, description="0.5 ** (age / half-life).")
    salience: float = Field(ge=0, le=1, description="Emotional salience of the moment.")


class SessionInfo(_Model):
    """One session of a user, as ``sessions`` lists it."""

    session_id: str
    first_at: datetime
    last_at: datetime
    turns: int = Field(description="Memories of kind 'turn'.")
    memories: int = Field(description="All memories of the session.")
    summary: str | None = Field(default=None, description="The latest summary memory's text, if any.")


class MemoryExport(_Model):
    """Everything stored for one user (``export``)."""

    format: Literal["emotool.memory/1"] = "emotool.memory/1"
    user_id: str
    exported_at: datetime
    memories: list[MemoryItem]
