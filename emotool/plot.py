"""Draw a video reading's emotion timeline as a PNG (matplotlib, Agg backend)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .labels import EMOTIONS
from .schema import VideoReading

#: A fixed colour per emotion, the same in every plot.
EMOTION_COLORS: dict[str, str] = {
    "anger": "#d62728",
    "disgust": "#8c564b",
    "fear": "#9467bd",
    "happiness": "#f2a900",
    "neutral": "#7f7f7f",
    "sadness": "#1f77b4",
    "surprise": "#17becf",
}

#: At most this many tracks get their own panel (longest first); the rest are named in a note.
MAX_PANELS = 6


def plot_timeline(reading: VideoReading, path: str | Path, *, dpi: int = 110) -> Path:
    """Draw each face track's smoothed emotion probabilities over time.

    One panel per track (longest first, at most :data:`MAX_PANELS`): one line
    per emotion in a fixed colour, the segments of dominant emotion shaded in
    that emotion's colour, transitions marked by dashed lines. Raw per-frame
    scores of the dominant emotion are drawn as faint dots, so the smoothing
    can be judged. A video without faces gives a single panel saying so.

    Args:
        reading: the video reading to draw.
        path: where to write the PNG (parent folders are created).
        dpi: resolution of the image.

    Returns:
        The path written.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tracks = reading.tracks[:MAX_PANELS]
    n = max(1, len(tracks))
    fig = Figure(figsize=(11, 1.2 + 2.6 * n), dpi=dpi)
    FigureCanvasAgg(fig)  # Agg explicitly, without touching pyplot's global backend
    axes = fig.subplots(n, 1, squeeze=False, sharex=True)[:, 0]
    x_end = max(reading.duration_s, max((t.last_seen for t in tracks), default=0.0), 1e-3)

    title = f"{Path(reading.source).name}: "
    if reading.face_found:
        title += (
            f"overall {reading.label} (confidence {reading.confidence:.0%}), "
            f"{len(reading.tracks)} face(s), {reading.frames_analyzed} frames at {reading.sample_fps:g} fps"
        )
    else:
        title += f"no face found in {reading.frames_analyzed} frames"
    fig.suptitle(title, fontsize=11)

    if not tracks:
        ax = axes[0]
        ax.text(0.5, 0.5, "no face found", ha="center", va="center", transform=ax.transAxes, fontsize=14)
        ax.set_xlim(0, x_end)
        ax.set_ylim(0, 1)
        ax.set_xlabel("time (s)")
        ax.set_yticks([])

    for ax, tr in zip(axes, tracks, strict=False):
        _draw_track(ax, tr, x_end)
    axes[-1].set_xlabel("time (s)")

    handles: list[Any] = [Line2D([], [], color=EMOTION_COLORS[e], lw=2, label=e) for e in EMOTIONS]
    handles.append(Patch(facecolor="#999999", alpha=0.25, label="segment (dominant emotion)"))
    handles.append(Line2D([], [], color="black", ls="--", lw=1, label="transition"))
    handles.append(
        Line2D([], [], color="#444444", marker=".", ls="none", alpha=0.6, label="raw score of segment label")
    )
    fig.legend(handles=handles, loc="lower center", ncol=5, fontsize=8, frameon=False)
    if len(reading.tracks) > MAX_PANELS:
        fig.text(
            0.99,
            0.005,
            f"{len(reading.tracks) - MAX_PANELS} shorter track(s) not drawn",
            ha="right",
            fontsize=8,
        )
    legend_h = 0.55 / fig.get_figheight()
    fig.tight_layout(rect=(0, legend_h + 0.02, 1, 1 - 0.35 / fig.get_figheight()))
    fig.savefig(path, format="png")
    return path


def _draw_track(ax: Any, tr: Any, x_end: float) -> None:
    times = [p.t for p in tr.points]
    for seg in tr.segments:
        colour = EMOTION_COLORS[seg.label]
        ax.axvspan(seg.start, max(seg.end, seg.start + 0.05), color=colour, alpha=0.13, lw=0)
        mid = (seg.start + seg.end) / 2
        if seg.end - seg.start >= 0.06 * x_end:
            ax.text(
                mid,
                1.02,
                seg.label,
                ha="center",
                va="bottom",
                fontsize=8,
                color=EMOTION_COLORS[seg.label],
                fontweight="bold",
            )
    for e in EMOTIONS:
        ys = [getattr(p.smoothed, e) for p in tr.points]
        strong = max(ys) >= 0.15
        ax.plot(
            times,
            ys,
            color=EMOTION_COLORS[e],
            lw=2.0 if strong else 1.0,
            alpha=1.0 if strong else 0.5,
            marker="o" if len(times) == 1 else None,
        )
    # raw per-frame score of the segment's label, to show what the smoothing did
    for seg in tr.segments:
        pts = [p for p in tr.points if seg.start <= p.t <= seg.end]
        ax.plot(
            [p.t for p in pts],
            [getattr(p.scores, seg.label) for p in pts],
            ls="none",
            marker=".",
            ms=3,
            color=EMOTION_COLORS[seg.label],
            alpha=0.5,
        )
    for t in tr.transitions:
        ax.axvline(t.t, color="black", ls="--", lw=1)
        ax.annotate(
            f"{t.from_label} → {t.to_label}\n{t.t:.1f} s",
            xy=(t.t, 0.93),
            xytext=(4, 0),
            textcoords="offset points",
            fontsize=7,
            va="top",
        )
    ax.set_xlim(0, x_end)
    ax.set_ylim(0, 1.03)
    ax.set_ylabel("probability")
    ax.grid(True, axis="y", alpha=0.3)
    b = tr.points[0].box
    where = f"first seen at x {b.x_norm + b.width_norm / 2:.0%}, y {b.y_norm + b.height_norm / 2:.0%}"
    ax.set_title(
        f"face {tr.track_id} ({where}): {len(tr.points)} frames, {tr.first_seen:.1f}-{tr.last_seen:.1f} s, "
        f"mostly {tr.label} (valence {tr.valence:+.2f}, arousal {tr.arousal:.2f})",
        fontsize=9,
        loc="left",
        pad=14,
    )
