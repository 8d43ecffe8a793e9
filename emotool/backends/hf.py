"""The ``hf`` backend: a local Hugging Face vision-language model through transformers.

Any checkpoint that loads with ``AutoModelForImageTextToText`` and
``AutoProcessor`` and has a chat template works: Qwen2.5-VL, LLaVA(-OneVision),
SmolVLM, Idefics3, Gemma 3, ... given as a Hub id (with network) or a local
folder written by ``save_pretrained``. Made for a GPU (``device_map="auto"``
through accelerate, bfloat16/float16, optional 4-bit through bitsandbytes), and
the whole path also runs on the CPU in float32.

Install: ``pip install 'emotool[hf]'`` (transformers >= 5, accelerate). For
4-bit loading also ``pip install bitsandbytes`` on a CUDA machine. Qwen2-VL
family processors also need ``torchvision``.

Example (GPU):
    >>> from emotool.backends import get_backend
    >>> backend = get_backend("hf", model="Qwen/Qwen2.5-VL-7B-Instruct")  # doctest: +SKIP
"""

from __future__ import annotations

import os
import threading
import warnings
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..errors import BackendUnavailable, missing_extra
from ..schema import ModelInfo
from .base import Completion, VLMBackend, VLMRequest

#: Environment variable with the default model id or path.
MODEL_ENV = "EMOTOOL_HF_MODEL"


class HFOptions(BaseModel):
    """Options of the ``hf`` backend.

    Attributes:
        model: Hub id or local folder (default ``$EMOTOOL_HF_MODEL``).
        device: ``auto`` (CUDA if present, else CPU), ``cpu``, ``cuda``, ``cuda:1``...
            (default ``$EMOTOOL_DEVICE`` or ``auto``).
        device_map: Passed to ``from_pretrained`` (``auto`` spreads a large model
            over the GPUs and the CPU through accelerate); ``None`` loads on ``device``.
        dtype: ``auto`` (bf16/fp16 on GPU, fp32 on CPU), ``float32``, ``bfloat16``, ``float16``.
        quantization: ``4bit`` or ``8bit`` through bitsandbytes (CUDA only), or ``None``.
        max_new_tokens: Longest answer, in tokens.
        batch_size: Requests generated together (left-padded).
        do_sample: Sample instead of greedy decoding.
        temperature: Sampling temperature (with ``do_sample``).
        trust_remote_code: Allow the checkpoint's own code (only for checkpoints you trust).
        revision: Git revision of a Hub checkpoint.
        local_files_only: Never touch the network, only the local cache or folder.
        repair_retries: Retries of an unusable answer with a repair message.
    """

    model_config = ConfigDict(extra="forbid")

    model: str | None = None
    device: str | None = None
    device_map: str | dict[str, Any] | None = "auto"
    dtype: str = "auto"
    quantization: Literal["4bit", "8bit"] | None = None
    max_new_tokens: int = Field(default=512, ge=1, le=8192)
    batch_size: int = Field(default=4, ge=1, le=256)
    do_sample: bool = False
    temperature: float = Field(default=0.7, gt=0, le=2)
    trust_remote_code: bool = False
    revision: str | None = None
    local_files_only: bool = False
    repair_retries: int = Field(default=1, ge=0, le=3)


def _imports() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise missing_extra(exc.name or "transformers", "hf") from None
    major = int(transformers.__version__.split(".")[0])
    if major < 5:
        raise BackendUnavailable(
            f"the hf backend needs transformers >= 5 (found {transformers.__version__}); "
            "upgrade with pip install 'emotool[hf]'"
        )
    return torch, transformers


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def load_model(opts: HFOptions, record: dict[str, Any] | None = None) -> tuple[Any, Any]:
    """Load ``(model, processor)`` as ``opts`` says; the one place the hf backend touches ``from_pretrained``.

    Args:
        opts: The backend options.
        record: If given, filled with the keyword arguments passed to the model's ``from_pretrained``.

    Raises:
        BackendUnavailable: transformers/accelerate/bitsandbytes missing, no model
            given, or the checkpoint cannot be loaded (the message says what to do).
    """
    _, transformers = _imports()
    from .. import config

    model_id = opts.model or os.environ.get(MODEL_ENV)
    if not model_id:
        raise BackendUnavailable(
            "the hf backend needs a model: pass model='Qwen/Qwen2.5-VL-7B-Instruct' (or a local folder) "
            f"or set ${MODEL_ENV}"
        )
    config.init_torch()
    device = config.torch_device(opts.device)
    dtype = config.torch_dtype(opts.dtype, device)
    common: dict[str, Any] = {
        "trust_remote_code": opts.trust_remote_code,
        "local_files_only": opts.local_files_only,
    }
    if opts.revision:
        common["revision"] = opts.revision
    kwargs: dict[str, Any] = {**common, "dtype": dtype}
    if opts.quantization:
        if not _has("bitsandbytes"):
            raise BackendUnavailable(
                f"quantization={opts.quantization!r} needs bitsandbytes; install it with "
                "pip install 'emotool[hf]' bitsandbytes (CUDA GPU required), or drop quantization"
            )
        if not device.startswith("cuda"):
            raise BackendUnavailable(
                f"quantization={opts.quantization!r} through bitsandbytes needs a CUDA GPU; this run is on "
                f"{device}. Drop quantization to run in float32 on the CPU"
            )
        kwargs["quantization_config"] = transformers.BitsAndBytesConfig(
            load_in_4bit=opts.quantization == "4bit",
            load_in_8bit=opts.quantization == "8bit",
            bnb_4bit_compute_dtype=dtype,
            bnb_4bit_quant_type="nf4",
        )
    move_to: str | None = None
    if opts.device_map is not None:
        if _has("accelerate"):
            # an explicit device wins over "auto"
            kwargs["device_map"] = device if opts.device and opts.device_map == "auto" else opts.device_map
        else:
            warnings.warn(
                "device_map needs accelerate (pip install 'emotool[hf]'); loading the whole model on "
                f"{device} instead",
                stacklevel=2,
            )
            move_to = device
    else:
        move_to = device
    if record is not None:
        record.update(kwargs)
    try:
        processor = transformers.AutoProcessor.from_pretrained(model_id, **common)
        model = transformers.AutoModelForImageTextToText.from_pretrained(model_id, **kwargs)
    except (OSError, ValueError, KeyError) as exc:
        first = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else type(exc).__name__
        raise BackendUnavailable(
            f"could not load the vision-language model {model_id!r}: {first}. Give a local folder written "
            "by save_pretrained, or a Hub id with network access (and torchvision for Qwen2-VL models)"
        ) from exc
    if move_to is not None and "quantization_config" not in kwargs:
        model = model.to(move_to)
    model.eval()
    if getattr(processor, "chat_template", None) is None:
        raise BackendUnavailable(
            f"the processor of {model_id!r} has no chat template; use an instruction-tuned checkpoint "
            "(e.g. Qwen/Qwen2.5-VL-7B-Instruct) or add a chat_template to its processor"
        )
    tok = getattr(processor, "tokenizer", None)
    if tok is not None:
        tok.padding_side = "left"  # decoder-only batched generation
        if tok.pad_token_id is None and tok.eos_token_id is not None:
            tok.pad_token = tok.eos_token
    return model, processor


class HFBackend(VLMBackend):
    """A local vision-language model as the reasoning backend.

    Args:
        **options: See :class:`HFOptions` (``model`` is required unless
            ``$EMOTOOL_HF_MODEL`` is set).

    The model loads on first use (or :meth:`load`), once per backend instance.
    """

    name = "hf"

    def __init__(self, **options: Any) -> None:
        self.options = HFOptions(**options)
        super().__init__(repair_retries=self.options.repair_retries)
        self._model: Any = None
        self._processor: Any = None
        self._system_role = True
        self._lock = threading.RLock()
        #: The keyword arguments the model was loaded with (dtype, device_map, quantization_config).
        self.load_kwargs: dict[str, Any] = {}

    # loading ----------------------------------------------------------------
    def load(self) -> HFBackend:
        """Load the model and processor now (otherwise on the first request)."""
        with self._lock:
            if self._model is None:
                self._model, self._processor = load_model(self.options, self.load_kwargs)
        return self

    @property
    def model(self) -> Any:
        """The transformers model (loaded on access)."""
        return self.load()._model

    @property
    def processor(self) -> Any:
        """The transformers processor (loaded on access)."""
        return self.load()._processor

    def model_info(self) -> ModelInfo:
        """The model, as recorded in readings."""
        name = self.options.model or os.environ.get(MODEL_ENV) or "unknown"
        if os.path.isdir(name):
            name = os.path.basename(os.path.normpath(name))
        return ModelInfo(name=name, role="vlm")

    # prompts ----------------------------------------------------------------
    def chat(self, req: VLMRequest) -> list[dict[str, Any]]:
        """The request as a transformers chat: image parts are ``{"type": "image"}``."""
        out: list[dict[str, Any]] = []
        for m in req.messages():
            if isinstance(m["content"], str):
                content = [{"type": "text", "text": m["content"]}]
            else:
                content = [{"type": "image"} if p["type"] == "image" else p for p in m["content"]]
            out.append({"role": m["role"], "content": content})
        if not self._system_role:
            system = out.pop(0)["content"][0]["text"]
            out[0]["content"].insert(0, {"type": "text", "text": system + "\n\n"})
        return out

    def prompt_text(self, req: VLMRequest) -> str:
        """The full prompt text the model sees (chat template applied, image tokens not yet expanded)."""
        proc = self.processor
        try:
            return str(proc.apply_chat_template(self.chat(req), add_generation_prompt=True, tokenize=False))
        except Exception:
            if not self._system_role:
                raise
            self._system_role = False  # e.g. "System role not supported": fold it into the user turn
            return str(proc.apply_chat_template(self.chat(req), add_generation_prompt=True, tokenize=False))

    def prepare(self, requests: list[VLMRequest]) -> Any:
        """The inputs of a batch: left-padded token ids and every view's pixels, on the model's device."""
        from PIL import Image

        texts = [self.prompt_text(r) for r in requests]
        images = [[Image.fromarray(v.rgb) for v in r.views] for r in requests]
        inputs = self.processor(text=texts, images=images, padding=True, return_tensors="pt")
        model = self.model
        inputs = inputs.to(model.device)
        if "pixel_values" in inputs and inputs["pixel_values"].is_floating_point():
            inputs["pixel_values"] = inputs["pixel_values"].to(model.dtype)
        return inputs

    # generation -------------------------------------------------------------
    def _complete(self, requests: list[VLMRequest]) -> list[Completion]:
        torch, _ = _imports()
        o = self.options
        outs: list[Completion] = []
        tok = getattr(self.processor, "tokenizer", None)
        pad = getattr(tok, "pad_token_id", None)
        gen_kwargs: dict[str, Any] = {"max_new_tokens": o.max_new_tokens, "do_sample": o.do_sample}
        if o.do_sample:
            gen_kwargs["temperature"] = o.temperature
        if pad is not None:
            gen_kwargs["pad_token_id"] = pad
        for start in range(0, len(requests), o.batch_size):
            chunk = requests[start : start + o.batch_size]
            inputs = self.prepare(chunk)
            with self._lock, torch.inference_mode():
                generated = self.model.generate(**inputs, **gen_kwargs)
            prompt_len = inputs["input_ids"].shape[1]
            new = generated[:, prompt_len:]
            texts = self.processor.batch_decode(new, skip_special_tokens=True)
            mask = inputs.get("attention_mask")
            for row, text in enumerate(texts):
                n_prompt = int(mask[row].sum()) if mask is not None else prompt_len
                n_new = int((new[row] != pad).sum()) if pad is not None else int(new.shape[1])
                outs.append(Completion(text=text, prompt_tokens=n_prompt, completion_tokens=n_new))
        return outs
