"""emotool batch: inputs, resuming, error lines (fake engine); real runs with processes and Ray."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import pytest

from emotool import errors
from emotool.errors import InvalidOption, UnknownName
from emotool.serve import batch
from emotool.serve.batch import BatchOptions, collect, read_done, run_batch


class FakeEngine:
    """Reads nothing: records each file as done, or as an error when its name says 'bad'."""

    calls: ClassVar[list[list[str]]] = []

    def __init__(self, options: BatchOptions, workers: int = 1, **_: Any) -> None:
        self.options = options

    def map(self, paths: Sequence[str]) -> Iterator[dict[str, Any]]:
        FakeEngine.calls.append(list(paths))
        for p in paths:
            if "bad" in Path(p).name:
                yield {
                    "path": p,
                    "kind": "image",
                    "ok": False,
                    "error": {"type": "CorruptMedia", "message": "x"},
                }
            else:
                yield {"path": p, "kind": batch.kind_of(p), "ok": True, "reading": {"label": "happiness"}}

    def close(self) -> None:
        pass


@pytest.fixture
def fake_engine(monkeypatch: pytest.MonkeyPatch) -> type[FakeEngine]:
    FakeEngine.calls = []
    monkeypatch.setitem(batch.ENGINES, "fake", FakeEngine)
    return FakeEngine


def _tree(root: Path) -> Path:
    (root / "a" / "b").mkdir(parents=True)
    (root / ".hidden").mkdir()
    for rel in (
        "one.jpg",
        "a/two.mp4",
        "a/b/three.flac",
        "a/bad.png",
        "notes.txt",
        ".hidden/x.jpg",
        "a/.y.jpg",
    ):
        (root / rel).write_bytes(b"data")
    return root


def test_collect_walks_folders_skips_hidden_and_non_media(tmp_path: Path) -> None:
    root = _tree(tmp_path / "in")
    files, roots = collect([root])
    assert [f.relative_to(root).as_posix() for f in files] == [
        "one.jpg",
        "a/bad.png",
        "a/two.mp4",
        "a/b/three.flac",
    ]
    assert roots == [root.resolve()]


def test_collect_reads_list_files_relative_to_the_list_and_dedupes(tmp_path: Path) -> None:
    root = _tree(tmp_path / "in")
    lst = tmp_path / "files.txt"
    lst.write_text("# sessions\nin/one.jpg\n\nin/a/two.mp4\nin/one.jpg\n", encoding="utf-8")
    files, roots = collect([lst, root / "a" / "b" / "three.flac"])
    assert [f.name for f in files] == ["one.jpg", "two.mp4", "three.flac"]
    assert roots == [root.resolve()]  # in/a and in/a/b are inside in/


def test_collect_refuses_missing_input(tmp_path: Path) -> None:
    with pytest.raises(InvalidOption, match="no such file"):
        collect([tmp_path / "nope"])


def test_run_records_errors_and_resumes(tmp_path: Path, fake_engine: type[FakeEngine]) -> None:
    root = _tree(tmp_path / "in")
    out = tmp_path / "out" / "results.jsonl"
    s1 = run_batch([root], out, engine="fake", progress=False)
    assert (s1.files, s1.done, s1.failed, s1.skipped) == (4, 3, 1, 0)
    recs = [json.loads(line) for line in out.read_text().splitlines()]
    assert {Path(r["path"]).name: r["ok"] for r in recs} == {
        "one.jpg": True,
        "two.mp4": True,
        "three.flac": True,
        "bad.png": False,
    }
    assert next(r for r in recs if not r["ok"])["error"]["type"] == "CorruptMedia"
    # a new file appears; the rerun does only that one
    (root / "four.webp").write_bytes(b"data")
    s2 = run_batch([root], out, engine="fake", progress=False)
    assert (s2.skipped, s2.done, s2.failed) == (4, 1, 0)
    assert [Path(p).name for p in fake_engine.calls[-1]] == ["four.webp"]
    # retry_errors redoes only the failed file
    s3 = run_batch([root], out, engine="fake", progress=False, retry_errors=True)
    assert [Path(p).name for p in fake_engine.calls[-1]] == ["bad.png"]
    assert (s3.skipped, s3.failed) == (4, 1)


def test_a_cut_last_line_is_dropped_and_redone(tmp_path: Path, fake_engine: type[FakeEngine]) -> None:
    root = _tree(tmp_path / "in")
    out = tmp_path / "results.jsonl"
    run_batch([root], out, engine="fake", progress=False)
    text = out.read_text()
    out.write_text(text[: len(text) - 25])  # the run was killed while writing the last line
    done = read_done(out)
    assert len(done) == 3
    assert out.read_text().endswith("\n")
    s = run_batch([root], out, engine="fake", progress=False)
    assert s.done + s.failed == 1
    lines = out.read_text().splitlines()
    assert len(lines) == 4 and all(json.loads(line) for line in lines)


def _no_models(options: dict[str, Any]) -> None:
    pass


def _crash_on_crash_files(path: str) -> dict[str, Any]:
    if "crash" in Path(path).name:
        os._exit(3)  # what a segfault in a native decoder looks like to the pool
    return {"path": path, "kind": "image", "ok": True, "reading": {"pid": os.getpid()}}


def test_a_dying_worker_fails_its_files_and_the_run_goes_on() -> None:
    names = [f"f{i}.jpg" for i in range(12)]
    names.insert(3, "crash.jpg")
    engine = batch.LocalEngine(BatchOptions(), workers=2, task=_crash_on_crash_files, initializer=_no_models)
    try:
        recs = list(engine.map(names))
    finally:
        engine.close()
    assert sorted(r["path"] for r in recs) == sorted(names)  # every file exactly once
    by = {r["path"]: r for r in recs}
    assert by["crash.jpg"]["ok"] is False and by["crash.jpg"]["error"]["type"] == "WorkerDied"
    assert "--retry-errors" in by["crash.jpg"]["error"]["message"]
    # only the files in flight with it failed (two per worker); the rest ran in a fresh pool
    assert sum(not r["ok"] for r in recs) <= 4
    assert all(by[n]["ok"] for n in names[-4:])


def test_unknown_engine_lists_the_valid_ones(tmp_path: Path) -> None:
    (tmp_path / "x.jpg").write_bytes(b"data")
    with pytest.raises(UnknownName, match="local, ray"):
        run_batch([tmp_path], tmp_path / "o.jsonl", engine="spark", progress=False)


def test_options_forbid_unknown_fields() -> None:
    with pytest.raises(ValueError):
        BatchOptions(fsp=2)  # type: ignore[call-arg]


# --------------------------------------------------------------------------- real


@pytest.fixture(scope="module")
def media_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    pytest.importorskip("skimage")
    from emotool.samples import sample_image, sample_video

    d = tmp_path_factory.mktemp("batch-media")
    sample_image(d / "astronaut.jpg")
    sample_video(d / "clip.mp4", seconds=2.0, size=(320, 240), fps=10)
    (d / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 40)
    (d / "sub").mkdir()
    from speech_helpers import espeak

    if espeak("I am so happy to see you again.", d / "sub" / "hello.wav") is None:
        pytest.skip("espeak-ng is not installed (scripts/setup.sh installs it)")
    return d


def _check_real_records(out: Path) -> dict[str, dict[str, Any]]:
    recs = {Path(r["path"]).name: r for r in map(json.loads, out.read_text().splitlines())}
    assert set(recs) == {"astronaut.jpg", "clip.mp4", "broken.png", "hello.wav"}
    assert recs["astronaut.jpg"]["ok"] and recs["astronaut.jpg"]["reading"]["label"] == "happiness"
    assert recs["clip.mp4"]["ok"] and recs["clip.mp4"]["reading"]["kind"] == "video"
    assert recs["clip.mp4"]["reading"]["frames_analyzed"] >= 3
    assert recs["hello.wav"]["ok"] and "happy" in recs["hello.wav"]["reading"]["transcript"]["text"].lower()
    assert not recs["broken.png"]["ok"]
    assert issubclass(getattr(errors, recs["broken.png"]["error"]["type"]), errors.MediaError)
    return recs


@pytest.mark.real
@pytest.mark.slow
def test_real_local_single_process_and_cli_resume(media_dir: Path, tmp_path: Path) -> None:
    from emotool.cli import main

    out = tmp_path / "r.jsonl"
    assert main(["batch", str(media_dir), "--out", str(out), "--no-progress"]) == 1  # one bad file
    _check_real_records(out)
    assert main(["batch", str(media_dir), "--out", str(out), "--no-progress"]) == 0  # all done
    assert len(out.read_text().splitlines()) == 4


@pytest.mark.real
@pytest.mark.slow
def test_real_local_two_worker_processes(media_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.jsonl"
    s = run_batch([media_dir], out, workers=2, progress=False, options=BatchOptions(verbal=False))
    assert (s.done, s.failed) == (3, 1)
    recs = _check_real_records(out)
    assert all(r["worker"] for r in recs.values())


@pytest.mark.real
@pytest.mark.slow
def test_real_ray_two_actors_on_a_local_cluster(media_dir: Path, tmp_path: Path) -> None:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        out = tmp_path / "r.jsonl"
        s = run_batch(
            [media_dir], out, engine="ray", workers=2, progress=False, options=BatchOptions(verbal=False)
        )
        assert (s.done, s.failed, s.engine) == (3, 1, "ray")
        recs = _check_real_records(out)
        assert len({r["worker"] for r in recs.values()}) == 2
    finally:
        ray.shutdown()
