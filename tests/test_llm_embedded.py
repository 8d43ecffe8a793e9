"""The embedded chat models for real: llama.cpp on the CPU, GGUF files from `emotool models pull chat`.

SmolLM2-135M (the smallest) carries the mechanics: replies, streaming, stop sequences,
prefix reuse, async streaming. The 1.5B default answers one empathetic message.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

from emotool import assets
from emotool.errors import BackendUnavailable, InputTooLong, InvalidOption
from emotool.llm import EmbeddedChatModel, load_chat_model, supports_tools

pytestmark = pytest.mark.real
pytest.importorskip("llama_cpp", reason="needs emotool[chat]: pip install 'emotool[chat]'")

SYSTEM = (
    "You are a warm, supportive companion. You listen, acknowledge feelings, and answer in one or two "
    "short sentences. You never diagnose and never give medical advice. "
)
#: A long static prefix (persona and rules), as the agent's system prompt has.
LONG_SYSTEM = SYSTEM + " ".join(
    f"Rule {i}: be patient, kind and honest, and keep the person's own words in mind." for i in range(1, 13)
)


def need(asset: str) -> None:
    if not assets.is_present(asset):
        pytest.skip(f"{asset} is not installed: run `emotool models pull {asset}`")


@pytest.fixture(scope="module")
def tiny() -> EmbeddedChatModel:
    need("chat-smollm2-135m")
    m = load_chat_model("embedded:smollm2-135m", temperature=0, max_tokens=40, seed=7)
    assert isinstance(m, EmbeddedChatModel)
    return m


def test_short_reply(tiny: EmbeddedChatModel) -> None:
    answer = tiny.invoke([SystemMessage(SYSTEM), HumanMessage("Hello! How are you today?")])
    assert isinstance(answer, AIMessage)
    text = str(answer.content)
    assert len(text.split()) >= 3 and text == text.strip()
    assert "<|" not in text and "im_end" not in text
    meta = answer.response_metadata
    assert meta["finish_reason"] in ("stop", "length") and meta["model_name"] == "smollm2-135m"
    assert answer.usage_metadata is not None
    assert answer.usage_metadata["input_tokens"] > 20 and 0 < answer.usage_metadata["output_tokens"] <= 41


def test_stream_yields_tokens_that_make_the_same_answer(tiny: EmbeddedChatModel) -> None:
    messages = [SystemMessage(SYSTEM), HumanMessage("Tell me something kind about rainy days.")]
    chunks = [str(c.content) for c in tiny.stream(messages)]
    pieces = [c for c in chunks if c]
    assert len(pieces) >= 5  # token by token, not one block
    assert not any("<|" in c for c in chunks)
    assert "".join(chunks).strip() == tiny.invoke(messages).content  # greedy: the same answer


def test_stop_sequences_end_the_answer_and_are_not_printed(tiny: EmbeddedChatModel) -> None:
    messages = [SystemMessage(SYSTEM), HumanMessage("Tell me something kind about rainy days.")]
    full = str(tiny.invoke(messages).content)
    words = full.split()
    assert len(words) >= 4
    cut = words[3]
    stopped = str(tiny.invoke(messages, stop=[cut]).content)
    assert cut not in stopped and full.startswith(stopped)
    # the chat template's own end of turn: an answer that ends by itself never shows it
    done = tiny.invoke([HumanMessage("Say just the word: yes")], max_tokens=20)
    assert done.response_metadata["finish_reason"] == "stop"
    assert "<|" not in str(done.content)


@pytest.mark.slow
def test_the_shared_prefix_is_reused_across_turns(tiny: EmbeddedChatModel) -> None:
    first = tiny.invoke([SystemMessage(LONG_SYSTEM), HumanMessage("My exam is on Friday.")], max_tokens=8)
    second = tiny.invoke(
        [SystemMessage(LONG_SYSTEM), HumanMessage("I could not sleep last night.")], max_tokens=8
    )
    assert first.usage_metadata is not None and second.usage_metadata is not None
    prompt = second.usage_metadata["input_tokens"]
    reused = second.response_metadata["prompt_tokens_reused"]
    assert prompt > 250 and reused > 0.9 * prompt  # the whole system prompt came from the KV cache
    cold, warm = (
        first.response_metadata["time_to_first_token_s"],
        second.response_metadata["time_to_first_token_s"],
    )
    assert warm < cold


@pytest.mark.slow
def test_alternating_prompts_each_find_their_prefix_again() -> None:
    need("chat-smollm2-135m")
    model = load_chat_model("embedded:smollm2-135m", temperature=0, max_tokens=4, n_ctx=3072)
    judge = "You decide whether a message shows a crisis. " + " ".join(
        f"Criterion {i}: read literally and answer yes or no." for i in range(1, 16)
    )
    first = model.invoke([SystemMessage(LONG_SYSTEM), HumanMessage("My exam is on Friday.")])
    model.invoke([SystemMessage(judge), HumanMessage("My exam is on Friday.")])  # evicts the KV cache
    again = model.invoke([SystemMessage(LONG_SYSTEM), HumanMessage("I slept badly.")])
    assert first.usage_metadata is not None
    assert again.response_metadata["prompt_tokens_reused"] > 0.9 * first.usage_metadata["input_tokens"]
    assert again.response_metadata["time_to_first_token_s"] < first.response_metadata["time_to_first_token_s"]


@pytest.mark.slow
def test_prefill_puts_the_system_prompt_in_the_cache_before_the_first_turn() -> None:
    need("chat-smollm2-135m")
    model = load_chat_model("embedded:smollm2-135m", temperature=0, max_tokens=4, n_ctx=2048)
    assert isinstance(model, EmbeddedChatModel)
    done = model.prefill(LONG_SYSTEM)
    assert done.tokens > 250 and done.evaluated == done.tokens
    assert model.prefill(LONG_SYSTEM).evaluated == 0  # already there
    answer = model.invoke([SystemMessage(LONG_SYSTEM), HumanMessage("My exam is on Friday.")])
    assert answer.response_metadata["prompt_tokens_reused"] >= done.tokens


def test_models_with_the_same_settings_share_one_loaded_model(tiny: EmbeddedChatModel) -> None:
    other = load_chat_model("embedded:smollm2-135m", temperature=0.9, max_tokens=10)
    assert isinstance(other, EmbeddedChatModel)
    assert other.load() is tiny.load()


async def test_astream_keeps_the_event_loop_free(tiny: EmbeddedChatModel) -> None:
    ticks = 0

    async def ticker() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0.01)
            ticks += 1

    task = asyncio.create_task(ticker())
    t0 = time.perf_counter()
    pieces = [str(c.content) async for c in tiny.astream("Describe a calm morning.", max_tokens=30)]
    elapsed = time.perf_counter() - t0
    task.cancel()
    assert len([p for p in pieces if p]) >= 5
    assert ticks >= 0.3 * elapsed / 0.01  # the loop ran while llama.cpp generated


async def test_leaving_astream_early_frees_the_model(tiny: EmbeddedChatModel) -> None:
    async for chunk in tiny.astream("Count slowly from one to fifty.", max_tokens=200):
        if chunk.content:
            break
    answer = await tiny.ainvoke("Say hello.", max_tokens=5)  # the lock was released
    assert answer.content


def test_no_tools_for_small_local_models_and_no_unknown_options(tiny: EmbeddedChatModel) -> None:
    assert supports_tools(tiny) is False
    with pytest.raises(BackendUnavailable, match=r"cannot call tools.*observations in the prompt"):
        tiny.bind_tools([])
    with pytest.raises(InvalidOption, match=r"no option tool_choice.*max_tokens"):
        tiny.invoke("hello", tool_choice="auto")


def test_a_conversation_longer_than_the_context_is_refused_clearly() -> None:
    need("chat-smollm2-135m")
    small = load_chat_model("embedded:smollm2-135m", n_ctx=256, max_tokens=32)
    with pytest.raises(InputTooLong, match=r"more than the model's context of 256"):
        small.invoke([SystemMessage(LONG_SYSTEM), HumanMessage("hello")])


@pytest.mark.slow
def test_default_model_answers_an_empathetic_message_sensibly() -> None:
    need("chat-qwen2.5-1.5b")
    model = load_chat_model(temperature=0, max_tokens=60, seed=1)  # the embedded default
    assert isinstance(model, EmbeddedChatModel) and model.model_name == "qwen2.5-1.5b"
    answer = model.invoke(
        [
            SystemMessage(SYSTEM),
            HumanMessage("I failed my driving test this morning and I feel like such an idiot."),
        ]
    )
    text = str(answer.content).lower()
    assert 3 <= len(text.split()) <= 80 and "<|" not in text
    assert any(w in text for w in ("sorry", "understand", "frustrat", "disappoint", "tough", "hard", "okay"))
    assert "driv" in text or "test" in text  # about what the person said


def test_works_inside_a_langchain_agent_and_streams_tokens(tiny: EmbeddedChatModel) -> None:
    agents = pytest.importorskip("langchain.agents", reason="needs emotool[agent]")
    agent = agents.create_agent(model=tiny, tools=[], system_prompt=SYSTEM)
    request = {"messages": [{"role": "user", "content": "I lost my keys again."}]}
    tokens = [c.content for c, _ in agent.stream(request, stream_mode="messages") if c.content]
    assert len(tokens) >= 5
    reply = agent.invoke(request)["messages"][-1]
    assert isinstance(reply, AIMessage) and reply.content and "<|" not in str(reply.content)
