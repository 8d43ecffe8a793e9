"""Sample media made from real photos that scikit-image ships (no network needed).

scikit-image carries a few real photographs: ``astronaut`` (Eileen Collins,
smiling, 512x512 colour), ``camera`` (a cameraman) and ``lfw_subset`` (small
25x25 grey crops of faces from Labeled Faces in the Wild). The videos here
are composed from those photos with slow pans and zooms (a "Ken Burns"
effect), and cut between photos of different expressions, so a fresh clone
can demonstrate and test video analysis without any download.

scikit-image is the optional extra ``emotool[samples]``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .errors import missing_extra

#: lfw_subset faces used by the samples (indices into ``skimage.data.lfw_subset()``;
#: the first 100 entries are faces): a serious face the embedded models read as
#: neutral, and a shouting face with an open mouth they read as anger (or surprise).
LFW_SERIOUS = 7
LFW_SHOUTING = 51


def _skdata() -> Any:
    try:
        from skimage import data
    except ImportError as e:  # pragma: no cover - depends on the environment
        raise missing_extra("scikit-image", "samples") from e
    return data


def astronaut() -> np.ndarray:
    """Eileen Collins, smiling: a 512x512 RGB photo."""
    return np.ascontiguousarray(_skdata().astronaut())


def cameraman() -> np.ndarray:
    """The classic cameraman photo (a face in three-quarter view), as RGB."""
    g = _skdata().camera()
    return np.ascontiguousarray(np.dstack([g, g, g]))


def lfw_face(index: int = LFW_SERIOUS, size: int = 200, margin: float = 0.45) -> np.ndarray:
    """One real face from ``skimage.data.lfw_subset()``, enlarged, as RGB.

    The stored crops are tight 25x25 grey faces; they are enlarged to ``size``
    pixels and set in a soft, blurred background ``margin`` times the size
    wide on each side, so a detector sees the face with some context.

    Args:
        index: which face (0-99 are faces, 100-199 are not).
        size: side of the enlarged face in pixels.
        margin: border added on each side, as a fraction of ``size``.
    """
    import cv2

    faces = _skdata().lfw_subset()
    if not 0 <= index < 100:
        raise ValueError(f"lfw_subset faces are indices 0-99, got {index}")
    g = np.clip(faces[index] * 255, 0, 255).astype(np.uint8)
    big = cv2.resize(g, (size, size), interpolation=cv2.INTER_CUBIC)
    pad = round(size * margin)
    # a soft background: the face's own border, stretched and heavily blurred,
    # with the face blended in through a feathered ellipse (no hard edges)
    bg = cv2.copyMakeBorder(big, pad, pad, pad, pad, cv2.BORDER_REPLICATE).astype(np.float32)
    bg = cv2.GaussianBlur(bg, (0, 0), sigmaX=size / 6)
    face = np.zeros_like(bg)
    face[pad : pad + size, pad : pad + size] = big
    mask = np.zeros_like(bg)
    cv2.ellipse(mask, (pad + size // 2, pad + size // 2), (size // 2, size // 2), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), sigmaX=size / 25)
    big = np.clip(mask * face + (1 - mask) * bg, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.dstack([big, big, big]))


def side_by_side(left: np.ndarray, right: np.ndarray, size: tuple[int, int] = (640, 480)) -> np.ndarray:
    """Two photos next to each other on one canvas of ``size`` (width, height), each fitted to its half."""
    import cv2

    w, h = size
    canvas = np.full((h, w, 3), 96, np.uint8)
    half = w // 2
    for k, img in enumerate((left, right)):
        s = min(half / img.shape[1], h / img.shape[0])
        nw, nh = max(1, int(img.shape[1] * s)), max(1, int(img.shape[0] * s))
        small = cv2.resize(img, (nw, nh), interpolation=cv2.INTER_AREA)
        x0 = k * half + (half - nw) // 2
        y0 = (h - nh) // 2
        canvas[y0 : y0 + nh, x0 : x0 + nw] = small
    return canvas


@dataclass
class Shot:
    """A still photo shown for ``seconds`` with a slow zoom and pan.

    Attributes:
        photo: RGB uint8 image.
        seconds: how long the shot lasts.
        zoom: zoom factor at the start and at the end (1 = the largest window
            of the output's aspect ratio that fits the photo).
        centre: window centre at the start and at the end, as fractions of
            the photo's width and height (clamped so the window stays inside).
    """

    photo: np.ndarray
    seconds: float
    zoom: tuple[float, float] = (1.0, 1.15)
    centre: tuple[tuple[float, float], tuple[float, float]] = ((0.5, 0.5), (0.5, 0.5))


def compose(
    shots: Sequence[Shot], size: tuple[int, int] = (640, 480), fps: float = 30.0
) -> Iterator[np.ndarray]:
    """Render shots into RGB frames of ``size`` (width, height), one at a time.

    The motion is sub-pixel (an affine warp per frame, eased in and out), so
    there is no jitter for a tracker to trip on.
    """
    import cv2

    out_w, out_h = size
    aspect = out_w / out_h
    for shot in shots:
        img = shot.photo
        ph, pw = img.shape[:2]
        n = max(1, round(shot.seconds * fps))
        base_w = min(pw, ph * aspect)
        for i in range(n):
            u = i / max(1, n - 1)
            u = 0.5 - 0.5 * math.cos(math.pi * u)  # ease in and out
            z = shot.zoom[0] + (shot.zoom[1] - shot.zoom[0]) * u
            win_w = base_w / z
            win_h = win_w / aspect
            cx = (shot.centre[0][0] + (shot.centre[1][0] - shot.centre[0][0]) * u) * pw
            cy = (shot.centre[0][1] + (shot.centre[1][1] - shot.centre[0][1]) * u) * ph
            x0 = min(max(cx - win_w / 2, 0.0), max(0.0, pw - win_w))
            y0 = min(max(cy - win_h / 2, 0.0), max(0.0, ph - win_h))
            s = out_w / win_w
            m = np.array([[s, 0, -x0 * s], [0, s, -y0 * s]], dtype=np.float64)
            yield cv2.warpAffine(
                img, m, (out_w, out_h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT
            )


def write_frames(path: str | Path, frames: Iterable[np.ndarray], fps: float) -> Path:
    """Write RGB frames as a video (format from the suffix) with ``emotool.media.write_video``."""
    from .media import write_video

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_video(path, frames, fps)
    return path


def sample_image(path: str | Path) -> Path:
    """Write scikit-image's astronaut photo (a smiling face) as a JPEG."""
    from PIL import Image

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(astronaut()).save(path, format="JPEG", quality=92)
    return path


def sample_shots(seconds: float = 12.0) -> list[Shot]:
    """The shots of :func:`sample_video`: smiling, serious, smiling, shouting, each a quarter."""
    q = seconds / 4
    astro = astronaut()
    serious = lfw_face(LFW_SERIOUS)
    shouting = lfw_face(LFW_SHOUTING)
    face_c = (0.44, 0.24)  # the astronaut's face, as fractions of the photo
    return [
        Shot(astro, q, zoom=(1.0, 1.6), centre=((0.5, 0.35), face_c)),
        Shot(serious, q, zoom=(1.0, 1.15), centre=((0.45, 0.5), (0.55, 0.5))),
        Shot(astro, q, zoom=(1.6, 1.1), centre=(face_c, (0.45, 0.3))),
        Shot(shouting, q, zoom=(1.1, 1.0), centre=((0.55, 0.5), (0.45, 0.5))),
    ]


def sample_video(
    path: str | Path, seconds: float = 12.0, size: tuple[int, int] = (640, 480), fps: float = 30.0
) -> Path:
    """Write a video of real photos with slow pans and zooms and changes of expression.

    Four equal shots: the astronaut smiling, a serious face from
    ``lfw_subset``, the astronaut again, and a shouting face, so the video has
    three changes of expression at a quarter, half and three quarters of its
    length (the embedded models read happiness, neutral, happiness, anger).

    Args:
        path: output file; the suffix picks the format (.mp4, .webm, .avi, .mov, .gif).
        seconds: duration.
        size: (width, height) of the frames.
        fps: frame rate.
    """
    return write_frames(path, compose(sample_shots(seconds), size, fps), fps)


def two_face_video(
    path: str | Path, seconds: float = 6.0, size: tuple[int, int] = (640, 480), fps: float = 30.0
) -> Path:
    """Write a video of two real faces side by side (the astronaut and an lfw face), slowly zooming.

    Both faces move in the frame as the camera zooms and pans, which is what a
    tracker must follow with two stable ids.
    """
    pair = side_by_side(astronaut()[0:300, 90:360], lfw_face(LFW_SERIOUS), size)
    shot = Shot(pair, seconds, zoom=(1.0, 1.2), centre=((0.5, 0.5), (0.5, 0.4)))
    return write_frames(path, compose([shot], size, fps), fps)


def write_samples(directory: str | Path = "samples") -> list[Path]:
    """Write every sample (image, video, two-face video) into ``directory``; returns their paths."""
    d = Path(directory)
    return [
        sample_image(d / "astronaut.jpg"),
        sample_video(d / "expressions.mp4"),
        two_face_video(d / "two_faces.mp4"),
    ]
