"""``emotool serve http``: the HTTP API (FastAPI on uvicorn) and the web chat page.

Routes (OpenAPI at ``/docs`` and ``/openapi.json``):

- ``POST /v1/analyze``: faces and expressions of an image or a video; a multipart upload
  (field ``file``) or JSON (``content_base64`` + ``filename``, or a ``path`` under the
  allowed folders). Returns an ``EmotionReading`` or a ``VideoReading``.
- ``POST /v1/transcribe``: the same inputs, an audio file; returns a ``SpeechReading``.
- ``POST /v1/chat``: one agent turn (multipart: ``text``, ``user``, ``session_id`` and files
  ``image``/``video``/``audio``; or JSON with base64 attachments). Answers Server-Sent
  Events: ``token`` events with the reply's text as it is written, then one ``turn`` event
  with the ``AgentTurn``, then ``done``; ``Accept: application/json`` gets the turn alone.
- ``GET /v1/memory/{user}`` (export) and ``DELETE /v1/memory/{user}`` (forget).
- ``GET /healthz``; ``GET /`` the web chat page.

Every error is a JSON problem detail (RFC 9457, ``application/problem+json``) whose
``type`` names the emotool error and whose ``detail`` says how to fix the request.
A bearer token (``--token`` or ``$EMOTOOL_API_TOKEN``) guards ``/v1``; it is required
whenever the server binds to anything but loopback. Requests are rate-limited per client
and uploads are capped in size.
"""

from __future__ import annotations

import hmac
import json
import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from importlib import resources
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from .. import __version__
from ..errors import (
    AccessDenied,
    AssetMissing,
    BackendUnavailable,
    EmotoolError,
    InputTooLong,
    InvalidOption,
    MediaError,
    MediaTooLarge,
    MemoryStoreError,
    UnknownName,
    UnsupportedFormat,
    missing_extra,
)
from .service import (
    USER_PATTERN,
    EmotoolService,
    decode_base64,
    is_loopback,
    settings_from_args,
)

try:
    from fastapi import FastAPI, Request
    from fastapi import Path as PathParam
    from fastapi.exceptions import RequestValidationError
    from fastapi.responses import HTMLResponse, JSONResponse, Response, StreamingResponse
    from starlette.exceptions import HTTPException as StarletteHTTPException
except ImportError as e:  # pragma: no cover - depends on the environment
    raise missing_extra("fastapi", "serve") from e

PROBLEM = "application/problem+json"
UserPath = Annotated[str, PathParam(pattern=USER_PATTERN, description="The user's id.")]

#: HTTP status of each emotool error (the most specific class wins).
STATUS: list[tuple[type[Exception], int]] = [
    (AccessDenied, 403),
    (MediaTooLarge, 413),
    (InputTooLong, 413),
    (UnsupportedFormat, 415),
    (MediaError, 422),
    (UnknownName, 422),
    (InvalidOption, 422),
    (AssetMissing, 503),
    (BackendUnavailable, 503),
    (MemoryStoreError, 503),
    (EmotoolError, 422),
]

_PROBLEM_SCHEMA = {
    "type": "object",
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
    },
    "required": ["type", "title", "status", "detail"],
}


def _problem_response(desc: str) -> dict[str, Any]:
    return {"description": desc, "content": {PROBLEM: {"schema": _PROBLEM_SCHEMA}}}


_ERRORS: dict[int | str, dict[str, Any]] = {
    "401": _problem_response("Missing or wrong bearer token"),
    "403": _problem_response("A path outside the allowed folders, or another user's data"),
    "413": _problem_response("Upload or text too large"),
    "415": _problem_response("Not a file emotool reads"),
    "422": _problem_response("The request or its file cannot be used (the detail says why)"),
    "429": _problem_response("Too many requests (see Retry-After)"),
    "503": _problem_response("A model or the memory store is not available"),
}


def problem(status: int, kind: str, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem-details response."""
    title = kind.replace("_", " ")
    body = {"type": f"urn:emotool:error:{kind}", "title": title, "status": status, "detail": detail}
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


def status_of(exc: Exception) -> int:
    for cls, code in STATUS:
        if isinstance(exc, cls):
            return code
    return 500


# --------------------------------------------------------------------------- request bodies


class MediaRequest(BaseModel):
    """A file sent as JSON: base64 content (with its name), or a path under the allowed folders."""

    model_config = ConfigDict(extra="forbid")

    content_base64: str | None = Field(default=None, description="The file's bytes in base64.")
    filename: str | None = Field(default=None, max_length=255, description="Its name (the suffix counts).")
    path: str | None = Field(default=None, max_length=4096, description="A file under the allowed folders.")
    language: str | None = Field(default=None, max_length=16, description="Speech language (transcribe).")


class ChatRequest(BaseModel):
    """One chat turn sent as JSON (attachments in base64)."""

    model_config = ConfigDict(extra="forbid")

    text: str = Field(default="", max_length=8000, description="The person's message.")
    user: str | None = Field(default=None, max_length=128, description="Whose conversation.")
    session_id: str | None = Field(default=None, max_length=128, description="Conversation to continue.")
    image_base64: str | None = None
    image_name: str | None = Field(default=None, max_length=255)
    video_base64: str | None = None
    video_name: str | None = Field(default=None, max_length=255)
    audio_base64: str | None = None
    audio_name: str | None = Field(default=None, max_length=255)


class Forgotten(BaseModel):
    user_id: str
    deleted: int


class Health(BaseModel):
    status: str
    version: str
    auth: bool


def _body_doc(model: type[BaseModel], multipart: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": model.model_json_schema()},
                "multipart/form-data": {"schema": multipart},
            },
        }
    }


#: One Server-Sent Event of /v1/chat: ``data`` is JSON (token: {"text"}, turn: the AgentTurn,
#: error: a problem's fields, done: {}).
_SSE_EVENT = {
    "type": "object",
    "properties": {
        "event": {"type": "string", "enum": ["token", "turn", "error", "done"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
    "required": ["event", "data"],
}

_FILE_FORM = {
    "type": "object",
    "properties": {"file": {"type": "string", "format": "binary"}, "language": {"type": "string"}},
    "required": ["file"],
}
_CHAT_FORM = {
    "type": "object",
    "properties": {
        "text": {"type": "string"},
        "user": {"type": "string"},
        "session_id": {"type": "string"},
        "image": {"type": "string", "format": "binary"},
        "video": {"type": "string", "format": "binary"},
        "audio": {"type": "string", "format": "binary"},
    },
}


# --------------------------------------------------------------------------- limits


class RateLimiter:
    """At most ``per_minute`` requests per client key in any 60-second window."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, key: str) -> float:
        """0 when the request may go ahead (and it is counted), else seconds to wait."""
        if self.per_minute <= 0:
            return 0.0
        now = time.monotonic()
        with self._lock:
            q = self._hits.setdefault(key, deque())
            while q and now - q[0] >= 60:
                q.popleft()
            if len(q) >= self.per_minute:
                return max(0.1, 60 - (now - q[0]))
            q.append(now)
            if len(self._hits) > 10_000:  # forget idle clients
                for k in [k for k, v in self._hits.items() if not v]:
                    del self._hits[k]
            return 0.0


# --------------------------------------------------------------------------- the app


def build_app(
    service: EmotoolService,
    *,
    token: str | None = None,
    rate_limit: int = 120,
) -> FastAPI:
    """The FastAPI app serving ``service``.

    Args:
        service: What the routes call (its settings carry the allowed folders, the user and the
            upload cap).
        token: Bearer token required on ``/v1`` (``None``: no auth; only for loopback).
        rate_limit: Requests per minute per client on ``/v1`` (0: unlimited).
    """
    import anyio

    app = FastAPI(
        title="emotool",
        version=__version__,
        description="Explained emotion readings of faces and speech, session memory, safety and an "
        "empathetic assistant. Errors are RFC 9457 problem details.",
    )
    limiter = RateLimiter(rate_limit)
    max_bytes = service.settings.max_upload_bytes
    app.state.service = service

    @app.exception_handler(EmotoolError)
    async def _emotool_error(request: Request, exc: EmotoolError) -> JSONResponse:
        return problem(status_of(exc), type(exc).__name__, str(exc))

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        parts = [f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e.get('msg')}" for e in exc.errors()[:5]]
        return problem(422, "InvalidOption", "; ".join(parts) or "the request is not valid")

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        headers = dict(exc.headers) if exc.headers else None
        if exc.status_code == 405:  # every method of the path, not only the first route's
            from starlette.routing import Match

            allowed: set[str] = set()
            for route in app.router.routes:
                if route.matches(request.scope)[0] != Match.NONE:
                    allowed |= set(getattr(route, "methods", None) or ())
            headers = {**(headers or {}), "Allow": ", ".join(sorted(allowed))}
        return problem(exc.status_code, "HTTPError", str(exc.detail), headers=headers)

    @app.middleware("http")
    async def _guard(request: Request, call_next: Any) -> Response:
        if request.url.path.startswith("/v1"):
            if token is not None:
                auth = request.headers.get("authorization", "")
                given = auth[7:] if auth[:7].lower() == "bearer " else ""
                if not hmac.compare_digest(given.encode(), token.encode()):
                    return problem(
                        401,
                        "Unauthorized",
                        "send the server's token as 'Authorization: Bearer <token>'",
                        headers={"WWW-Authenticate": "Bearer"},
                    )
            client = request.client.host if request.client else "?"
            wait = limiter.retry_after(f"{client}|{request.headers.get('authorization', '')}")
            if wait:
                return problem(
                    429,
                    "TooManyRequests",
                    f"more than {rate_limit} requests a minute; retry in {wait:.0f} s",
                    headers={"Retry-After": str(int(wait) + 1)},
                )
            size = request.headers.get("content-length")
            if size is not None and size.isdigit() and int(size) > max_bytes * 4 // 3 + 65536:
                return problem(
                    413,
                    "MediaTooLarge",
                    f"the request is larger than the server's limit of {max_bytes} bytes",
                )
        return await call_next(request)

    async def _read_body(request: Request) -> tuple[str, Any]:
        """('json', dict) or ('form', FormData), by content type."""
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/json":
            raw = await request.body()
            if len(raw) > max_bytes * 4 // 3 + 65536:
                raise MediaTooLarge(f"the request is larger than the server's limit of {max_bytes} bytes")
            try:
                data = json.loads(raw or b"null")
            except ValueError:
                raise InvalidOption("the body is not valid JSON") from None
            if not isinstance(data, dict):
                raise InvalidOption("the JSON body must be an object")
            return "json", data
        if ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            try:
                form = await request.form(max_files=4, max_fields=16, max_part_size=max_bytes)
            except Exception as exc:  # malformed multipart, a part over the size cap
                raise InvalidOption(f"the form could not be read: {exc}") from None
            return "form", form
        raise UnsupportedFormat(
            "send JSON (Content-Type: application/json) or a multipart form (multipart/form-data)"
        )

    async def _file(form: Any, name: str) -> tuple[bytes, str | None] | None:
        item = form.get(name)
        if item is None or isinstance(item, str):
            if isinstance(item, str) and item:
                raise InvalidOption(f"the form field {name!r} must be a file upload")
            return None
        data = await item.read()
        if len(data) > max_bytes:
            raise MediaTooLarge(f"{name} has {len(data)} bytes; the server's limit is {max_bytes}")
        return data, item.filename

    def _model(model: type[BaseModel], data: dict[str, Any]) -> Any:
        try:
            return model.model_validate(data)
        except ValueError as exc:
            raise InvalidOption(f"the JSON body is not valid: {exc}") from None

    async def _media_input(request: Request) -> dict[str, Any]:
        kind, body = await _read_body(request)
        if kind == "json":
            req = _model(MediaRequest, body)
            out: dict[str, Any] = {"language": req.language}
            if req.path is not None and req.content_base64 is not None:
                raise InvalidOption("give either path or content_base64, not both")
            if req.path is not None:
                out["path"] = req.path
            elif req.content_base64 is not None:
                out["content"] = decode_base64(req.content_base64, max_bytes)
                out["filename"] = req.filename
            else:
                raise InvalidOption("give content_base64 (with filename) or a path under the allowed folders")
            return out
        f = await _file(body, "file")
        if f is None:
            raise InvalidOption("upload the file in the form field 'file'")
        lang = body.get("language")
        return {
            "content": f[0],
            "filename": f[1],
            "language": lang if isinstance(lang, str) and lang else None,
        }

    def _json(obj: BaseModel) -> Response:
        return Response(obj.model_dump_json(), media_type="application/json")

    @app.get("/healthz", response_model=Health, tags=["service"])
    async def healthz() -> Health:
        """Liveness: the server answers (models load on first use)."""
        return Health(status="ok", version=__version__, auth=token is not None)

    @app.post(
        "/v1/analyze",
        tags=["perception"],
        responses={"200": {"description": "An EmotionReading or a VideoReading"}, **_ERRORS},
        openapi_extra=_body_doc(MediaRequest, _FILE_FORM),
    )
    async def analyze(request: Request) -> Response:
        """Read the faces in an image or a video."""
        args = await _media_input(request)
        args.pop("language", None)
        reading = await anyio.to_thread.run_sync(lambda: service.read_emotions(**args))
        return _json(reading)

    @app.post(
        "/v1/transcribe",
        tags=["perception"],
        responses={"200": {"description": "A SpeechReading"}, **_ERRORS},
        openapi_extra=_body_doc(MediaRequest, _FILE_FORM),
    )
    async def transcribe(request: Request) -> Response:
        """Transcribe speech and read the voice and the words."""
        args = await _media_input(request)
        reading = await anyio.to_thread.run_sync(lambda: service.transcribe(**args))
        return _json(reading)

    @app.post(
        "/v1/chat",
        tags=["agent"],
        responses={
            "200": {
                "description": "Server-Sent Events: token*, turn, done (or the AgentTurn as JSON when "
                "the request accepts only application/json)",
                "content": {"text/event-stream": {"schema": _SSE_EVENT}},
            },
            **_ERRORS,
        },
        openapi_extra=_body_doc(ChatRequest, _CHAT_FORM),
    )
    async def chat(request: Request) -> Response:
        """One turn of the empathetic assistant, streamed."""
        kind, body = await _read_body(request)
        uploads: dict[str, tuple[bytes, str | None]] = {}
        if kind == "json":
            req = _model(ChatRequest, body)
            text, user, sid = req.text, req.user, req.session_id
            for name in ("image", "video", "audio"):
                b64 = getattr(req, f"{name}_base64")
                if b64:
                    uploads[name] = (decode_base64(b64, max_bytes), getattr(req, f"{name}_name"))
        else:
            text = str(body.get("text") or "")
            user = body.get("user") or None
            sid = body.get("session_id") or None
            for name in ("image", "video", "audio"):
                f = await _file(body, name)
                if f is not None:
                    uploads[name] = f
        service.check_text(text, "message")
        if not text.strip() and not uploads:
            raise InvalidOption("send a message (text) or an attachment (image, video or audio)")
        uid = user if isinstance(user, str) else None
        await anyio.to_thread.run_sync(
            lambda: service.agent(uid)
        )  # a bad user or model: a problem, not a stream
        kwargs = {"user": user, "session_id": sid, "uploads": uploads}
        accept = request.headers.get("accept", "")
        if "application/json" in accept and "text/event-stream" not in accept:
            turn = await anyio.to_thread.run_sync(lambda: service.chat(text, **kwargs))
            return _json(turn)
        return StreamingResponse(
            _sse(service, text, kwargs),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.get("/v1/memory/{user}", tags=["memory"], responses=_ERRORS)
    async def export_memory(user: UserPath) -> Response:
        """Everything remembered about a user."""
        export = await anyio.to_thread.run_sync(lambda: service.export_memories(user))
        return _json(export)

    @app.delete("/v1/memory/{user}", response_model=Forgotten, tags=["memory"], responses=_ERRORS)
    async def forget_memory(user: UserPath) -> Forgotten:
        """Forget a user: their memories and conversations."""
        n = await anyio.to_thread.run_sync(lambda: service.forget(user))
        return Forgotten(user_id=service.resolve_user(user), deleted=n)

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    async def page() -> HTMLResponse:
        return HTMLResponse(web_page())

    return app


def _sse(service: EmotoolService, text: str, kwargs: dict[str, Any]) -> Iterator[str]:
    """The chat turn as Server-Sent Events (Starlette runs this sync generator in a worker thread)."""

    def event(name: str, data: Any) -> str:
        return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"

    try:
        for ev in service.chat_stream(text, **kwargs):
            if isinstance(ev, str):
                yield event("token", {"text": ev})
            else:
                yield event("turn", ev.model_dump(mode="json"))
    except EmotoolError as exc:
        yield event("error", {"type": type(exc).__name__, "status": status_of(exc), "detail": str(exc)})
    except Exception as exc:  # the stream has started: report in-band rather than cut the connection
        yield event("error", {"type": type(exc).__name__, "status": 500, "detail": str(exc)[:500]})
    yield event("done", {})


def web_page() -> str:
    """The single-page web chat (plain HTML and JavaScript, no build step)."""
    return resources.files("emotool.serve").joinpath("web/index.html").read_text(encoding="utf-8")


def serve_http_cli(args: Any) -> int:
    """Run ``emotool serve http``."""
    import uvicorn

    token = args.token or os.environ.get("EMOTOOL_API_TOKEN") or None
    if not is_loopback(args.host) and not token:
        raise InvalidOption(
            f"binding to {args.host} makes the API reachable from other machines: set a token with "
            "--token or $EMOTOOL_API_TOKEN (clients send 'Authorization: Bearer <token>')"
        )
    settings = settings_from_args(args, max_upload_bytes=int(args.max_upload_mb * 1024 * 1024))
    service = EmotoolService(settings)
    try:
        app = build_app(service, token=token, rate_limit=args.rate_limit)
        print(
            f"emotool HTTP API on http://{args.host}:{args.port} (docs at /docs, chat page at /)", flush=True
        )
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    finally:
        service.close()
    return 0
