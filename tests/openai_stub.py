"""A real OpenAI-compatible HTTP server on 127.0.0.1 that answers scripted replies (for tests).

It serves ``POST /v1/chat/completions`` (a JSON completion, or server-sent events when the
request asks ``"stream": true``) and ``GET /v1/models``, records every request, and can
be told to wait, fail with any status, answer nothing or answer garbage::

    with running() as srv:
        srv.script = [Reply(body=completion("Hello there."))]
        srv.default = Reply(status=500, body={"error": {"message": "model crashed"}})
        ... point a client at srv.url ...
        srv.requests[0]["messages"]

The vision backend's tests and the chat-model and agent tests share it.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def completion(
    content: str | None,
    refusal: str | None = None,
    *,
    model: str = "stub-model",
    finish_reason: str = "stop",
) -> dict[str, Any]:
    """An OpenAI chat completion answering ``content``."""
    return {
        "id": "cmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [
            {
                "index": 0,
                "finish_reason": finish_reason,
                "message": {"role": "assistant", "content": content, "refusal": refusal},
            }
        ],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


@dataclass
class Reply:
    """One scripted answer."""

    status: int = 200
    body: Any = None
    """A JSON-able object, or ``str``/``bytes`` sent as they are (garbage, HTML error pages)."""
    delay: float = 0.0
    """Seconds to wait before answering."""
    headers: dict[str, str] = field(default_factory=dict)
    pieces: list[str] | None = None
    """For a streaming request: the content pieces, one event each (default: the body's content
    split after each space)."""
    piece_delay: float = 0.0
    """Seconds between streamed pieces."""


def text(content: str, **kw: Any) -> Reply:
    """A reply whose answer is ``content`` (as JSON, or streamed word by word)."""
    return Reply(body=completion(content), **kw)


def _pieces(reply: Reply) -> list[str]:
    if reply.pieces is not None:
        return reply.pieces
    content = reply.body["choices"][0]["message"].get("content") or ""
    words = content.split(" ")
    return [w + " " for w in words[:-1]] + [words[-1]] if content else []


class StubServer(ThreadingHTTPServer):
    """The server; ``script`` answers in order, then ``default`` answers every request."""

    daemon_threads = True

    def __init__(self, models: tuple[str, ...] = ("stub-model",)) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.models = list(models)
        self.script: list[Reply] = []
        self.default: Reply | None = None
        self.requests: list[dict[str, Any]] = []
        self.headers_seen: list[dict[str, str]] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.max_in_flight = 0

    @property
    def url(self) -> str:
        """The ``/v1`` base URL to give a client."""
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def next_reply(self) -> Reply:
        with self.lock:
            if self.script:
                return self.script.pop(0)
        assert self.default is not None, "the test server ran out of scripted replies"
        return self.default


class _Handler(BaseHTTPRequestHandler):
    server: StubServer
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, raw: bytes, headers: dict[str, str], ctype: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(raw)))
        for k, v in headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(raw)

    def do_GET(self) -> None:
        if self.path.rstrip("/") != "/v1/models":
            self._send(404, b'{"error": {"message": "not found"}}', {}, "application/json")
            return
        models = [{"id": m, "object": "model", "owned_by": "stub"} for m in self.server.models]
        data = {"object": "list", "data": models}
        self._send(200, json.dumps(data).encode(), {}, "application/json")

    def do_POST(self) -> None:
        n = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(n))
        srv = self.server
        with srv.lock:
            srv.requests.append(body)
            srv.headers_seen.append(dict(self.headers))
            srv.in_flight += 1
            srv.max_in_flight = max(srv.max_in_flight, srv.in_flight)
        try:
            if self.path != "/v1/chat/completions":
                self._send(404, b'{"error": {"message": "not found"}}', {}, "application/json")
                return
            reply = srv.next_reply()
            if reply.delay:
                time.sleep(reply.delay)
            if isinstance(reply.body, (bytes, str)):
                raw = reply.body.encode() if isinstance(reply.body, str) else reply.body
                self._send(reply.status, raw, reply.headers, "application/json")
            elif body.get("stream") and reply.status == 200:
                self._stream(body, reply)
            else:
                self._send(reply.status, json.dumps(reply.body).encode(), reply.headers, "application/json")
        except (BrokenPipeError, ConnectionResetError):
            pass
        finally:
            with srv.lock:
                srv.in_flight -= 1

    def _stream(self, request: dict[str, Any], reply: Reply) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        for k, v in reply.headers.items():
            self.send_header(k, v)
        self.end_headers()
        self.close_connection = True
        model = request.get("model", "stub-model")

        def send(choices: list[dict[str, Any]], **extra: Any) -> None:
            chunk = {"id": "cmpl-test", "object": "chat.completion.chunk", "created": 0, "model": model}
            chunk.update(choices=choices, **extra)
            self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
            self.wfile.flush()

        def delta(d: dict[str, Any], finish: str | None = None) -> None:
            send([{"index": 0, "delta": d, "finish_reason": finish}])

        delta({"role": "assistant", "content": ""})
        for piece in _pieces(reply):
            if reply.piece_delay:
                time.sleep(reply.piece_delay)
            delta({"content": piece})
        delta({}, "stop")
        if (request.get("stream_options") or {}).get("include_usage"):
            send([], usage={"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120})
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()


@contextmanager
def running(models: tuple[str, ...] = ("stub-model",)) -> Iterator[StubServer]:
    """Start a stub server in a thread; stop it afterwards."""
    srv = StubServer(models)
    t = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    t.start()
    try:
        yield srv
    finally:
        srv.shutdown()
        srv.server_close()


def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens (for connection-refused tests)."""
    import socket

    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = int(s.getsockname()[1])
    s.close()
    return port
