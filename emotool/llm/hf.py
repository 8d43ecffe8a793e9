"""HFChatModel: a local Hugging Face causal LM as a LangChain chat model (transformers; a GPU when present).

``hf:NAME`` in :func:`emotool.llm.load_chat_model`. The model's own chat template
formats the conversation; generation runs in a worker thread that feeds a
``TextIteratorStreamer``, so ``stream`` yields text as it is produced. Device and
dtype are chosen by :mod:`emotool.config` (``EMOTOOL_DEVICE``, ``EMOTOOL_DTYPE``).
One loaded model per (name, device, dtype) is kept for the process.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, Field

from .. import config
from ..errors import BackendUnavailable, missing_extra
from .messages import SpecialTokenFilter, result_from_stream, to_role_dicts

_loaded: dict[tuple[str, str, str], tuple[Any, Any, threading.Lock]] = {}
_loaded_lock = threading.Lock()


def _load(name: str, device: str, dtype: Any, local_only: bool) -> tuple[Any, Any, threading.Lock]:
    key = (name, device, str(dtype))
    with _loaded_lock:
        if key in _loaded:
            return _loaded[key]
        try:
            from transformers import AutoModelForCausalLM, AutoTokenizer
        except ImportError:
            raise missing_extra("transformers", "hf") from None
        try:
            tok = AutoTokenizer.from_pretrained(name, local_files_only=local_only)
            model: Any = AutoModelForCausalLM.from_pretrained(name, dtype=dtype, local_files_only=local_only)
        except OSError as exc:
            raise BackendUnavailable(
                f"could not load the Hugging Face model {name!r} ({exc}); give a local folder, or download "
                "it first (`hf download NAME`) on a machine with network"
            ) from exc
        if getattr(tok, "chat_template", None) is None:
            raise BackendUnavailable(
                f"the Hugging Face model {name!r} has no chat template; use an instruct/chat model"
            )
        model.to(device).eval()
        _loaded[key] = (tok, model, threading.Lock())
        return _loaded[key]


class HFChatModel(BaseChatModel):
    """A local transformers chat model (``AutoModelForCausalLM`` and its chat template).

    Example:
        >>> from emotool.llm import load_chat_model
        >>> model = load_chat_model("hf:Qwen/Qwen2.5-7B-Instruct")   # on a GPU
    """

    model_config = ConfigDict(extra="forbid")
    supports_tool_calling: ClassVar[bool] = False

    model_name: str
    """A Hugging Face Hub id or a local folder."""
    device: str | None = None
    """``cpu``, ``cuda``...; default ``emotool.config.torch_device()``."""
    dtype: str | None = None
    """``auto``, ``float32``, ``bfloat16``, ``float16``; default ``emotool.config.torch_dtype()``."""
    local_files_only: bool = False
    """Never reach the Hub (a folder, or a model already in the Hugging Face cache)."""
    temperature: float = Field(default=0.7, ge=0.0, le=2.0)
    max_tokens: int = Field(default=256, ge=1)
    top_p: float = Field(default=0.9, gt=0.0, le=1.0)
    repeat_penalty: float = Field(default=1.1, ge=0.5, le=2.0)
    seed: int | None = None

    @property
    def _llm_type(self) -> str:
        return "emotool-transformers"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_name": self.model_name, "temperature": self.temperature, "max_tokens": self.max_tokens}

    def load(self) -> tuple[Any, Any, threading.Lock]:
        """Load the tokenizer and model now (later calls reuse them)."""
        try:
            import torch  # noqa: F401
        except ImportError:
            raise missing_extra("torch", "hf") from None
        config.init_torch()
        device = config.torch_device(self.device)
        return _load(self.model_name, device, config.torch_dtype(self.dtype, device), self.local_files_only)

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Any:
        """Not supported: local models get the observations in the prompt.

        Raises:
            BackendUnavailable: Always.
        """
        raise BackendUnavailable(
            f"the local model {self.model_name!r} is not set up for tool calls: it gets the observations "
            "in the prompt. Check emotool.llm.supports_tools(model) first, or use a server with base_url"
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        import torch
        from transformers import TextIteratorStreamer

        tok, model, lock = self.load()
        inputs = tok.apply_chat_template(
            to_role_dicts(messages), add_generation_prompt=True, return_tensors="pt", return_dict=True
        ).to(model.device)
        temperature = float(kwargs.get("temperature", self.temperature))
        gen: dict[str, Any] = {
            **inputs,
            "max_new_tokens": int(kwargs.get("max_tokens", self.max_tokens)),
            "do_sample": temperature > 0,
            "repetition_penalty": self.repeat_penalty,
            "pad_token_id": tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id,
        }
        if temperature > 0:
            gen.update(temperature=temperature, top_p=self.top_p)
        if stop:
            gen.update(stop_strings=list(stop), tokenizer=tok)
        streamer = TextIteratorStreamer(tok, skip_prompt=True, skip_special_tokens=True, timeout=600)
        gen["streamer"] = streamer
        failure: list[BaseException] = []
        n_prompt = int(inputs["input_ids"].shape[-1])
        n_out: list[int] = []

        def work() -> None:
            try:
                with torch.inference_mode():
                    if self.seed is not None:
                        torch.manual_seed(self.seed)
                    n_out.append(int(model.generate(**gen).shape[-1]) - n_prompt)
            except BaseException as exc:  # handed to the caller below
                failure.append(exc)
                streamer.end()

        filt = SpecialTokenFilter()
        with lock:
            worker = threading.Thread(target=work, daemon=True)
            worker.start()
            stopped = False
            for piece in streamer:
                if stopped:
                    continue  # drain: generation ends at the stop string
                text = filt.feed(piece)
                for s in stop or ():
                    if s in text:
                        text, stopped = text.split(s)[0], True
                if text:
                    out = ChatGenerationChunk(message=AIMessageChunk(content=text))
                    if run_manager:
                        run_manager.on_llm_new_token(text, chunk=out)
                    yield out
            worker.join()
        if failure:
            exc = failure[0]
            raise BackendUnavailable(f"generation failed in {self.model_name!r}: {exc}") from exc
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content=filt.flush(),
                response_metadata={"model_name": self.model_name, "finish_reason": "stop"},
                usage_metadata=UsageMetadata(
                    input_tokens=n_prompt,
                    output_tokens=n_out[0] if n_out else 0,
                    total_tokens=n_prompt + (n_out[0] if n_out else 0),
                ),
                chunk_position="last",
            )
        )

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return result_from_stream(self._stream(messages, stop=stop, run_manager=run_manager, **kwargs))
