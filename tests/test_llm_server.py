"""Chat models on an OpenAI-compatible server: a real HTTP server on 127.0.0.1 (tests/openai_stub.py)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from openai_stub import Reply, StubServer, completion, free_port, running, text

from emotool.errors import BackendUnavailable, InvalidOption
from emotool.llm import load_chat_model, safe_invoke, safe_stream, supports_tools
from emotool.llm.guard import asafe_invoke, asafe_stream, map_chat_error

MESSAGES = [SystemMessage("You are kind."), HumanMessage("I failed my exam.")]


@pytest.fixture
def server() -> Iterator[StubServer]:
    with running(models=("served-a", "served-b")) as srv:
        yield srv


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    for var in ("EMOTOOL_CHAT_MODEL", "EMOTOOL_CHAT_BASE_URL", "EMOTOOL_CHAT_API_KEY", "OPENAI_API_KEY"):
        monkeypatch.delenv(var, raising=False)


def model(srv: StubServer, name: str = "served-a", **kw: object):  # type: ignore[no-untyped-def]
    kw.setdefault("timeout", 5)
    kw.setdefault("max_retries", 0)
    return load_chat_model(name, base_url=srv.url, **kw)  # type: ignore[arg-type]


def test_invoke_sends_the_conversation_and_returns_the_answer(server: StubServer) -> None:
    server.script = [text("That sounds really hard. How are you feeling?")]
    m = model(server, temperature=0.3, max_tokens=50)
    answer = m.invoke(MESSAGES)
    assert answer.content == "That sounds really hard. How are you feeling?"
    body = server.requests[0]
    assert body["model"] == "served-a"
    assert body["messages"] == [
        {"role": "system", "content": "You are kind."},
        {"role": "user", "content": "I failed my exam."},
    ]
    assert body["temperature"] == 0.3 and body.get("max_tokens", body.get("max_completion_tokens")) == 50
    assert supports_tools(m)  # a server model can be given tools


def test_stream_yields_each_piece_in_order(server: StubServer) -> None:
    server.script = [Reply(body=completion("I hear you. That must hurt."), piece_delay=0.05)]
    m = model(server)
    t0 = time.perf_counter()
    arrivals: list[float] = []
    pieces: list[str] = []
    for chunk in m.stream(MESSAGES):
        if chunk.content:
            pieces.append(str(chunk.content))
            arrivals.append(time.perf_counter() - t0)
    assert pieces == ["I ", "hear ", "you. ", "That ", "must ", "hurt."]
    assert server.requests[0]["stream"] is True
    assert arrivals[-1] - arrivals[0] > 0.15  # pieces arrived over time, not all at the end


async def test_astream_and_ainvoke(server: StubServer) -> None:
    server.script = [text("one two three"), text("async answer")]
    m = model(server)
    pieces = [str(c.content) async for c in m.astream(MESSAGES) if c.content]
    assert "".join(pieces) == "one two three" and len(pieces) == 3
    answer = await m.ainvoke(MESSAGES)
    assert answer.content == "async answer"


def test_without_a_name_the_servers_first_model_is_used(server: StubServer) -> None:
    server.script = [text("hello")]
    m = load_chat_model(base_url=server.url, timeout=5, max_retries=0)
    assert m.invoke("hi").content == "hello"
    assert server.requests[0]["model"] == "served-a"


def test_environment_sets_model_and_server(server: StubServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMOTOOL_CHAT_BASE_URL", server.url)
    monkeypatch.setenv("EMOTOOL_CHAT_MODEL", "served-b")
    server.script = [text("from the environment")]
    assert load_chat_model(max_retries=0).invoke("hi").content == "from the environment"
    assert server.requests[0]["model"] == "served-b"


def test_ollama_style_names_keep_their_colon(server: StubServer) -> None:
    server.script = [text("ok")]
    model(server, "qwen2.5:7b").invoke("hi")
    assert server.requests[0]["model"] == "qwen2.5:7b"


def test_openai_key_is_never_sent_to_another_server(
    server: StubServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-real-openai-key")
    server.script = [text("a"), text("b")]
    model(server).invoke("hi")
    seen = [{k.lower(): v for k, v in h.items()} for h in server.headers_seen]
    assert "sk-real-openai-key" not in seen[0].get("authorization", "")
    model(server, api_key="sk-local").invoke("hi")
    seen = [{k.lower(): v for k, v in h.items()} for h in server.headers_seen]
    assert seen[1]["authorization"] == "Bearer sk-local"


def test_server_error_says_what_happened(server: StubServer) -> None:
    server.default = Reply(status=500, body={"error": {"message": "model crashed"}})
    with pytest.raises(BackendUnavailable, match=r"HTTP 500: model crashed"):
        model(server).invoke(MESSAGES)
    with pytest.raises(BackendUnavailable, match=r"HTTP 500"):
        list(model(server).stream(MESSAGES))


def test_unknown_model_and_refused_key(server: StubServer) -> None:
    server.script = [
        Reply(status=404, body={"error": {"message": "model 'x' not found"}}),
        Reply(status=401, body={"error": {"message": "bad key"}}),
    ]
    with pytest.raises(BackendUnavailable, match=r"does not serve that model.*GET /v1/models"):
        model(server, "x").invoke("hi")
    with pytest.raises(BackendUnavailable, match=r"refused the API key"):
        model(server).invoke("hi")


def test_timeout_is_a_clear_error_and_quick(server: StubServer) -> None:
    server.default = Reply(body=completion("late"), delay=2.0)
    t0 = time.perf_counter()
    with pytest.raises(BackendUnavailable, match=r"did not answer in time.*raise the timeout"):
        model(server, timeout=0.3).invoke(MESSAGES)
    assert time.perf_counter() - t0 < 1.5


def test_unreachable_server_says_is_it_running() -> None:
    m = load_chat_model("any", base_url=f"http://127.0.0.1:{free_port()}/v1", timeout=2, max_retries=0)
    with pytest.raises(BackendUnavailable, match=r"could not reach .*is the server running"):
        m.invoke("hi")
    with pytest.raises(BackendUnavailable, match=r"is the server running"):
        load_chat_model(base_url=f"http://127.0.0.1:{free_port()}/v1")  # model discovery


def test_empty_answer_is_an_error_not_a_blank_reply(server: StubServer) -> None:
    server.script = [text(""), Reply(body=completion(""), pieces=[])]
    with pytest.raises(BackendUnavailable, match=r"empty answer"):
        model(server).invoke(MESSAGES)
    with pytest.raises(BackendUnavailable, match=r"empty answer"):
        list(model(server).stream(MESSAGES))


def test_garbage_is_an_error(server: StubServer) -> None:
    server.default = Reply(body="<html>502 Bad Gateway</html>")
    with pytest.raises(BackendUnavailable, match=r"not (JSON|a chat completion)|answered"):
        model(server).invoke(MESSAGES)


def test_openai_prefix_needs_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(BackendUnavailable, match=r"OPENAI_API_KEY"):
        load_chat_model("openai:gpt-4o-mini")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    m = load_chat_model("openai:gpt-4o-mini", temperature=0.2)
    assert m.model_name == "gpt-4o-mini"  # type: ignore[attr-defined]


def test_base_url_with_an_embedded_name_is_refused(server: StubServer) -> None:
    with pytest.raises(InvalidOption, match=r"base_url is for OpenAI-compatible servers"):
        load_chat_model("embedded:qwen2.5-0.5b", base_url=server.url)


class _Boom:
    """A chat model from elsewhere whose client raises a bare transport error."""

    model_name = "boom"

    def invoke(self, messages: object, **kw: object) -> object:
        raise ConnectionRefusedError(111, "Connection refused")

    def stream(self, messages: object, **kw: object) -> Iterator[object]:
        raise TimeoutError("timed out")
        yield


def test_safe_invoke_maps_any_models_errors(server: StubServer) -> None:
    with pytest.raises(BackendUnavailable, match=r"could not reach the chat model 'boom'"):
        safe_invoke(_Boom(), "hi")
    with pytest.raises(BackendUnavailable, match=r"did not answer in time"):
        list(safe_stream(_Boom(), "hi"))
    server.script = [text("fine"), text("streamed fine")]
    assert safe_invoke(model(server), "hi").content == "fine"
    assert "".join(str(c.content) for c in safe_stream(model(server), "hi")) == "streamed fine"
    other = ValueError("not a transport problem")
    assert map_chat_error(other) is other


def test_async_guards(server: StubServer) -> None:
    server.script = [text("a b"), text("")]

    async def go() -> tuple[str, str]:
        pieces = [str(c.content) async for c in asafe_stream(model(server), "hi")]
        try:
            await asafe_invoke(model(server), "hi")
        except BackendUnavailable as exc:
            return "".join(pieces), str(exc)
        return "".join(pieces), ""

    streamed, error = asyncio.run(go())
    assert streamed == "a b" and "empty answer" in error
