"""The ``hf:`` chat path end to end on a tiny randomly initialised Llama built offline in the test.

No chat model can be downloaded here, so the weights are random (the text is gibberish):
what is checked is the real path: loading through the public loader, the chat template,
streaming through a TextIteratorStreamer, greedy reproducibility, max_tokens, clean errors.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from emotool.errors import BackendUnavailable
from emotool.llm import HFChatModel, load_chat_model, supports_tools

pytest.importorskip("transformers", reason="needs emotool[hf]: pip install 'emotool[hf]'")

CHATML = (
    "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}"
    "{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}"
)
CORPUS = [
    "I failed my exam and I feel awful about it.",
    "That sounds really hard. How are you feeling now?",
    "You are a kind companion who listens and answers briefly.",
    "It is okay to feel sad. Would you like to talk about it?",
] * 20


def build_tiny_chat_lm(out: Path, *, with_template: bool = True, seed: int = 0) -> Path:
    """Write a tiny Llama causal LM with a ChatML tokenizer to ``out``."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
    bpe = Tokenizer(models.BPE())
    bpe.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    bpe.decoder = decoders.ByteLevel()
    bpe.train_from_iterator(
        CORPUS,
        trainers.BpeTrainer(
            vocab_size=400,
            special_tokens=specials,
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        ),
    )
    tok = PreTrainedTokenizerFast(tokenizer_object=bpe, eos_token="<|im_end|>", pad_token="<|endoftext|>")
    if with_template:
        tok.chat_template = CHATML
    torch.manual_seed(seed)
    cfg = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=256,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
    )
    LlamaForCausalLM(cfg).save_pretrained(out)
    tok.save_pretrained(out)
    return out


@pytest.fixture(scope="module")
def tiny_lm(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_chat_lm(tmp_path_factory.mktemp("tiny-lm"))


MESSAGES = [SystemMessage("You are a kind companion."), HumanMessage("I failed my exam.")]


def test_hf_model_streams_and_invokes_the_same_greedy_answer(tiny_lm: Path) -> None:
    model = load_chat_model(
        f"hf:{tiny_lm}", temperature=0, max_tokens=12, local_files_only=True, device="cpu"
    )
    assert isinstance(model, HFChatModel) and supports_tools(model) is False
    pieces = [str(c.content) for c in model.stream(MESSAGES)]
    assert len([p for p in pieces if p]) >= 2  # streamed, not one block
    answer = model.invoke(MESSAGES)
    assert "".join(pieces).strip() == answer.content and answer.content
    assert "<|" not in str(answer.content)
    assert answer.usage_metadata is not None
    assert 0 < answer.usage_metadata["output_tokens"] <= 12  # max_tokens respected
    assert answer.usage_metadata["input_tokens"] > 10


async def test_hf_model_async_stream(tiny_lm: Path) -> None:
    model = load_chat_model(f"hf:{tiny_lm}", temperature=0, max_tokens=6, local_files_only=True, device="cpu")
    pieces = [str(c.content) async for c in model.astream(MESSAGES)]
    assert "".join(pieces).strip()


def test_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    model = load_chat_model(f"hf:{tmp_path / 'nowhere'}", local_files_only=True, device="cpu")
    with pytest.raises(BackendUnavailable, match=r"could not load the Hugging Face model"):
        model.invoke("hi")


def test_a_model_without_a_chat_template_is_refused(tmp_path: Path) -> None:
    path = build_tiny_chat_lm(tmp_path / "plain", with_template=False)
    model = load_chat_model(f"hf:{path}", local_files_only=True, device="cpu")
    with pytest.raises(BackendUnavailable, match=r"no chat template"):
        model.invoke("hi")
