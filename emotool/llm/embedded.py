"""EmbeddedChatModel: a LangChain chat model over llama.cpp (``llama-cpp-python``), offline on the CPU.

One ``llama_cpp.Llama`` per (file, context size, threads) is kept for the whole
process, so every turn and every ``EmbeddedChatModel`` built with the same
settings reuses the loaded weights and its KV cache: llama.cpp compares the new
prompt with the tokens it already holds and evaluates only what differs, so a
conversation that keeps its static part (system prompt, persona) first pays for
that prefix once. The states of recent conversations are also kept in RAM
(``state_cache_mb``), so calls that alternate between prompts (the reply, a safety
judge, a session summary) each find their own prefix again. The chat template
comes from the GGUF file itself.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import ctypes
import logging
import threading
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

from .. import config
from ..errors import BackendUnavailable, InputTooLong, InvalidOption, missing_extra
from .messages import CHATML_STOP, SpecialTokenFilter, result_from_stream, to_role_dicts

#: A ChatML template, used when a GGUF file carries no chat template of its own.
CHATML_TEMPLATE = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)


@dataclass
class LoadedModel:
    """A loaded llama.cpp model, shared by every chat model with the same settings."""

    llama: Any
    """The ``llama_cpp.Llama`` instance."""
    formatter: Any
    """Renders messages into the model's prompt (its GGUF chat template), ready for the answer."""
    prefix_formatter: Any
    """The same without the assistant's opening (for :meth:`EmbeddedChatModel.prefill`)."""
    lock: threading.Lock
    """One generation at a time: the KV cache belongs to the instance."""
    path: str
    load_seconds: float


@dataclass(frozen=True)
class Prefilled:
    """What :meth:`EmbeddedChatModel.prefill` did."""

    tokens: int
    """Tokens in the prefix."""
    evaluated: int
    """Of those, the ones that were not in the KV cache already."""
    seconds: float


_models: dict[tuple[str, int, int], LoadedModel] = {}
_models_lock = threading.Lock()
_log_callback: Any = None
log = logging.getLogger(__name__)


def _quiet_llama_cpp(llama_cpp: Any) -> None:
    """Send llama.cpp's own log to Python logging at debug level (it would print warnings to stderr)."""
    global _log_callback
    if _log_callback is not None:
        return

    @llama_cpp.llama_log_callback
    def callback(level: int, text: bytes, user_data: Any) -> None:
        log.debug("llama.cpp: %s", text.decode("utf-8", "replace").rstrip())

    _log_callback = callback  # kept alive: llama.cpp holds a pointer to it
    llama_cpp.llama_log_set(callback, ctypes.c_void_p(0))


def clear_model_cache() -> None:
    """Forget every loaded model (their memory is freed once no chat model uses them)."""
    with _models_lock:
        _models.clear()


def _close_all() -> None:
    """Close the loaded models while the interpreter is still whole (at exit): llama.cpp's own
    finaliser runs too late otherwise and prints a TypeError traceback as the process ends."""
    with _models_lock:
        for loaded in _models.values():
            with contextlib.suppress(Exception):
                loaded.llama.close()
        _models.clear()


def _load(path: str, n_ctx: int, n_threads: int, n_gpu_layers: int, state_cache_mb: int) -> LoadedModel:
    key = (path, n_ctx, n_threads)
    with _models_lock:
        found = _models.get(key)
        if found is not None:
            _ensure_state_cache(found, state_cache_mb)
            return found
        try:
            import llama_cpp
            from llama_cpp.llama_chat_format import Jinja2ChatFormatter
        except ImportError:
            raise missing_extra("llama-cpp-python", "chat") from None
        _quiet_llama_cpp(llama_cpp)
        if not Path(path).is_file():
            raise BackendUnavailable(f"no GGUF model file at {path}; check the path or fetch the model")
        t0 = time.perf_counter()
        try:
            llama = llama_cpp.Llama(
                model_path=path,
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                n_gpu_layers=n_gpu_layers,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise BackendUnavailable(
                f"llama.cpp could not load {path} ({exc}); is it a complete GGUF file? "
                "Fetch it again with `emotool models pull NAME --force`"
            ) from exc
        template = llama.metadata.get("tokenizer.chat_template") or CHATML_TEMPLATE
        eos, bos = llama.token_eos(), llama.token_bos()
        formatters = [
            Jinja2ChatFormatter(
                template=template,
                eos_token=llama._model.token_get_text(eos) if eos != -1 else "",
                bos_token=llama._model.token_get_text(bos) if bos != -1 else "",
                add_generation_prompt=answer,
            )
            for answer in (True, False)
        ]
        loaded = LoadedModel(
            llama, formatters[0], formatters[1], threading.Lock(), path, time.perf_counter() - t0
        )
        _ensure_state_cache(loaded, state_cache_mb)
        if not _models:
            atexit.register(_close_all)
        _models[key] = loaded
        return loaded


def _ensure_state_cache(loaded: LoadedModel, mb: int) -> None:
    """Keep recent conversations' states in RAM (largest size asked for wins)."""
    if mb <= 0:
        return
    import llama_cpp

    cache = loaded.llama.cache
    if cache is None or cache.capacity_bytes < mb << 20:
        loaded.llama.set_cache(llama_cpp.LlamaRAMCache(capacity_bytes=mb << 20))


def _reusable_prefix(llama: Any, tokens: list[int]) -> int:
    """Prompt tokens llama.cpp will not evaluate: held in the KV cache, or in a saved state."""
    best = _common_prefix(llama._input_ids.tolist(), tokens)
    if llama.cache is not None:
        for key in llama.cache.cache_state:
            best = max(best, _common_prefix(key, tokens))
    return best


def _common_prefix(held: Sequence[int], new: Sequence[int]) -> int:
    n = 0
    for a, b in zip(held, new[:-1], strict=False):  # llama.cpp re-evaluates at least the last prompt token
        if a != b:
            break
        n += 1
    return n


class EmbeddedChatModel(BaseChatModel):
    """A GGUF chat model run by llama.cpp on this machine, with streaming and prefix caching.

    Example:
        >>> from emotool.llm import EmbeddedChatModel
        >>> model = EmbeddedChatModel(model_name="qwen2.5-0.5b", max_tokens=64)
        >>> for chunk in model.stream("I failed my driving test today."):
        ...     print(chunk.content, end="")

    ``response_metadata`` of the answer holds ``prompt_tokens_reused`` (prompt tokens
    taken from the KV cache or a saved state instead of being evaluated) and
    ``time_to_first_token_s``.
    """

    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    supports_tool_calling: ClassVar[bool] = False

    model_name: str = "qwen2.5-1.5b"
    """A name of ``emotool.llm.EMBEDDED_MODELS``, or a label for ``model_path``."""
    model_path: str | None = None
    """A GGUF file to run instead of the named model's asset."""
    n_ctx: int = Field(default=4096, ge=256)
    """Context window in tokens (prompt plus answer)."""
    n_threads: int | None = Field(default=None, ge=1)
    """CPU threads; default ``emotool.config.llm_threads()``."""
    n_gpu_layers: int = 0
    """Layers offloaded to a GPU (needs a GPU build of llama-cpp-python; -1 for all)."""
    state_cache_mb: int = Field(default=256, ge=0)
    """RAM for the states of recent conversations (0: only the last one, in the KV cache).
    When calls alternate between prompts (a reply, a safety judge, a summary), each finds
    its own prefix again instead of evaluating it anew."""
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    max_tokens: int = Field(default=256, ge=1)
    top_p: float = Field(default=0.9, gt=0.0, le=1.0)
    top_k: int = Field(default=40, ge=0)
    repeat_penalty: float = Field(default=1.1, ge=0.5, le=2.0)
    seed: int | None = None
    """Sampling seed, for reproducible answers; None samples freshly."""
    stop: list[str] = Field(default_factory=lambda: list(CHATML_STOP))
    """Stop sequences (never part of the answer)."""

    @property
    def _llm_type(self) -> str:
        return "emotool-llamacpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_name": self.model_name,
            "n_ctx": self.n_ctx,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "top_p": self.top_p,
            "repeat_penalty": self.repeat_penalty,
        }

    def resolved_path(self) -> str:
        """The GGUF file this model runs (fetched assets are checked against their sha256)."""
        if self.model_path:
            return str(Path(self.model_path).expanduser())
        from .. import assets
        from .registry import embedded_model

        return str(assets.path(embedded_model(self.model_name).asset))

    def load(self) -> LoadedModel:
        """Load the model now (or get the already loaded one); later turns reuse it."""
        return _load(
            self.resolved_path(),
            self.n_ctx,
            self.n_threads or config.llm_threads(),
            self.n_gpu_layers,
            self.state_cache_mb,
        )

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        """Not supported: small local models get observations in the prompt instead of tools.

        Raises:
            BackendUnavailable: Always; check ``emotool.llm.supports_tools(model)`` first.
        """
        raise BackendUnavailable(
            f"the embedded chat model {self.model_name!r} cannot call tools: small local models get the "
            "observations in the prompt instead. Check emotool.llm.supports_tools(model) before binding "
            "tools, or use a tool-calling model (openai:MODEL, or a server with base_url)"
        )

    def prefill(self, messages: str | Sequence[BaseMessage]) -> Prefilled:
        """Evaluate the start of a conversation into the KV cache now, before anyone is waiting.

        Call it with the system prompt (a string) or the first messages when a session
        opens; the first answer then only evaluates what follows them.

        Returns:
            How many tokens the prefix has, how many were not cached already, and the time taken.
        """
        from langchain_core.messages import SystemMessage

        msgs: list[BaseMessage] = [SystemMessage(messages)] if isinstance(messages, str) else list(messages)
        loaded = self.load()
        tokens = self._prompt_tokens(loaded, msgs, answer=False)
        with loaded.lock:
            llama = loaded.llama
            held = _common_prefix(llama._input_ids.tolist(), [*tokens, -1])
            t0 = time.perf_counter()
            if held < len(tokens):
                llama.n_tokens = held  # llama.cpp drops the cache after this point before evaluating
                llama.eval(tokens[held:])
            return Prefilled(len(tokens), len(tokens) - held, time.perf_counter() - t0)

    def _prompt_tokens(
        self, loaded: LoadedModel, messages: list[BaseMessage], answer: bool = True
    ) -> list[int]:
        formatter = loaded.formatter if answer else loaded.prefix_formatter
        rendered = formatter(messages=to_role_dicts(messages))
        llama = loaded.llama
        bos = llama.token_bos()
        bos_text = llama._model.token_get_text(bos) if bos != -1 else ""
        add_bos = not (bos_text and rendered.prompt.startswith(bos_text))
        tokens: list[int] = llama.tokenize(rendered.prompt.encode("utf-8"), add_bos=add_bos, special=True)
        return tokens

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        loaded = self.load()
        max_tokens = int(kwargs.pop("max_tokens", self.max_tokens))
        params: dict[str, Any] = {
            "max_tokens": max_tokens,
            "temperature": kwargs.pop("temperature", self.temperature),
            "top_p": kwargs.pop("top_p", self.top_p),
            "top_k": kwargs.pop("top_k", self.top_k),
            "repeat_penalty": kwargs.pop("repeat_penalty", self.repeat_penalty),
            "stop": [*self.stop, *(stop or [])],
            "seed": kwargs.pop("seed", self.seed),
        }
        unknown = [k for k in kwargs if not k.startswith("ls_")]  # ls_*: LangChain's tracing hints
        if unknown:
            raise InvalidOption(
                f"the embedded chat model takes no option {', '.join(unknown)}; it takes max_tokens, "
                "temperature, top_p, top_k, repeat_penalty and seed"
            )
        tokens = self._prompt_tokens(loaded, messages)
        if len(tokens) + max_tokens > self.n_ctx:
            raise InputTooLong(
                f"the conversation is {len(tokens)} tokens and the answer may take {max_tokens}, more than "
                f"the model's context of {self.n_ctx}; keep fewer earlier turns, or raise n_ctx"
            )
        filt = SpecialTokenFilter()
        generated, finish = 0, None
        with loaded.lock:
            reused = _reusable_prefix(loaded.llama, tokens)
            t0 = time.perf_counter()
            first: float | None = None
            pieces = loaded.llama.create_completion(tokens, stream=True, **params)
            try:
                for chunk in pieces:
                    choice = chunk["choices"][0]
                    finish = choice.get("finish_reason") or finish
                    piece = choice.get("text") or ""
                    generated += 1
                    text = filt.feed(piece)
                    if text:
                        if first is None:
                            first = time.perf_counter() - t0
                        out = ChatGenerationChunk(message=AIMessageChunk(content=text))
                        if run_manager:
                            run_manager.on_llm_new_token(text, chunk=out)
                        yield out
            finally:
                pieces.close()
        tail = filt.flush()
        meta = {
            "model_name": self.model_name,
            "finish_reason": finish or "stop",
            "prompt_tokens_reused": reused,
            "time_to_first_token_s": first,
            "generation_s": time.perf_counter() - t0,
        }
        usage = UsageMetadata(
            input_tokens=len(tokens), output_tokens=generated, total_tokens=len(tokens) + generated
        )
        last = ChatGenerationChunk(
            message=AIMessageChunk(
                content=tail,
                response_metadata=meta,
                usage_metadata=usage,
                chunk_position="last",
            )
        )
        if tail and run_manager:
            run_manager.on_llm_new_token(tail, chunk=last)
        yield last

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return result_from_stream(self._stream(messages, stop=stop, run_manager=run_manager, **kwargs))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        """Generate in a worker thread (the event loop stays free) and hand over each piece.

        Leaving the loop early (or cancelling the task) stops generation at the next token.
        """
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        cancelled = threading.Event()
        done = object()

        def put(item: Any) -> None:
            with contextlib.suppress(RuntimeError):  # the loop closed: nobody is listening
                loop.call_soon_threadsafe(queue.put_nowait, item)

        def work() -> None:
            try:
                for chunk in self._stream(messages, stop=stop, **kwargs):
                    if cancelled.is_set():
                        break
                    put(chunk)
            except BaseException as exc:
                put(exc)
            finally:
                put(done)

        worker = loop.run_in_executor(None, work)
        try:
            while True:
                item = await queue.get()
                if item is done:
                    break
                if isinstance(item, BaseException):
                    raise item
                if run_manager and item.text:
                    await run_manager.on_llm_new_token(item.text, chunk=item)
                yield item
        finally:
            cancelled.set()
            with contextlib.suppress(BaseException):
                await asyncio.shield(worker)
