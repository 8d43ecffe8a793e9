"""emotool.media: images from paths, bytes, arrays and PIL; path policy; bad input.

Bad files are made in tmp_path from real photos (scikit-image's astronaut and,
when ../shared/data is present, faces-dev). Every bad input must give a typed
error and leave the next call working.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from emotool.errors import (
    AccessDenied,
    CorruptMedia,
    EmotoolError,
    EmptyMedia,
    MediaError,
    MediaTooLarge,
    UnsupportedFormat,
)
from emotool.media import LoadedImage, MediaPolicy, load_image, media_kind, resolve_path, sniff

SHARED_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FACES_DEV_IMAGES = SHARED_DATA / "faces-dev" / "images"


@pytest.fixture(scope="module")
def astronaut() -> np.ndarray:
    data = pytest.importorskip("skimage.data", reason="scikit-image (emotool[samples]) ships the photo")
    return data.astronaut()


@pytest.fixture
def policy(tmp_path: Path) -> MediaPolicy:
    return MediaPolicy(allowed_roots=[tmp_path])


@pytest.fixture
def photo(tmp_path: Path, astronaut: np.ndarray) -> Path:
    path = tmp_path / "astronaut.jpg"
    Image.fromarray(astronaut).save(path, quality=92)
    return path


@pytest.fixture
def faces_dev_jpeg() -> Path:
    files = sorted(FACES_DEV_IMAGES.glob("*.jpg"))
    if not files:
        pytest.skip(f"real data not found: faces-dev images expected at {FACES_DEV_IMAGES}")
    return files[0]


def assert_next_call_works(photo: Path, policy: MediaPolicy) -> None:
    img = load_image(photo, policy)
    assert img.rgb.shape == (512, 512, 3)


def _diff(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.abs(a.astype(np.int16) - b.astype(np.int16)).mean())


# ----------------------------------------------------------------------------- good input


def test_loads_a_real_photo_as_upright_rgb(photo: Path, policy: MediaPolicy, astronaut: np.ndarray) -> None:
    img = load_image(photo, policy)
    assert isinstance(img, LoadedImage)
    assert img.rgb.dtype == np.uint8 and img.rgb.shape == (512, 512, 3) and img.rgb.flags.c_contiguous
    assert (img.width, img.height) == (512, 512)
    assert img.source == "astronaut.jpg"  # the name only, never the full local path
    assert img.decode_ms > 0
    assert _diff(img.rgb, astronaut) < 4


def test_loads_faces_dev_photo(faces_dev_jpeg: Path) -> None:
    img = load_image(faces_dev_jpeg, MediaPolicy(allowed_roots=[faces_dev_jpeg.parent]))
    with Image.open(faces_dev_jpeg) as im:
        assert img.rgb.shape == (im.height, im.width, 3)
    assert img.source == faces_dev_jpeg.name


def test_relative_path_from_the_working_directory(photo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(photo.parent)
    assert load_image("astronaut.jpg").rgb.shape == (512, 512, 3)  # default policy: the cwd
    assert resolve_path("astronaut.jpg") == photo.resolve()


@pytest.mark.parametrize(
    "fmt,ext", [("PNG", "png"), ("BMP", "bmp"), ("WEBP", "webp"), ("TIFF", "tif"), ("GIF", "gif")]
)
def test_other_image_formats(
    tmp_path: Path, policy: MediaPolicy, astronaut: np.ndarray, fmt: str, ext: str
) -> None:
    path = tmp_path / f"a.{ext}"
    Image.fromarray(astronaut).save(path, format=fmt)
    img = load_image(path, policy)
    assert img.rgb.shape == (512, 512, 3)
    assert _diff(img.rgb, astronaut) < (12 if fmt in ("GIF", "WEBP") else 1)
    assert media_kind(path, policy) == "image"


def test_bytes_input(photo: Path) -> None:
    img = load_image(photo.read_bytes())
    assert img.source == "<bytes>" and img.rgb.shape == (512, 512, 3)


def test_pil_input_applies_exif(tmp_path: Path, astronaut: np.ndarray) -> None:
    img = load_image(Image.fromarray(astronaut).convert("L"))
    assert img.source == "<image>" and img.rgb.shape == (512, 512, 3)
    assert (img.rgb[..., 0] == img.rgb[..., 2]).all()


@pytest.mark.parametrize(
    "array,expect",
    [
        (np.full((4, 5, 3), 7, np.uint8), 7),
        (np.full((4, 5), 9, np.uint8), 9),
        (np.full((4, 5, 1), 9, np.uint8), 9),
        (np.full((4, 5, 3), 0.5, np.float32), 128),
        (np.full((4, 5, 3), 65535, np.uint16), 255),
        (np.full((4, 5, 3), 32768, np.uint16), 128),
        (np.ones((4, 5), bool), 255),
        (np.full((4, 5, 3), 200, np.int64), 200),
    ],
)
def test_array_input(array: np.ndarray, expect: int) -> None:
    img = load_image(array)
    assert img.source == "<array>" and img.rgb.shape == (4, 5, 3) and img.rgb.dtype == np.uint8
    assert (img.rgb == expect).all()
    assert img.rgb.base is not array  # a copy: the caller's array is not aliased


def test_array_with_alpha_is_composited_onto_white() -> None:
    rgba = np.zeros((2, 2, 4), np.uint8)
    rgba[0, 0] = (255, 0, 0, 255)  # opaque red
    rgba[0, 1] = (255, 0, 0, 0)  # transparent: white
    rgba[1, 0] = (0, 0, 0, 128)  # half black: mid gray
    out = load_image(rgba).rgb
    assert tuple(out[0, 0]) == (255, 0, 0)
    assert tuple(out[0, 1]) == (255, 255, 255)
    assert abs(int(out[1, 0, 0]) - 127) <= 1


@pytest.mark.parametrize(
    "array,error",
    [
        (np.zeros((0, 5, 3), np.uint8), EmptyMedia),
        (np.zeros((4, 5, 2), np.uint8), UnsupportedFormat),
        (np.zeros((4,), np.uint8), UnsupportedFormat),
        (np.full((4, 5, 3), np.nan, np.float32), UnsupportedFormat),
        (np.full((4, 5, 3), -3, np.int16), UnsupportedFormat),
        (np.full((4, 5, 3), 1000.0), UnsupportedFormat),
    ],
)
def test_bad_arrays(array: np.ndarray, error: type[Exception]) -> None:
    with pytest.raises(error):
        load_image(array)


def test_bad_source_type() -> None:
    with pytest.raises(UnsupportedFormat, match="pass a path"):
        load_image(12345)  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- conversions


def test_png_with_alpha_composited_onto_white(
    tmp_path: Path, policy: MediaPolicy, astronaut: np.ndarray, photo: Path
) -> None:
    rgba = np.dstack([astronaut, np.full(astronaut.shape[:2], 255, np.uint8)])
    rgba[:, :256, 3] = 0  # left half fully transparent
    rgba[:, 256:384, 3] = 128  # a band half transparent
    path = tmp_path / "alpha.png"
    Image.fromarray(rgba, "RGBA").save(path)
    img = load_image(path, policy)
    assert img.rgb.shape == (512, 512, 3)
    assert (img.rgb[:, :256] == 255).all()  # transparent -> white, not black
    band = astronaut[:, 256:384].astype(np.float64)
    expected = band * 128 / 255 + 255 * (127 / 255)
    assert np.abs(img.rgb[:, 256:384] - expected).max() <= 1.5
    assert (img.rgb[:, 384:] == astronaut[:, 384:]).all()
    assert "transparent pixels composited onto white" in img.notes
    # a palette PNG with a transparent colour goes the same way
    pal = Image.fromarray(astronaut).convert("P", palette=Image.Palette.ADAPTIVE)
    pal.info["transparency"] = 0
    pal.save(tmp_path / "pal.png", transparency=0)
    assert load_image(tmp_path / "pal.png", policy).rgb.shape == (512, 512, 3)
    assert_next_call_works(photo, policy)


def test_16bit_rgb_png_is_scaled_not_clipped(
    tmp_path: Path, policy: MediaPolicy, astronaut: np.ndarray
) -> None:
    import cv2

    rgb16 = astronaut.astype(np.uint16) * 257  # full 16-bit range
    rgb16[0, 0] = (65535, 32768, 256)
    path = tmp_path / "rgb16.png"
    assert cv2.imwrite(str(path), cv2.cvtColor(rgb16, cv2.COLOR_RGB2BGR))
    assert path.read_bytes()[24] == 16  # IHDR bit depth
    img = load_image(path, policy)
    assert img.rgb.dtype == np.uint8
    diff = np.abs(img.rgb.astype(int) - astronaut.astype(int))
    diff[0, 0] = 0
    assert diff.max() <= 1
    assert np.abs(img.rgb[0, 0].astype(int) - (255, 128, 1)).max() <= 1  # scaled, not clipped


def test_16bit_gray_png_is_scaled_not_clipped(
    tmp_path: Path, policy: MediaPolicy, astronaut: np.ndarray
) -> None:
    gray8 = np.asarray(Image.fromarray(astronaut).convert("L"))
    gray16 = gray8.astype(np.uint16) * 257
    path = tmp_path / "gray16.png"
    Image.fromarray(gray16).save(path)  # mode I;16
    assert Image.open(path).mode.startswith("I")
    img = load_image(path, policy)
    assert img.rgb.shape == (512, 512, 3)
    assert np.abs(img.rgb[..., 0].astype(int) - gray8).max() <= 1  # scaled, not clipped at 255
    assert (img.rgb[..., 0] == img.rgb[..., 1]).all() and (img.rgb[..., 1] == img.rgb[..., 2]).all()
    assert "16-bit samples scaled to 8-bit" in img.notes
    # a dark 16-bit image stays dark (clipping would turn everything above 255 white)
    Image.fromarray(np.full((8, 8), 1000, np.uint16)).save(tmp_path / "dark16.png")
    assert load_image(tmp_path / "dark16.png", policy).rgb.max() == 4


def test_grayscale_jpeg(tmp_path: Path, policy: MediaPolicy, astronaut: np.ndarray) -> None:
    gray = Image.fromarray(astronaut).convert("L")
    gray.save(tmp_path / "gray.jpg", quality=95)
    img = load_image(tmp_path / "gray.jpg", policy)
    assert img.rgb.shape == (512, 512, 3)
    assert (img.rgb[..., 0] == img.rgb[..., 1]).all() and (img.rgb[..., 0] == img.rgb[..., 2]).all()
    assert _diff(img.rgb[..., 0], np.asarray(gray)) < 2


def test_cmyk_jpeg_converted(tmp_path: Path, policy: MediaPolicy, astronaut: np.ndarray) -> None:
    path = tmp_path / "cmyk.jpg"
    Image.fromarray(astronaut).convert("CMYK").save(path, quality=95)
    assert Image.open(path).mode == "CMYK"
    img = load_image(path, policy)
    assert img.rgb.shape == (512, 512, 3)
    assert _diff(img.rgb, astronaut) < 4  # colours come back, not inverted
    assert any("CMYK" in n for n in img.notes)
    # the black channel counts: 50% K on white paper is mid gray
    k = np.zeros((16, 16, 4), np.uint8)
    k[..., 3] = 128
    Image.fromarray(k, "CMYK").save(tmp_path / "k.jpg", quality=100)
    gray = load_image(tmp_path / "k.jpg", policy).rgb
    assert np.abs(gray.astype(int) - 127).max() <= 3


def _sideways_with_orientation_6(upright: np.ndarray, path: Path) -> None:
    """Store the photo rotated 90° counter-clockwise and tag it 'rotate 90° CW to view'."""
    stored = Image.fromarray(upright).transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(path, quality=95, exif=exif)


def test_exif_rotated_photo_is_read_upright(
    tmp_path: Path, policy: MediaPolicy, astronaut: np.ndarray
) -> None:
    upright = np.ascontiguousarray(astronaut[:, 100:420])  # portrait 512 x 320 with the face
    path = tmp_path / "rotated.jpg"
    _sideways_with_orientation_6(upright, path)
    assert Image.open(path).size == (512, 320)  # stored landscape
    img = load_image(path, policy)
    assert (img.height, img.width) == (512, 320)  # read portrait
    assert _diff(img.rgb, upright) < 4
    assert _diff(img.rgb, np.rot90(upright, 2)) > 20  # and not upside down
    assert "EXIF orientation 6 applied" in img.notes
    # the face is found in what we return, as it is in the upright original
    import cv2

    cascade_file = Path(cv2.data.haarcascades) / "haarcascade_frontalface_default.xml"
    if not cascade_file.is_file():
        pytest.skip("OpenCV ships no Haar cascade here")
    cascade = cv2.CascadeClassifier(str(cascade_file))

    def faces(rgb: np.ndarray) -> int:
        gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        return len(cascade.detectMultiScale(gray, 1.1, 5, minSize=(60, 60)))

    assert faces(upright) >= 1
    assert faces(img.rgb) >= 1
    assert faces(np.asarray(Image.open(path))) == 0  # the raw sideways pixels hold no upright face


def test_exif_rotation_from_bytes_and_pil(tmp_path: Path, astronaut: np.ndarray) -> None:
    upright = np.ascontiguousarray(astronaut[:, 100:420])
    path = tmp_path / "rotated.jpg"
    _sideways_with_orientation_6(upright, path)
    assert load_image(path.read_bytes()).rgb.shape == (512, 320, 3)
    assert load_image(Image.open(path)).rgb.shape == (512, 320, 3)


# ----------------------------------------------------------------------------- bad files


def test_zero_byte_file(tmp_path: Path, policy: MediaPolicy, photo: Path) -> None:
    (tmp_path / "empty.jpg").write_bytes(b"")
    with pytest.raises(EmptyMedia, match="empty"):
        load_image(tmp_path / "empty.jpg", policy)
    with pytest.raises(EmptyMedia):
        media_kind(tmp_path / "empty.jpg", policy)
    with pytest.raises(EmptyMedia):
        load_image(b"")
    assert_next_call_works(photo, policy)


@pytest.mark.parametrize("keep", [0.5, 0.1, 0.02])
def test_truncated_jpeg(tmp_path: Path, policy: MediaPolicy, photo: Path, keep: float) -> None:
    data = photo.read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(CorruptMedia, match="damaged"):
        load_image(tmp_path / "cut.jpg", policy)
    assert_next_call_works(photo, policy)


def test_truncated_real_face_photo(tmp_path: Path, faces_dev_jpeg: Path) -> None:
    data = faces_dev_jpeg.read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) * 2 // 3])
    policy = MediaPolicy(allowed_roots=[tmp_path, faces_dev_jpeg.parent])
    with pytest.raises(CorruptMedia):
        load_image(tmp_path / "cut.jpg", policy)
    assert load_image(faces_dev_jpeg, policy).rgb.ndim == 3


def test_text_file_named_jpg(tmp_path: Path, policy: MediaPolicy, photo: Path) -> None:
    (tmp_path / "notes.jpg").write_text("these are my holiday notes, not a picture\n")
    with pytest.raises(UnsupportedFormat, match="looks like text"):
        load_image(tmp_path / "notes.jpg", policy)
    with pytest.raises(UnsupportedFormat):
        load_image(b"plain text bytes")
    assert_next_call_works(photo, policy)


def test_video_file_given_as_image(tmp_path: Path, policy: MediaPolicy, photo: Path) -> None:
    (tmp_path / "clip.png").write_bytes(b"\x00\x00\x00\x18ftypisom" + bytes(100))
    with pytest.raises(UnsupportedFormat, match="open_video"):
        load_image(tmp_path / "clip.png", policy)


def test_other_pillow_formats_are_not_decoded(
    tmp_path: Path, policy: MediaPolicy, astronaut: np.ndarray
) -> None:
    # Pillow could read these, but emotool restricts itself to common photo formats
    Image.fromarray(astronaut).save(tmp_path / "a.jpg", format="PPM")
    with pytest.raises(UnsupportedFormat):
        load_image(tmp_path / "a.jpg", policy)


def _huge_png(width: int, height: int) -> bytes:
    """A valid 1-bit grayscale PNG of any size, compressed in streaming (a few hundred KB)."""

    def chunk(tag: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", zlib.crc32(tag + body))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte + white pixels
    comp = zlib.compressobj(9)
    idat = bytearray()
    block = row * 256
    for start in range(0, height, 256):
        idat += comp.compress(block if height - start >= 256 else row * (height - start))
    idat += comp.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", bytes(idat)) + chunk(b"IEND", b"")


@pytest.fixture(scope="module")
def png_30000(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("huge") / "huge.png"
    path.write_bytes(_huge_png(30000, 30000))
    return path


def test_huge_png_is_a_real_png(png_30000: Path) -> None:
    assert png_30000.stat().st_size < 1_000_000  # 900 Mpx that compress small
    with open(png_30000, "rb") as fh:
        head = fh.read(33)
    assert sniff(head) == "png" and struct.unpack(">II", head[16:24]) == (30000, 30000)


def test_30000x30000_png_refused_before_decoding(png_30000: Path, photo: Path) -> None:
    policy = MediaPolicy(allowed_roots=[png_30000.parent, photo.parent])
    t0 = time.perf_counter()
    with pytest.raises(MediaTooLarge, match=r"too large|pixels"):
        load_image(png_30000, policy)
    with pytest.raises(MediaTooLarge):
        load_image(png_30000.read_bytes(), policy)
    assert time.perf_counter() - t0 < 2.0
    # even with our own cap lifted, Pillow's decompression-bomb guard is turned into MediaTooLarge
    with pytest.raises(MediaTooLarge):
        load_image(png_30000, MediaPolicy(allowed_roots=[png_30000.parent], max_pixels=10**10))
    assert_next_call_works(photo, policy)


def test_30000x30000_png_uses_little_memory(png_30000: Path) -> None:
    """Measured in a fresh process: decoding it whole would take at least 900 MB."""
    code = (
        "import resource, sys, time\n"
        "from pathlib import Path\n"
        "from emotool.media import MediaPolicy, load_image\n"
        "from emotool.errors import MediaTooLarge\n"
        "p = Path(sys.argv[1])\n"
        "pol = MediaPolicy(allowed_roots=[p.parent])\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "t0 = time.perf_counter()\n"
        "try:\n"
        "    load_image(p, pol)\n"
        "except MediaTooLarge:\n"
        "    pass\n"
        "else:\n"
        "    raise SystemExit('not refused')\n"
        "dt = time.perf_counter() - t0\n"
        "after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "print(after - before, dt)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(png_30000)], capture_output=True, text=True, timeout=60, check=True
    ).stdout.split()
    grown_kb, seconds = int(out[0]), float(out[1])
    assert grown_kb < 50_000, f"peak memory grew by {grown_kb} KB"
    assert seconds < 1.0


def test_pixel_cap_below_pillows_own_limit(tmp_path: Path, policy: MediaPolicy, photo: Path) -> None:
    path = tmp_path / "big.png"
    path.write_bytes(_huge_png(8000, 6000))  # 48 Mpx: over our 40 Mpx cap, under Pillow's warning
    t0 = time.perf_counter()
    with pytest.raises(MediaTooLarge, match="MediaPolicy\\(max_pixels"):
        load_image(path, policy)
    assert time.perf_counter() - t0 < 0.5
    small = MediaPolicy(allowed_roots=[tmp_path], max_pixels=100_000)
    with pytest.raises(MediaTooLarge):
        load_image(photo, small)
    with pytest.raises(MediaTooLarge):
        load_image(np.zeros((400, 400, 3), np.uint8), small)


def test_byte_cap(photo: Path) -> None:
    tiny = MediaPolicy(allowed_roots=[photo.parent], max_bytes=1000)
    with pytest.raises(MediaTooLarge, match="max_bytes"):
        load_image(photo, tiny)
    with pytest.raises(MediaTooLarge):
        load_image(photo.read_bytes(), tiny)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_damaged_jpeg_never_crashes(astronaut: np.ndarray, data: st.DataObject) -> None:
    buf = io.BytesIO()
    Image.fromarray(astronaut[::4, ::4]).save(buf, "JPEG")
    raw = bytearray(buf.getvalue())
    for _ in range(data.draw(st.integers(1, 20))):
        pos = data.draw(st.integers(0, len(raw) - 1))
        raw[pos] = data.draw(st.integers(0, 255))
    cut = data.draw(st.integers(1, len(raw)))
    try:
        img = load_image(bytes(raw[:cut]))
    except MediaError:
        return
    assert img.rgb.dtype == np.uint8 and img.rgb.ndim == 3 and img.rgb.shape[2] == 3


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_random_bytes_never_crash(blob: bytes) -> None:
    for prefix in (
        b"",
        b"\x89PNG\r\n\x1a\n",
        b"GIF89a",
        b"\xff\xd8\xff",
        b"II*\x00",
        b"RIFF\x00\x00\x00\x00WEBP",
    ):
        with contextlib.suppress(MediaError):
            load_image(prefix + blob)


# ----------------------------------------------------------------------------- paths


def test_missing_file_names_the_path(
    policy: MediaPolicy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MediaError, match=r"no such file: 'nothere\.jpg'") as info:
        load_image("nothere.jpg", policy)
    assert not isinstance(info.value, AccessDenied)
    with pytest.raises(MediaError, match=r"no such file: '.*nothere\.jpg'"):
        load_image(str(tmp_path / "nothere.jpg"), policy)


def test_directory_given_as_a_file(tmp_path: Path, policy: MediaPolicy, photo: Path) -> None:
    (tmp_path / "album.jpg").mkdir()
    with pytest.raises(MediaError, match="is a directory"):
        load_image(tmp_path / "album.jpg", policy)
    with pytest.raises(MediaError, match="is a directory"):
        media_kind(tmp_path, policy)
    assert_next_call_works(photo, policy)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this platform")
def test_fifo_named_jpg_does_not_hang(tmp_path: Path, policy: MediaPolicy, photo: Path) -> None:
    os.mkfifo(tmp_path / "pipe.jpg")
    t0 = time.perf_counter()
    with pytest.raises(MediaError, match="not a regular file"):
        load_image(tmp_path / "pipe.jpg", policy)
    assert time.perf_counter() - t0 < 1
    assert_next_call_works(photo, policy)


@pytest.mark.skipif(
    os.name != "posix" or os.geteuid() == 0,
    reason="running as root: chmod 000 does not stop root from reading, so this real-"
    "permission case cannot be produced here (the simulated one below still runs)",
)
def test_unreadable_file_chmod_000(tmp_path: Path, policy: MediaPolicy, photo: Path) -> None:
    locked = tmp_path / "locked.jpg"
    locked.write_bytes(photo.read_bytes())
    locked.chmod(0)
    try:
        with pytest.raises(MediaError, match="permission denied"):
            load_image(locked, policy)
    finally:
        locked.chmod(0o600)
    assert_next_call_works(photo, policy)


def test_unreadable_file_simulated(
    tmp_path: Path, policy: MediaPolicy, photo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the OS says to a non-root user for chmod 000, simulated so it also runs as root."""
    locked = tmp_path / "locked.jpg"
    locked.write_bytes(photo.read_bytes())
    real_open, real_access = os.open, os.access

    def deny_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if Path(path).name == "locked.jpg":
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny_open)
    with pytest.raises(MediaError, match=r"permission denied reading '.*locked\.jpg'"):
        load_image(tmp_path / "locked.jpg", policy)
    monkeypatch.setattr(
        os, "access", lambda p, mode, **kw: Path(p).name != "locked.jpg" and real_access(p, mode, **kw)
    )
    with pytest.raises(MediaError, match="permission denied"):
        resolve_path(locked, policy)
    monkeypatch.undo()
    assert_next_call_works(photo, policy)


@pytest.fixture
def outside(tmp_path: Path, astronaut: np.ndarray) -> tuple[Path, Path]:
    """An allowed root folder and a real photo just outside it."""
    root = tmp_path / "root"
    root.mkdir()
    secret = tmp_path / "secret.jpg"
    Image.fromarray(astronaut).save(secret)
    Image.fromarray(astronaut).save(root / "inside.jpg")
    return root, secret


def test_dotdot_escape_refused(outside: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root, _ = outside
    policy = MediaPolicy(allowed_roots=[root])
    with pytest.raises(AccessDenied, match=r"through '\.\.'") as info:
        load_image(root / ".." / "secret.jpg", policy)
    msg = str(info.value)
    assert "MediaPolicy(allowed_roots=" in msg and "--allow-root" in msg
    monkeypatch.chdir(root)
    with pytest.raises(AccessDenied):
        load_image("../secret.jpg")  # default policy: the working directory
    with pytest.raises(AccessDenied):
        media_kind("../secret.jpg")
    assert load_image("sub/../inside.jpg").source == "inside.jpg"  # '..' that stays inside is fine


def test_absolute_path_outside_refused(outside: tuple[Path, Path]) -> None:
    root, secret = outside
    policy = MediaPolicy(allowed_roots=[root])
    with pytest.raises(AccessDenied, match="outside"):
        load_image(secret, policy)
    with pytest.raises(AccessDenied):
        load_image("/etc/passwd", policy)
    with pytest.raises(AccessDenied):  # existence outside the roots is not revealed
        load_image("/no/such/dir/x.jpg", policy)
    assert load_image(root / "inside.jpg", policy).rgb.shape == (512, 512, 3)


def test_symlink_out_refused(outside: tuple[Path, Path]) -> None:
    root, secret = outside
    policy = MediaPolicy(allowed_roots=[root])
    (root / "link.jpg").symlink_to(secret)
    (root / "linkdir").symlink_to(secret.parent)
    with pytest.raises(AccessDenied, match="symlink"):
        load_image(root / "link.jpg", policy)
    with pytest.raises(AccessDenied):
        load_image(root / "linkdir" / "secret.jpg", policy)
    (root / "ok.jpg").symlink_to(root / "inside.jpg")  # a link that stays inside is fine
    assert load_image(root / "ok.jpg", policy).source == "ok.jpg"
    # allowing the other folder explicitly lets it through
    both = MediaPolicy(allowed_roots=[root, secret.parent])
    assert load_image(root / "link.jpg", both).rgb.shape == (512, 512, 3)


def test_symlink_loop(tmp_path: Path, policy: MediaPolicy) -> None:
    (tmp_path / "a.jpg").symlink_to(tmp_path / "b.jpg")
    (tmp_path / "b.jpg").symlink_to(tmp_path / "a.jpg")
    with pytest.raises(EmotoolError):
        load_image(tmp_path / "a.jpg", policy)


def test_policy_model() -> None:
    policy = MediaPolicy.default()
    assert policy.allowed_roots == [Path.cwd().resolve()]
    assert not policy.allow_urls and policy.max_pixels == 40_000_000
    assert MediaPolicy(allowed_roots=["."]).allowed_roots[0].is_absolute()
    with pytest.raises(ValueError):
        MediaPolicy(allow_url=True)  # type: ignore[call-arg]  # a typo is an error, not ignored
    with pytest.raises(ValueError):
        MediaPolicy(max_pixels=0)


# ----------------------------------------------------------------------------- kinds


@pytest.mark.parametrize(
    "name,kind",
    [
        ("a.jpg", "image"),
        ("a.JPEG", "image"),
        ("a.png", "image"),
        ("a.bmp", "image"),
        ("a.webp", "image"),
        ("a.tif", "image"),
        ("a.tiff", "image"),
        ("a.mp4", "video"),
        ("a.webm", "video"),
        ("a.avi", "video"),
        ("a.mov", "video"),
        ("a.mkv", "video"),
        ("a.wav", "audio"),
        ("a.flac", "audio"),
        ("a.mp3", "audio"),
        ("a.ogg", "audio"),
        ("a.opus", "audio"),
        ("a.m4a", "audio"),
    ],
)
def test_media_kind_by_extension(tmp_path: Path, policy: MediaPolicy, name: str, kind: str) -> None:
    (tmp_path / name).write_bytes(b"\x00" * 64)  # content unrecognised: the extension decides
    assert media_kind(tmp_path / name, policy) == kind


def test_media_kind_content_wins(tmp_path: Path, policy: MediaPolicy, photo: Path) -> None:
    (tmp_path / "really-a-jpeg.mp4").write_bytes(photo.read_bytes())
    assert media_kind(tmp_path / "really-a-jpeg.mp4", policy) == "image"
    (tmp_path / "noext").write_bytes(photo.read_bytes())
    assert media_kind(tmp_path / "noext", policy) == "image"
    assert media_kind(photo.read_bytes()) == "image"
    assert media_kind(np.zeros((2, 2, 3), np.uint8)) == "image"
    assert media_kind(Image.new("RGB", (2, 2))) == "image"


def test_media_kind_gif(tmp_path: Path, policy: MediaPolicy, astronaut: np.ndarray) -> None:
    one = Image.fromarray(astronaut[::4, ::4])
    one.save(tmp_path / "still.gif")
    one.save(
        tmp_path / "anim.gif", save_all=True, append_images=[one.rotate(10), one.rotate(20)], duration=100
    )
    assert media_kind(tmp_path / "still.gif", policy) == "image"
    assert media_kind(tmp_path / "anim.gif", policy) == "video"
    assert media_kind((tmp_path / "anim.gif").read_bytes()) == "video"
    assert load_image(tmp_path / "anim.gif", policy).rgb.shape == (128, 128, 3)  # first frame


def test_media_kind_unknown(tmp_path: Path, policy: MediaPolicy) -> None:
    (tmp_path / "doc.txt").write_text("hello")
    with pytest.raises(UnsupportedFormat, match="supported: "):
        media_kind(tmp_path / "doc.txt", policy)
    with pytest.raises(UnsupportedFormat):
        media_kind(b"hello")


def test_media_kind_url_by_extension_without_traffic() -> None:
    assert media_kind("https://example.com/a/face.jpg?sig=1") == "image"
    assert media_kind("https://example.com/clip.mp4") == "video"
    with pytest.raises(AccessDenied):  # .gif needs a look inside; URLs are off by default
        media_kind("https://example.com/anim.gif")


@pytest.mark.parametrize(
    "head,fmt",
    [
        (b"\xff\xd8\xff\xe0", "jpeg"),
        (b"\x89PNG\r\n\x1a\n", "png"),
        (b"GIF89a", "gif"),
        (b"II*\x00", "tiff"),
        (b"RIFF\0\0\0\0WEBPVP8 ", "webp"),
        (b"RIFF\0\0\0\0AVI LIST", "avi"),
        (b"RIFF\0\0\0\0WAVEfmt ", "wav"),
        (b"\0\0\0\x18ftypisom", "mp4"),
        (b"\0\0\0\x14ftypqt  ", "mov"),
        (b"\0\0\0\x18ftypM4A ", "m4a"),
        (b"\x1a\x45\xdf\xa3\x9fB\x86\x81\x01B\xf7\x81\x01B\xf2\x81\x04B\xf3\x81\x08B\x82\x84webm", "webm"),
        (b"\x1a\x45\xdf\xa3\x93B\x82\x88matroska", "mkv"),
        (b"fLaC", "flac"),
        (b"OggS", "ogg"),
        (b"ID3\x04", "mp3"),
        (b"#EXTM3U\n", None),
        (b"", None),
    ],
)
def test_sniff(head: bytes, fmt: str | None) -> None:
    assert sniff(head + bytes(40) if head else b"") == fmt


def test_import_is_light() -> None:
    code = (
        "import sys, emotool.media, emotool.media.netfetch\n"
        "heavy = [m for m in ('cv2', 'torch', 'PIL', 'langchain_core') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == ""
