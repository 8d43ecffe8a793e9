"""``emotool serve mcp``: emotool as an MCP server (the official ``mcp`` SDK's FastMCP).

Tools (each returns the pydantic reading as structured content, with its JSON
schema as the tool's output schema, plus a short text):

- ``read_emotions``: faces and expressions of an image or a video (a path under
  the allowed folders, or base64 content);
- ``transcribe_speech``: Whisper transcript with vocal and verbal cues;
- ``recall_memories`` / ``remember``: the session memory of the server's user
  (``--user``) or of the user the client names;
- ``check_safety``: crisis assessment of a message;
- ``chat``: one turn of the empathetic agent.

Expected failures (a path outside the allowed folders, a corrupt file, another
user's memories) come back as tool errors whose message says how to fix the
call; the server keeps serving.

Add it to an MCP client (Claude Desktop, an IDE, ...)::

    {"mcpServers": {"emotool": {"command": "emotool",
        "args": ["serve", "mcp", "--allow-root", "/home/ana/photos", "--user", "ana"]}}}
"""

# no `from __future__ import annotations`: FastMCP reads the tools' annotations at run time,
# and they refer to values local to build_mcp_server
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from ..agent.turn import AgentTurn
from ..errors import EmotoolError, InvalidOption, missing_extra
from ..memory.models import MemoryItem, Recalled
from ..safety.detector import SafetyAssessment
from ..schema import EmotionReading, VideoReading
from ..speech.schema import SpeechReading
from .service import EmotoolService, decode_base64, is_loopback, settings_from_args, short_text

try:
    from mcp.server.fastmcp import FastMCP
    from mcp.server.fastmcp.exceptions import ToolError
    from mcp.types import CallToolResult, TextContent, ToolAnnotations
except ImportError as e:  # pragma: no cover - depends on the environment
    raise missing_extra("mcp", "serve") from e

T = TypeVar("T")

INSTRUCTIONS = """\
emotool reads emotions in faces (images and video) and speech, keeps a per-user
memory of earlier sessions, checks messages for crisis risk, and runs an
empathetic assistant. Paths must lie under the folders the server allows;
otherwise send the file as base64 content. Readings are measurements with a
confidence, not facts about a person's inner state."""


class RecallResult(BaseModel):
    """The memories recalled for a query."""

    model_config = ConfigDict(extra="forbid")

    user_id: str
    query: str
    memories: list[Recalled] = Field(default_factory=list)


def _result(obj: BaseModel, text: str, wrap: bool = False) -> CallToolResult:
    data = obj.model_dump(mode="json")
    return CallToolResult(
        content=[TextContent(type="text", text=text)],
        structuredContent={"result": data} if wrap else data,
    )


async def _run(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking work in a worker thread; typed errors become tool errors the client can act on."""
    import anyio

    try:
        return await anyio.to_thread.run_sync(lambda: fn(*args, **kwargs))
    except EmotoolError as exc:
        raise ToolError(f"{type(exc).__name__}: {exc}") from exc
    except ValueError as exc:  # pydantic validation of a nested field
        raise ToolError(f"InvalidOption: {exc}") from exc


def build_mcp_server(
    service: EmotoolService, *, host: str = "127.0.0.1", port: int = 8765, stateless_http: bool = False
) -> FastMCP:
    """The FastMCP server with emotool's tools bound to ``service``.

    Args:
        service: What the tools call (its settings carry the allowed folders and the user).
        host: Address of the streamable HTTP transport.
        port: Its port.
        stateless_http: One request per HTTP exchange (no session kept between calls).
    """
    mcp = FastMCP(
        "emotool",
        instructions=INSTRUCTIONS,
        host=host,
        port=port,
        stateless_http=stateless_http,
        log_level="WARNING",
    )
    fixed_user = service.settings.user
    user_help = (
        f"Leave empty: this server serves user {fixed_user!r} only."
        if fixed_user
        else "Whose memories: the user's id (required)."
    )
    read_only = ToolAnnotations(readOnlyHint=True, openWorldHint=False)

    def _bytes(content_base64: str | None) -> bytes | None:
        if content_base64 is None:
            return None
        try:
            return decode_base64(content_base64, service.settings.max_upload_bytes)
        except EmotoolError as exc:
            raise ToolError(f"{type(exc).__name__}: {exc}") from exc

    @mcp.tool(annotations=read_only)
    async def read_emotions(
        path: Annotated[
            str | None, Field(description="Image or video file under the server's allowed folders.")
        ] = None,
        content_base64: Annotated[
            str | None, Field(description="The file's bytes in base64, instead of a path.")
        ] = None,
        filename: Annotated[
            str | None, Field(description="Name of the content (its suffix tells video from image).")
        ] = None,
    ) -> Annotated[CallToolResult, EmotionReading | VideoReading]:
        """Read the faces in an image or a video: boxes, seven emotion scores, valence, arousal,
        confidence and the reasoning; a video adds per-face timelines and segments."""
        data = _bytes(content_base64)
        reading = await _run(service.read_emotions, path=path, content=data, filename=filename)
        return _result(reading, short_text(reading), wrap=True)

    @mcp.tool(annotations=read_only)
    async def transcribe_speech(
        path: Annotated[
            str | None, Field(description="Audio or video file under the allowed folders.")
        ] = None,
        content_base64: Annotated[str | None, Field(description="The file's bytes in base64.")] = None,
        filename: Annotated[str | None, Field(description="Name of the content, e.g. note.ogg.")] = None,
        language: Annotated[str | None, Field(description="Language code (default: detected).")] = None,
    ) -> Annotated[CallToolResult, SpeechReading]:
        """Transcribe speech with Whisper and read the emotion in the voice and in the words."""
        data = _bytes(content_base64)
        reading = await _run(
            service.transcribe, path=path, content=data, filename=filename, language=language
        )
        return _result(reading, short_text(reading))

    @mcp.tool(annotations=read_only)
    async def recall_memories(
        query: Annotated[str, Field(description="What to look for in earlier sessions.", min_length=1)],
        user: Annotated[str | None, Field(description=user_help)] = None,
        k: Annotated[int, Field(description="How many memories.", ge=1, le=50)] = 5,
    ) -> Annotated[CallToolResult, RecallResult]:
        """Recall the user's memories most relevant to a query (similarity, recency, emotional salience)."""
        hits = await _run(service.recall, query, user=user, k=k)
        uid = service.resolve_user(user)
        res = RecallResult(user_id=uid, query=query, memories=hits)
        text = "; ".join(f"{h.memory.text} ({h.memory.at:%Y-%m-%d})" for h in hits) or "nothing recalled"
        return _result(res, f"{len(hits)} memories: {text}")

    @mcp.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False, openWorldHint=False))
    async def remember(
        text: Annotated[str, Field(description="What to remember about the user.", min_length=1)],
        user: Annotated[str | None, Field(description=user_help)] = None,
        session_id: Annotated[str, Field(description="The session it belongs to.", min_length=1)] = "mcp",
    ) -> Annotated[CallToolResult, MemoryItem]:
        """Store a note in the user's memory (personal data such as e-mail addresses is redacted)."""
        item = await _run(service.remember, text, user=user, session_id=session_id)
        return _result(item, f"remembered for {item.user_id}: {item.text}")

    @mcp.tool(annotations=read_only)
    async def check_safety(
        text: Annotated[str, Field(description="The message to assess.")],
        history: Annotated[
            list[str], Field(description="Earlier messages of the same person, oldest first.")
        ] = [],  # noqa: B006 - FastMCP copies defaults into a fresh pydantic model per call
        language: Annotated[str | None, Field(description="Language code (default: detected).")] = None,
    ) -> Annotated[CallToolResult, SafetyAssessment]:
        """Assess a message for crisis risk (suicidal ideation, self-harm, harm to others, abuse,
        medical emergency): level crisis/concern/none, categories and evidence."""
        a = await _run(service.check_safety, text, history=history, language=language)
        cats = ", ".join(a.categories) or "none"
        return _result(a, f"level {a.level}; categories: {cats}")

    @mcp.tool(annotations=ToolAnnotations(readOnlyHint=False, destructiveHint=False, openWorldHint=False))
    async def chat(
        text: Annotated[str, Field(description="The person's message.")],
        user: Annotated[str | None, Field(description=user_help)] = None,
        session_id: Annotated[str | None, Field(description="Conversation to continue.")] = None,
        image: Annotated[str | None, Field(description="Photo path under the allowed folders.")] = None,
        video: Annotated[str | None, Field(description="Video path under the allowed folders.")] = None,
        audio: Annotated[str | None, Field(description="Voice message path (allowed folders).")] = None,
    ) -> Annotated[CallToolResult, AgentTurn]:
        """One turn of the empathetic assistant: perception, safety, memory and the chat model;
        returns the reply with everything that went into it."""
        turn = await _run(
            service.chat, text, user=user, session_id=session_id, image=image, video=video, audio=audio
        )
        return _result(turn, turn.reply)

    return mcp


def serve_mcp_cli(args: Any) -> int:
    """Run ``emotool serve mcp``."""
    settings = settings_from_args(args)
    service = EmotoolService(settings)
    try:
        if args.transport == "stdio":
            build_mcp_server(service).run("stdio")
            return 0
        if not is_loopback(args.host):
            raise InvalidOption(
                f"the MCP HTTP transport binds to loopback only (got --host {args.host}); put it "
                "behind a reverse proxy with authentication to reach it from elsewhere"
            )
        server = build_mcp_server(service, host=args.host, port=args.port)
        print(f"emotool MCP server on http://{args.host}:{args.port}/mcp", flush=True)
        server.run("streamable-http")
        return 0
    finally:
        service.close()
