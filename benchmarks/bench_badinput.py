"""Time and peak memory of emotool on hostile and careless inputs (issue 10), one subprocess per case.

Usage:
    python benchmarks/bench_badinput.py            # every case, a table
    python benchmarks/bench_badinput.py --json     # one JSON object per case
    python benchmarks/bench_badinput.py --case blank_6300_png

Each case builds its input in a temporary folder (nothing is committed), then
runs it in a fresh Python process through the public API (``EmotionTool.invoke``
for media, ``Memory.remember`` for text) after the models are loaded, and
reports the wall time of the call, the process's peak resident memory before
and after it (the growth is what the input cost), and what came back: a
typed error's class or the reading's first words. The cases:

- ``strip_1x20000_png``: a 1x20000 gray PNG (119 bytes);
- ``blank_6300_png``: a 6300x6300 black RGB PNG (115 kB, under the pixel cap);
- ``strip_1x30m_png``: a 1x30,000,000 PNG (29 kB);
- ``gif_6000_2000f``: a 6000x6000 GIF of 2000 one-pixel frames (77 kB);
- ``gif_6000_6f``: a 6000x6000 GIF of 6 frames 0.5 s apart (216 million pixels to
  composite, every frame analysed: about the largest animation under the default cap);
- ``gif_640_300f``: a 640x480 GIF of 300 frames (an ordinary animation, for scale);
- ``text_10mb_memory``: a 10 MB text given to ``Memory.remember``;
- ``jpeg_40mp``: a 7300x5475 noisy JPEG, just under the 40-megapixel cap.

The budget the tests hold these to: no case over a few seconds or a few hundred MB.
"""

from __future__ import annotations

import argparse
import io
import json
import struct
import subprocess
import sys
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

# --------------------------------------------------------------------------- the inputs


def _png_raw(width: int, height: int, rows: bytes) -> bytes:
    """A gray 8-bit PNG written by hand (Pillow would need the memory to build a huge one)."""

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def make_strip_1x20000(path: Path) -> Path:
    from PIL import Image

    Image.new("L", (1, 20000)).save(path)
    return path


def make_blank_6300(path: Path) -> Path:
    from PIL import Image

    Image.new("RGB", (6300, 6300)).save(path)
    return path


def make_strip_1x30m(path: Path) -> Path:
    path.write_bytes(_png_raw(30_000_000, 1, b"\x00" * 30_000_001))
    return path


def make_gif_many_frames(path: Path, side: int = 6000, frames: int = 2000, delay_ms: int = 40) -> Path:
    from PIL import Image

    tiny = [Image.new("P", (1, 1), i % 2) for i in range(1, frames)]
    buf = io.BytesIO()
    Image.new("P", (side, side), 0).save(
        buf, format="GIF", save_all=True, append_images=tiny, duration=delay_ms, loop=0, optimize=False
    )
    path.write_bytes(buf.getvalue())
    return path


def make_gif_ordinary(path: Path) -> Path:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    base = rng.integers(0, 255, (480, 640, 3), dtype=np.uint8)
    frames = [Image.fromarray(np.roll(base, 4 * i, axis=1)).quantize(32) for i in range(300)]
    frames[0].save(path, format="GIF", save_all=True, append_images=frames[1:], duration=40)
    return path


def make_jpeg_40mp(path: Path) -> Path:
    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(0)
    small = rng.integers(0, 255, (5475 // 8 + 1, 7300 // 8 + 1, 3), dtype=np.uint8)
    Image.fromarray(small).resize((7300, 5475)).save(path, quality=85)
    return path


def make_text_10mb(path: Path) -> Path:
    path.write_text("I feel anxious about tomorrow and cannot sleep. " * 210_000)
    return path


#: case name -> (file name, builder, kind)
CASES: dict[str, tuple[str, Callable[[Path], Path], str]] = {
    "strip_1x20000_png": ("strip.png", make_strip_1x20000, "media"),
    "blank_6300_png": ("blank.png", make_blank_6300, "media"),
    "strip_1x30m_png": ("strip30m.png", make_strip_1x30m, "media"),
    "gif_6000_2000f": ("frames.gif", make_gif_many_frames, "media"),
    "gif_6000_6f": ("frames6.gif", lambda p: make_gif_many_frames(p, 6000, 6, 500), "media"),
    "gif_640_300f": ("anim.gif", make_gif_ordinary, "media"),
    "jpeg_40mp": ("big.jpg", make_jpeg_40mp, "media"),
    "text_10mb_memory": ("text.txt", make_text_10mb, "memory"),
}

# --------------------------------------------------------------------------- one case, in a child

_CHILD = r"""
import json, resource, sys, time
kind, path = sys.argv[1], sys.argv[2]

def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

if kind == "media":
    from pathlib import Path
    from emotool import EmotionTool
    tool = EmotionTool(allowed_roots=[Path(path).parent])
    tool.warmup()
    call = lambda: tool.invoke({"type": "tool_call", "id": "1", "name": tool.name, "args": {"media": path}})
else:
    import tempfile
    from emotool.memory import Memory
    from emotool.memory.testing import hash_embed
    text = open(path).read()
    mem = Memory(path=tempfile.mkdtemp(), url=None, embedder=hash_embed)
    mem.remember("warm-up", user_id="u", session_id="s")
    call = lambda: mem.remember(text, user_id="u", session_id="s")
before = peak_mb()
t0 = time.perf_counter()
try:
    out = call()
    content = getattr(out, "content", None) or getattr(out, "text", "")
    result = ("returned: " + str(content))[:110]
except Exception as exc:
    result = f"{type(exc).__name__}: {exc}"[:110]
took = time.perf_counter() - t0
row = {"seconds": round(took, 3), "peak_before_mb": round(before), "peak_after_mb": round(peak_mb())}
print(json.dumps({**row, "result": result}))
"""


def run_case(name: str, folder: Path, timeout_s: float = 300.0) -> dict[str, object]:
    """Build the case's input in ``folder`` and measure it in a fresh process."""
    fname, build, kind = CASES[name]
    path = build(folder / fname)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", _CHILD, kind, str(path)],
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        return {
            "case": name,
            "bytes": path.stat().st_size,
            "seconds": None,
            "result": f"killed after {timeout_s}s",
        }
    last = proc.stdout.strip().splitlines()[-1:] or [""]
    try:
        row = json.loads(last[0])
    except json.JSONDecodeError:
        tail = proc.stderr.strip().splitlines()[-1:] or ["no output"]
        row = {"seconds": None, "result": f"crashed (exit {proc.returncode}): {tail[0][:100]}"}
    row["case"] = name
    row["bytes"] = path.stat().st_size
    if "peak_after_mb" in row:
        row["growth_mb"] = int(row["peak_after_mb"]) - int(row["peak_before_mb"])
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--case", action="append", choices=sorted(CASES), help="run only these cases")
    ap.add_argument("--json", action="store_true", help="one JSON object per case")
    ap.add_argument("--timeout", type=float, default=300.0, help="kill a case after this many seconds")
    args = ap.parse_args()
    names = args.case or list(CASES)
    if not args.json:
        print("| case | input bytes | seconds | peak MB (after warm-up -> after call) | result |")
        print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="emotool-bad-") as tmp:
        for name in names:
            row = run_case(name, Path(tmp), args.timeout)
            if args.json:
                print(json.dumps(row), flush=True)
                continue
            secs = "-" if row.get("seconds") is None else f"{row['seconds']:.2f}"
            mem = (
                f"{row['peak_before_mb']} -> {row['peak_after_mb']} (+{row['growth_mb']})"
                if "growth_mb" in row
                else "-"
            )
            print(f"| {name} | {row['bytes']:,} | {secs} | {mem} | {row['result']} |", flush=True)


if __name__ == "__main__":
    main()
