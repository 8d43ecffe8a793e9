"""What the servers serve: one object behind the MCP tools and the HTTP routes.

:class:`EmotoolService` reads emotions, transcribes speech, recalls and stores
memories, assesses safety and runs agent turns, with the policy of the server:
which folders files may come from, how large an upload may be, and whose
memories a caller may touch (the server's user, or the one a client names when
the server was started for no particular user). Models load once per process
and are shared by every request.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import re
import shutil
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ..errors import AccessDenied, BackendUnavailable, InputTooLong, InvalidOption, MediaTooLarge

#: Longest text accepted by the text tools (a message, a query, a memory).
MAX_TEXT_CHARS = 8000
#: What a user name may be (ASCII, so that the OpenAPI pattern means the same in every client).
USER_PATTERN = r"^[A-Za-z0-9_.@+-]{1,128}$"
_USER_RE = re.compile(USER_PATTERN)
_SUFFIX_RE = re.compile(r"^\.[a-z0-9]{1,5}$")


class ServeSettings(BaseModel):
    """The policy and the models of a server.

    Attributes:
        allowed_roots: Folders that paths given by clients may point into (default: the working
            directory). Uploaded content is kept in a private temporary folder instead.
        user: The user this server is for: memory and chat use only this user, and a client
            naming another is refused. ``None``: clients name the user on every call.
        agent: Agent spec of the ``chat`` tool/route (name or YAML path).
        model: Chat model (``None``: the embedded default; see :func:`emotool.llm.load_chat_model`).
        base_url: OpenAI-compatible server of a model given by name.
        memory: Keep memories (the embedded Chroma store, or ``memory_url``).
        memory_path: Folder of the embedded memory store.
        memory_url: A Chroma server for the memory (recommended when several processes serve).
        checkpoint: SQLite file of the agent's sessions.
        max_upload_bytes: Largest uploaded file or base64 content.
        fps: Video frames analysed per second.
    """

    model_config = ConfigDict(extra="forbid")

    allowed_roots: list[Path] = Field(default_factory=lambda: [Path.cwd()])
    user: str | None = None
    agent: str = "companion"
    model: str | None = None
    base_url: str | None = None
    memory: bool = True
    memory_path: Path | None = None
    memory_url: str | None = None
    checkpoint: Path | None = None
    max_upload_bytes: int = Field(default=25 * 1024 * 1024, gt=0)
    fps: float | None = Field(default=None, gt=0, le=120)


def short_text(reading: Any) -> str:
    """One or two plain sentences about a reading, for a tool's text content."""
    kind = getattr(reading, "kind", None)
    if kind in ("image", "video"):
        if not reading.face_found:
            return f"No face found in {reading.source}. {reading.reasoning}"
        n = len(reading.faces) if kind == "image" else len(reading.tracks)
        what = "face" if n == 1 else "faces"
        return (
            f"{reading.source}: {n} {what}; overall {reading.label} "
            f"(confidence {reading.confidence:.2f}). {reading.reasoning}"
        )
    if kind == "speech":
        return str(reading.summary)
    return str(getattr(reading, "summary", "") or getattr(reading, "reply", "") or reading)


def decode_base64(content: str, max_bytes: int) -> bytes:
    """Decode base64 text (a ``data:`` URL prefix is accepted), checking the size first."""
    if "," in content[:100] and content.startswith("data:"):
        content = content.split(",", 1)[1]
    if len(content) * 3 // 4 > max_bytes + 3:
        raise MediaTooLarge(
            f"the content is larger than the server's limit of {max_bytes} bytes; send a smaller file"
        )
    try:
        return base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidOption(
            "content_base64 is not valid base64; encode the file's bytes with standard base64"
        ) from None


def _suffix(filename: str | None) -> str:
    s = Path(filename or "").suffix.lower()
    return s if _SUFFIX_RE.match(s) else ""


class EmotoolService:
    """The operations both servers expose, with the server's policy applied.

    Args:
        settings: The server's policy and models.
        memory: A ready :class:`emotool.memory.Memory` (default: built from the settings on first use).
        chat_model: A ready LangChain chat model for the agent (default: ``settings.model``).
        agent_factory: ``user_id -> agent`` with ``stream(text, ...)`` (tests, custom agents).
        analyzer_pipeline: A ready face pipeline (tests, custom models).
        assess: ``(text, history=, language=) -> SafetyAssessment`` (default :func:`emotool.safety.assess`).
    """

    def __init__(
        self,
        settings: ServeSettings | None = None,
        *,
        memory: Any = None,
        chat_model: Any = None,
        agent_factory: Callable[[str], Any] | None = None,
        analyzer_pipeline: Any = None,
        assess: Callable[..., Any] | None = None,
    ) -> None:
        self.settings = settings or ServeSettings()
        if self.settings.user is not None:
            self._check_user_name(self.settings.user)
        self._memory = memory
        self._chat_model = chat_model
        self._agent_factory = agent_factory
        self._pipeline = analyzer_pipeline
        self._assess = assess
        self._agents: dict[str, Any] = {}
        self._lock = threading.RLock()  # agent() builds the memory under the same lock
        self._upload_dir = Path(tempfile.mkdtemp(prefix="emotool-serve-"))

    def close(self) -> None:
        """Remove uploaded files and release the agents and the memory store."""
        for agent in self._agents.values():
            close = getattr(agent, "close", None)
            if close is not None:
                close()
        self._agents.clear()
        if self._memory is not None and hasattr(self._memory, "close"):
            self._memory.close()
        shutil.rmtree(self._upload_dir, ignore_errors=True)

    # ------------------------------------------------------------------ policy

    @staticmethod
    def _check_user_name(user: str) -> None:
        if not _USER_RE.match(user):
            raise InvalidOption(
                "a user name is 1-128 letters, digits or . _ @ + - (e.g. 'ana' or 'ana@example.org')"
            )

    def resolve_user(self, user: str | None) -> str:
        """The user a call acts for: the server's user, or the one the client names.

        Raises:
            AccessDenied: the client names a user other than the server's.
            InvalidOption: no user at all, or a malformed name.
        """
        fixed = self.settings.user
        if fixed is not None:
            if user not in (None, "", fixed):
                raise AccessDenied(
                    f"this server serves user {fixed!r} only; leave the user out or start a server "
                    "without --user to name users per call"
                )
            return fixed
        if not user:
            raise InvalidOption("name the user (user='ana'): this server was started without --user")
        self._check_user_name(user)
        return user

    @staticmethod
    def check_text(text: str, what: str = "text") -> str:
        if len(text) > MAX_TEXT_CHARS:
            raise InputTooLong(f"the {what} has {len(text)} characters; the limit is {MAX_TEXT_CHARS}")
        return text

    def _policy(self, roots: Sequence[Path]) -> Any:
        from ..media import MediaPolicy

        return MediaPolicy(allowed_roots=list(roots))

    def _analyzer(self, roots: Sequence[Path]) -> Any:
        from ..analyzer import Analyzer

        return Analyzer(policy=self._policy(roots), fps=self.settings.fps, pipeline=self._pipeline)

    @contextmanager
    def uploaded(self, content: bytes, filename: str | None = None) -> Iterator[Path]:
        """Keep uploaded bytes as a file in the server's private folder while the block runs."""
        if len(content) > self.settings.max_upload_bytes:
            raise MediaTooLarge(
                f"the upload has {len(content)} bytes; the server's limit is "
                f"{self.settings.max_upload_bytes} bytes"
            )
        path = self._upload_dir / f"{uuid.uuid4().hex}{_suffix(filename)}"
        path.write_bytes(content)
        try:
            yield path
        finally:
            path.unlink(missing_ok=True)

    @property
    def upload_dir(self) -> Path:
        return self._upload_dir

    # ------------------------------------------------------------------ perception

    def read_emotions(
        self, path: str | None = None, content: bytes | None = None, filename: str | None = None
    ) -> Any:
        """The ``EmotionReading`` or ``VideoReading`` of a file under the allowed roots, or of bytes."""
        if (path is None) == (content is None):
            raise InvalidOption("give either a path (under the allowed folders) or the file's content")
        if path is not None:
            return self._analyzer(self.settings.allowed_roots).analyze(path)
        assert content is not None
        with self.uploaded(content, filename) as p:
            reading = self._analyzer([self._upload_dir]).analyze(p)
        if filename:
            reading.source = Path(filename).name
        return reading

    def transcribe(
        self,
        path: str | None = None,
        content: bytes | None = None,
        filename: str | None = None,
        language: str | None = None,
    ) -> Any:
        """The :class:`SpeechReading` (transcript, vocal and verbal cues) of an audio or video file."""
        from ..speech.analyze import analyze_speech

        if (path is None) == (content is None):
            raise InvalidOption("give either a path (under the allowed folders) or the file's content")
        extra: dict[str, Any] = {"progress": None}
        if language:
            extra["language"] = language
        if path is not None:
            return analyze_speech(path, policy=self._policy(self.settings.allowed_roots), **extra)
        assert content is not None
        with self.uploaded(content, filename) as p:
            reading = analyze_speech(p, policy=self._policy([self._upload_dir]), **extra)
        return reading

    # ------------------------------------------------------------------ memory

    def memory(self) -> Any:
        """The memory store (built on first use)."""
        if not self.settings.memory:
            raise BackendUnavailable("memory is off on this server; start it without --no-memory")
        with self._lock:
            if self._memory is None:
                from ..memory import Memory

                opts: dict[str, Any] = {}
                if self.settings.memory_path is not None:
                    opts["path"] = self.settings.memory_path
                if self.settings.memory_url is not None:
                    opts["url"] = self.settings.memory_url
                self._memory = Memory(**opts)
            return self._memory

    def recall(self, query: str, user: str | None = None, k: int = 5) -> list[Any]:
        """The user's memories nearest to ``query`` (``Recalled`` items, best first)."""
        uid = self.resolve_user(user)
        if not 1 <= k <= 50:
            raise InvalidOption(f"k must be between 1 and 50, got {k}")
        return list(self.memory().recall(self.check_text(query, "query"), user_id=uid, k=k))

    def remember(self, text: str, user: str | None = None, session_id: str = "mcp") -> Any:
        """Store ``text`` as a note in the user's memory; returns the ``MemoryItem``."""
        uid = self.resolve_user(user)
        if not text.strip():
            raise InvalidOption("the memory text is empty; give what should be remembered")
        return self.memory().remember(
            self.check_text(text, "memory"), user_id=uid, session_id=session_id or "mcp", kind="note"
        )

    def export_memories(self, user: str | None = None) -> Any:
        """Everything stored for the user (a ``MemoryExport``)."""
        return self.memory().export(self.resolve_user(user))

    def forget(self, user: str | None = None) -> int:
        """Delete the user's memories and agent sessions; returns how many memories went."""
        uid = self.resolve_user(user)
        n = int(self.memory().forget(uid))
        with self._lock:
            agent = self._agents.get(uid)
        if agent is not None and hasattr(agent, "forget"):
            agent.forget()
        return n

    # ------------------------------------------------------------------ safety and chat

    def check_safety(self, text: str, history: Sequence[str] = (), language: str | None = None) -> Any:
        """The :class:`emotool.safety.SafetyAssessment` of a message."""
        from ..safety import assess

        self.check_text(text, "message")
        return assess(
            text, history=tuple(self.check_text(h, "history message") for h in history), language=language
        )

    def agent(self, user: str | None = None) -> Any:
        """The agent of a user (built once, kept for the server's life)."""
        uid = self.resolve_user(user)
        with self._lock:
            if uid not in self._agents:
                if self._agent_factory is not None:
                    self._agents[uid] = self._agent_factory(uid)
                else:
                    from ..agent import EmpatheticAgent

                    mem = self.memory() if self.settings.memory else False
                    self._agents[uid] = EmpatheticAgent(
                        spec=self.settings.agent,
                        model=self._chat_model if self._chat_model is not None else self.settings.model,
                        base_url=self.settings.base_url,
                        user_id=uid,
                        memory=mem,
                        checkpoint_path=self.settings.checkpoint,
                        allowed_roots=self.settings.allowed_roots,
                    )
            return self._agents[uid]

    def chat_stream(
        self,
        text: str,
        *,
        user: str | None = None,
        session_id: str | None = None,
        image: str | None = None,
        video: str | None = None,
        audio: str | None = None,
        uploads: dict[str, tuple[bytes, str | None]] | None = None,
    ) -> Iterator[Any]:
        """One agent turn: the reply's pieces (``str``), then the ``AgentTurn``.

        ``image``/``video``/``audio`` are paths under the allowed roots; ``uploads`` maps the
        same names to ``(bytes, filename)`` sent by the client.
        """
        self.check_text(text, "message")
        agent = self.agent(user)
        files: dict[str, Any] = {"image": image, "video": video, "audio": audio}
        paths: list[Path] = []
        try:
            for name, (data, filename) in (uploads or {}).items():
                if name not in files:
                    raise InvalidOption(f"unknown attachment {name!r}; use image, video or audio")
                if len(data) > self.settings.max_upload_bytes:
                    raise MediaTooLarge(
                        f"the {name} has {len(data)} bytes; the server's limit is "
                        f"{self.settings.max_upload_bytes} bytes"
                    )
                p = self._upload_dir / f"{uuid.uuid4().hex}{_suffix(filename)}"
                p.write_bytes(data)
                paths.append(p)
                files[name] = str(p)
            extra = [self._upload_dir] if paths else []
            yield from agent.stream(text, session_id=session_id, extra_roots=extra, **files)
        finally:
            for p in paths:
                p.unlink(missing_ok=True)

    def chat(self, text: str, **kwargs: Any) -> Any:
        """One agent turn; returns the ``AgentTurn``."""
        turn = None
        for event in self.chat_stream(text, **kwargs):
            if not isinstance(event, str):
                turn = event
        return turn


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def settings_from_args(args: Any, **extra: Any) -> ServeSettings:
    """The server settings the ``emotool serve`` options ask for (both servers share them)."""
    return ServeSettings(
        allowed_roots=[Path(r) for r in (args.allow_root or [Path.cwd()])],
        user=args.user,
        agent=args.agent,
        model=args.model,
        base_url=args.base_url,
        memory=not args.no_memory,
        memory_path=args.memory_path,
        memory_url=args.memory_url,
        **extra,
    )
