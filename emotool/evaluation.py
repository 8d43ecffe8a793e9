"""Scoring facial-expression analyzers on a folder of labelled face photos.

A labelled folder is laid out like ``shared/data/faces-dev``::

    DIR/labels.csv     header ``image,emotion``, one row per photo
    DIR/images/NAME    the photos named in the first column

Labels may use any vocabulary that :func:`emotool.labels.canonical` knows.

:func:`evaluate_faces` runs one or several analyzers (any callable taking an
RGB ``uint8`` array and returning a :class:`~emotool.perception.types.FrameResult`)
over the same photos and returns a :class:`FaceEvalReport`: accuracy, macro-F1,
per-class recall and F1, the confusion matrix and the end-to-end time per
image (file decoding included), side by side.

Decisions worth knowing:

- The prediction for a photo is the top label of its largest face
  (``FrameResult.faces[0]``).
- **No face found counts as a miss.** It is recorded in an extra ``no_face``
  column of the confusion matrix, so it lowers accuracy and the recall of the
  true class but never the precision of any class. An analyzer that wants to
  guess from the whole picture when it finds no face (as fer's own pipeline
  does) must return that guess as a face; it is then scored like one.
- Macro-F1 averages the F1 of the classes present in the data set, so a set
  with no ``disgust`` photo is not penalised for it; predictions of an absent
  class still count as errors (through the recall of the true class).
- Timing: each analyzer first sees one warm-up image (not counted), then
  every image is timed from reading the file to the returned result.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from .errors import EmotoolError
from .labels import EMOTIONS, Emotion, canonical

if TYPE_CHECKING:
    from .perception.types import FrameResult

#: An analyzer: an upright RGB ``uint8`` array of shape (H, W, 3) in, a frame result out.
FaceAnalyzer = Callable[[np.ndarray], "FrameResult"]

#: Name of the confusion-matrix column for photos where no face was found.
NO_FACE = "no_face"

#: The analyzer name under which :class:`FaceEvalReport` keeps the reference peer.
BASELINE = "baseline"


class DatasetError(EmotoolError):
    """A labelled face folder is missing, malformed or empty."""


# --------------------------------------------------------------------------- data set


def load_face_dataset(directory: str | Path) -> list[tuple[Path, Emotion]]:
    """Read a labelled face folder laid out like ``faces-dev``.

    Args:
        directory: Folder holding ``labels.csv`` (header ``image,emotion``) and ``images/``.

    Returns:
        ``(image path, canonical emotion)`` pairs in the order of ``labels.csv``.

    Raises:
        DatasetError: The folder or ``labels.csv`` is missing, the header is wrong, a row
            is malformed or has an unknown label (the message names the row), an image
            file is missing, or the set is empty.
    """
    root = Path(directory).expanduser()
    if not root.is_dir():
        raise DatasetError(f"data set folder {str(root)!r} does not exist or is not a folder")
    labels_csv = root / "labels.csv"
    if not labels_csv.is_file():
        raise DatasetError(
            f"{str(labels_csv)!r} is missing; a labelled face folder needs labels.csv "
            "(header 'image,emotion') and an images/ folder"
        )
    images_dir = root / "images"
    items: list[tuple[Path, Emotion]] = []
    missing: list[str] = []
    with labels_csv.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader, None)
        if header is None or [h.strip().lower() for h in header[:2]] != ["image", "emotion"]:
            raise DatasetError(
                f"{str(labels_csv)!r} must start with the header 'image,emotion', got {header!r}"
            )
        for lineno, row in enumerate(reader, start=2):
            if not row or all(not cell.strip() for cell in row):
                continue
            if len(row) < 2 or not row[0].strip():
                raise DatasetError(f"{labels_csv.name} line {lineno}: expected 'image,emotion', got {row!r}")
            name, label = row[0].strip(), row[1]
            try:
                emotion = canonical(label)
            except ValueError as exc:
                raise DatasetError(f"{labels_csv.name} line {lineno} ({name}): {exc}") from None
            path = images_dir / name
            if not path.is_file():
                missing.append(name)
            items.append((path, emotion))
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        raise DatasetError(
            f"{len(missing)} image(s) listed in labels.csv are missing from {str(images_dir)!r}: {shown}"
        )
    if not items:
        raise DatasetError(f"{str(labels_csv)!r} lists no images")
    return items


# --------------------------------------------------------------------------- metrics


def confusion_matrix(truth: Sequence[str], predicted: Sequence[str | None]) -> np.ndarray:
    """Count (true, predicted) pairs.

    Args:
        truth: True labels, each one of ``EMOTIONS``.
        predicted: Predicted labels, one of ``EMOTIONS`` or ``None`` for "no face found".

    Returns:
        An int array of shape (7, 8): rows are true labels in ``EMOTIONS`` order, columns
        the predicted labels in the same order followed by the ``no_face`` column.
    """
    if len(truth) != len(predicted):
        raise ValueError(f"{len(truth)} true labels but {len(predicted)} predictions")
    index: dict[str, int] = {e: i for i, e in enumerate(EMOTIONS)}
    cm = np.zeros((len(EMOTIONS), len(EMOTIONS) + 1), dtype=np.int64)
    for t, p in zip(truth, predicted, strict=True):
        cm[index[t], len(EMOTIONS) if p is None else index[p]] += 1
    return cm


def accuracy(cm: np.ndarray) -> float:
    """Share of photos whose prediction equals the truth (no-face photos count as wrong)."""
    n = int(cm.sum())
    return float(np.trace(cm[:, : cm.shape[0]])) / n if n else 0.0


def per_class_recall(cm: np.ndarray) -> np.ndarray:
    """Recall of each true class; NaN where the class has no photo."""
    support = cm.sum(axis=1).astype(float)
    hits = np.diag(cm[:, : cm.shape[0]]).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(support > 0, hits / np.where(support > 0, support, 1), np.nan)


def per_class_precision(cm: np.ndarray) -> np.ndarray:
    """Precision of each predicted class; NaN where the class was never predicted."""
    square = cm[:, : cm.shape[0]].astype(float)
    predicted = square.sum(axis=0)
    hits = np.diag(square)
    return np.where(predicted > 0, hits / np.where(predicted > 0, predicted, 1), np.nan)


def per_class_f1(cm: np.ndarray) -> np.ndarray:
    """F1 of each class present in the truth; NaN for classes with no photo.

    A present class that is never predicted (or never right) has F1 0.
    """
    square = cm[:, : cm.shape[0]].astype(float)
    tp = np.diag(square)
    support = cm.sum(axis=1).astype(float)  # tp + fn, no-face misses included
    predicted = square.sum(axis=0)  # tp + fp
    denom = support + predicted
    f1 = np.where(denom > 0, 2 * tp / np.where(denom > 0, denom, 1), 0.0)
    return np.where(support > 0, f1, np.nan)


def macro_f1(cm: np.ndarray) -> float:
    """Unweighted mean F1 over the classes present in the truth (0 for an empty matrix)."""
    f1 = per_class_f1(cm)
    present = ~np.isnan(f1)
    return float(f1[present].mean()) if present.any() else 0.0


def _by_label(values: np.ndarray) -> dict[str, float | None]:
    return {e: (None if np.isnan(v) else round(float(v), 4)) for e, v in zip(EMOTIONS, values, strict=True)}


# --------------------------------------------------------------------------- report


class DatasetInfo(BaseModel):
    """Which labelled folder was scored."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="The folder's name.")
    path: str = Field(description="The folder as given (not resolved, so no machine path is implied).")
    images: int = Field(description="Number of labelled photos.")
    class_counts: dict[str, int] = Field(description="Photos per true label, over all seven labels.")


class AnalyzerScores(BaseModel):
    """How one analyzer did on one labelled folder."""

    model_config = ConfigDict(extra="forbid")

    analyzer: str = Field(description="The name the analyzer was given in the run.")
    images: int = Field(description="Photos scored.")
    faces_found: int = Field(description="Photos on which the analyzer returned at least one face.")
    no_face: int = Field(description="Photos with no face returned; each counts as a miss.")
    accuracy: float = Field(description="Share of photos whose top label is the true one.")
    macro_f1: float = Field(description="Mean F1 over the classes present in the set.")
    per_class_recall: dict[str, float | None] = Field(
        description="Recall per true label; null for labels with no photo in the set."
    )
    per_class_f1: dict[str, float | None] = Field(
        description="F1 per label; null for labels with no photo in the set."
    )
    confusion: list[list[int]] = Field(
        description="Counts, rows = true labels (`labels`), columns = predicted labels (`predicted_labels`)."
    )
    labels: list[str] = Field(description="Row labels of `confusion`.")
    predicted_labels: list[str] = Field(description="Column labels of `confusion` (`no_face` last).")
    ms_per_image_p50: float = Field(description="Median milliseconds per photo, decoding included.")
    ms_per_image_p95: float = Field(description="95th percentile milliseconds per photo, decoding included.")
    ms_per_image_mean: float = Field(description="Mean milliseconds per photo, decoding included.")


class FaceEvalReport(AnalyzerScores):
    """The result of :func:`evaluate_faces`.

    The primary analyzer's scores sit at the top level (so ``accuracy``, ``macro_f1``,
    ``per_class_recall``, ``ms_per_image_p50`` and ``images`` are top-level keys of the
    JSON); the reference peer, if one was run under the name ``"baseline"``, is in
    ``baseline`` with the same keys, and any further analyzers are in ``peers``.
    """

    dataset: DatasetInfo
    baseline: AnalyzerScores | None = Field(default=None, description="The reference peer's scores.")
    peers: dict[str, AnalyzerScores] = Field(default_factory=dict, description="Further analyzers.")
    no_face_policy: str = Field(
        default="miss",
        description="How photos without a detected face are scored: 'miss' = wrong, column no_face.",
    )
    warmup_images: int = Field(default=1, description="Untimed warm-up calls per analyzer before timing.")

    def all_scores(self) -> dict[str, AnalyzerScores]:
        """Every analyzer's scores by name, the primary first, then the baseline, then peers."""
        primary = AnalyzerScores.model_validate({k: getattr(self, k) for k in AnalyzerScores.model_fields})
        out = {self.analyzer: primary}
        if self.baseline is not None:
            out[self.baseline.analyzer] = self.baseline
        out.update(self.peers)
        return out


# --------------------------------------------------------------------------- running


def default_loader(root: str | Path) -> Callable[[Path], np.ndarray]:
    """The photo decoder used when none is given: :func:`emotool.media.load_image`
    (EXIF-upright RGB, size and pixel caps) with reading allowed under ``root`` only.

    Args:
        root: The data set folder.

    Returns:
        A function from a photo's path to its RGB uint8 array.
    """
    from .media import MediaPolicy, load_image  # lazy: the image stack loads on use

    policy = MediaPolicy.model_validate({"allowed_roots": [Path(root)]})

    def read(path: Path) -> np.ndarray:
        return load_image(path, policy).rgb

    return read


def _top_label(result: FrameResult) -> str | None:
    if not result.faces:
        return None
    probs = np.asarray(result.faces[0].probs, dtype=float)
    return EMOTIONS[int(np.argmax(probs))]


def score_predictions(
    name: str, truth: Sequence[str], predicted: Sequence[str | None], times_ms: Sequence[float]
) -> AnalyzerScores:
    """Turn one analyzer's predictions and timings into :class:`AnalyzerScores`.

    Args:
        name: The analyzer's name.
        truth: True labels (``EMOTIONS`` names).
        predicted: Predicted labels, ``None`` where no face was found.
        times_ms: Milliseconds per photo.

    Returns:
        The scores.
    """
    cm = confusion_matrix(truth, predicted)
    t = np.asarray(times_ms, dtype=float) if times_ms else np.zeros(1)
    no_face = sum(p is None for p in predicted)
    return AnalyzerScores(
        analyzer=name,
        images=len(truth),
        faces_found=len(truth) - no_face,
        no_face=no_face,
        accuracy=round(accuracy(cm), 4),
        macro_f1=round(macro_f1(cm), 4),
        per_class_recall=_by_label(per_class_recall(cm)),
        per_class_f1=_by_label(per_class_f1(cm)),
        confusion=cm.tolist(),
        labels=list(EMOTIONS),
        predicted_labels=[*EMOTIONS, NO_FACE],
        ms_per_image_p50=round(float(np.percentile(t, 50)), 2),
        ms_per_image_p95=round(float(np.percentile(t, 95)), 2),
        ms_per_image_mean=round(float(t.mean()), 2),
    )


def evaluate_faces(
    directory: str | Path,
    analyzers: Mapping[str, FaceAnalyzer],
    progress: bool = True,
    *,
    primary: str | None = None,
    loader: Callable[[Path], np.ndarray] | None = None,
    warmup: int = 1,
) -> FaceEvalReport:
    """Score one or several face analyzers on a labelled folder, side by side.

    Each analyzer runs over the whole set in turn (after ``warmup`` untimed calls on
    the first photo); each photo is timed from reading the file to the returned result.

    Args:
        directory: A folder laid out like ``faces-dev`` (see :func:`load_face_dataset`).
        analyzers: Analyzers by name, e.g. ``{"emotool": FacePipeline().analyze,
            "baseline": FerBaselinePipeline().analyze}``. The one named ``"baseline"``
            is reported in ``baseline``.
        progress: Show a tqdm progress bar on stderr.
        primary: Name of the analyzer whose scores go at the top level of the report;
            default the first one that is not ``"baseline"`` (or the only one).
        loader: Decodes a photo to an RGB uint8 array; default :func:`default_loader`
            (emotool's own safe loader, so decoding is timed as in real use).
        warmup: Untimed calls per analyzer before timing starts.

    Returns:
        The report.

    Raises:
        DatasetError: The folder is not a valid labelled set.
        ValueError: No analyzer was given, or ``primary`` is not one of them.
    """
    if not analyzers:
        raise ValueError("evaluate_faces needs at least one analyzer")
    names = list(analyzers)
    if primary is None:
        primary = next((n for n in names if n != BASELINE), names[0])
    if primary not in analyzers:
        raise ValueError(f"primary analyzer {primary!r} is not one of {names}")
    items = load_face_dataset(directory)
    read = loader or default_loader(directory)
    truth = [label for _, label in items]

    scores: dict[str, AnalyzerScores] = {}
    for name in [primary, *(n for n in names if n != primary)]:
        analyze = analyzers[name]
        if warmup > 0:
            first = read(items[0][0])
            for _ in range(warmup):
                analyze(first)
        predicted: list[str | None] = []
        times: list[float] = []
        for path, _ in _progress(items, progress, f"eval {name}"):
            t0 = time.perf_counter()
            result = analyze(read(path))
            times.append((time.perf_counter() - t0) * 1000.0)
            predicted.append(_top_label(result))
        scores[name] = score_predictions(name, truth, predicted, times)

    root = Path(directory)
    counts: dict[str, int] = {e: truth.count(e) for e in EMOTIONS}
    top = scores.pop(primary)
    baseline = scores.pop(BASELINE, None) if primary != BASELINE else None
    return FaceEvalReport(
        **top.model_dump(),
        dataset=DatasetInfo(
            name=root.resolve().name, path=str(directory), images=len(items), class_counts=counts
        ),
        baseline=baseline,
        peers=scores,
        warmup_images=max(0, warmup),
    )


def _progress(items: list[tuple[Path, Emotion]], enabled: bool, desc: str) -> Iterable[tuple[Path, Emotion]]:
    if not enabled:
        return items
    from tqdm.auto import tqdm

    return tqdm(items, desc=desc, unit="img", leave=False)


# --------------------------------------------------------------------------- text


def _fmt(v: float | None, pct: bool = True) -> str:
    if v is None:
        return "-"
    return f"{100 * v:.1f}%" if pct else f"{v:.1f}"


def format_report(report: FaceEvalReport) -> str:
    """A readable, side-by-side text table of a :class:`FaceEvalReport`.

    Args:
        report: The report to show.

    Returns:
        Lines of text: the headline figures and per-class recall of every analyzer in
        columns, then the primary analyzer's confusion matrix.
    """
    all_scores = report.all_scores()
    names = list(all_scores)
    ds = report.dataset
    present = ", ".join(f"{k} {v}" for k, v in ds.class_counts.items() if v)
    lines = [f"data set {ds.name}: {ds.images} images ({present})", ""]

    rows: list[tuple[str, list[str]]] = [
        ("accuracy", [_fmt(s.accuracy) for s in all_scores.values()]),
        ("macro-F1", [_fmt(s.macro_f1) for s in all_scores.values()]),
        ("faces found", [f"{s.faces_found}/{s.images}" for s in all_scores.values()]),
        ("ms/image p50", [_fmt(s.ms_per_image_p50, pct=False) for s in all_scores.values()]),
        ("ms/image p95", [_fmt(s.ms_per_image_p95, pct=False) for s in all_scores.values()]),
    ]
    for e in EMOTIONS:
        if ds.class_counts.get(e):
            rows.append((f"recall {e}", [_fmt(s.per_class_recall[e]) for s in all_scores.values()]))
    label_w = max(len(r[0]) for r in rows)
    col_w = max(10, *(len(n) for n in names))
    lines.append(" " * label_w + "  " + "  ".join(n.rjust(col_w) for n in names))
    for label, cells in rows:
        lines.append(label.ljust(label_w) + "  " + "  ".join(c.rjust(col_w) for c in cells))

    lines += ["", f"confusion of {report.analyzer} (rows true, columns predicted):"]
    short = [lab[:5] for lab in report.predicted_labels]
    row_w = max(len(lab) for lab in report.labels)
    lines.append(" " * row_w + " " + " ".join(s.rjust(6) for s in short))
    for lab, counts in zip(report.labels, report.confusion, strict=True):
        if sum(counts):
            lines.append(lab.ljust(row_w) + " " + " ".join(str(c).rjust(6) for c in counts))
    n_present = sum(1 for v in ds.class_counts.values() if v)
    lines.append(f"(no face found counts as a miss; macro-F1 over the {n_present} classes present)")
    return "\n".join(lines)


# --------------------------------------------------------------------------- command line


def evaluate_faces_cli(
    directory: str | Path,
    *,
    as_json: bool = False,
    baseline: bool = True,
    detector: str = "auto",
    classifier: str = "ensemble",
) -> int:
    """``emotool eval faces DIR``: score emotool's pipeline (and fer's, as the baseline).

    Prints :func:`format_report`'s table, or with ``as_json`` one JSON object, on stdout;
    the progress bar goes to stderr.

    Args:
        directory: The labelled folder.
        as_json: Print the report as one JSON object.
        baseline: Also run fer's own pipeline as the reference peer.
        detector: Face detector of emotool's pipeline (``"auto"``: its default).
        classifier: Expression classifier of emotool's pipeline (``"ensemble"``: its default).

    Returns:
        The exit code (0).

    Raises:
        EmotoolError: A bad folder (:class:`DatasetError`), a missing model asset or an
            unreadable photo; the CLI prints it on one line.
    """
    from .perception.pipeline import FacePipeline

    analyzers: dict[str, FaceAnalyzer] = {
        "emotool": FacePipeline(detector=detector or "auto", classifier=classifier or "ensemble").analyze
    }
    if baseline:
        from .perception.baseline import FerBaselinePipeline

        analyzers[BASELINE] = FerBaselinePipeline().analyze
    report = evaluate_faces(directory, analyzers, progress=True)
    print(report.model_dump_json(indent=2) if as_json else format_report(report))
    return 0
