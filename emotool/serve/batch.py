"""``emotool batch``: read every image, video and audio file of a folder (or a list) into a JSONL file.

One line per file, written as soon as the file is done, so a run can be stopped
and started again: a rerun skips the files already in the output (``retry_errors``
also redoes the ones that failed). A file that cannot be read becomes an error
line (its typed error and message) and the run goes on.

The work is spread by an *engine* (a small Protocol and a registry):

- ``local``: this process (``workers=1``) or a pool of worker processes, each
  loading the models once;
- ``ray``: actors on a Ray cluster (a local one by default, or ``address=``),
  each loading the models once (``pip install 'emotool[ray]'``).

Example:
    >>> from emotool.serve.batch import run_batch
    >>> summary = run_batch(["sessions/"], "readings.jsonl", workers=2)  # doctest: +SKIP
    >>> summary.done, summary.failed, summary.files_per_s  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from ..errors import InvalidOption, UnknownName, missing_extra

IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff")
VIDEO_SUFFIXES = (".mp4", ".webm", ".avi", ".mov", ".mkv", ".gif")
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".wma")
MEDIA_SUFFIXES = IMAGE_SUFFIXES + VIDEO_SUFFIXES + AUDIO_SUFFIXES

Kind = Literal["image", "video", "audio"]


class BatchOptions(BaseModel):
    """How each file is read (the same for every worker).

    Attributes:
        allowed_roots: Folders files may be read from (``collect`` derives them from the inputs).
        fps: Video frames analysed per second.
        detector: Face detector name.
        classifier: Expression classifier name.
        speech_backend: Transcription backend for audio files.
        speech_model: Its model (default: the embedded Whisper tiny.en).
        verbal: Score the words of a transcript (loads the sentence-embedding model).
    """

    model_config = ConfigDict(extra="forbid")

    allowed_roots: list[Path] = Field(default_factory=list)
    fps: float | None = Field(default=None, gt=0, le=120)
    detector: str = "auto"
    classifier: str = "ensemble"
    speech_backend: str = "faster-whisper"
    speech_model: str | None = None
    verbal: bool = True


class BatchError(BaseModel):
    """Why a file failed: the error's class name (from :mod:`emotool.errors` when expected) and message."""

    model_config = ConfigDict(extra="forbid")

    type: str
    message: str


class BatchRecord(BaseModel):
    """One line of the output: a file and its reading, or the error it gave."""

    model_config = ConfigDict(extra="forbid")

    path: str
    kind: Kind | None = None
    ok: bool
    reading: dict[str, Any] | None = None
    error: BatchError | None = None
    ms: float = 0.0
    worker: str = ""


class BatchSummary(BaseModel):
    """What a run did."""

    files: int
    skipped: int
    done: int
    failed: int
    seconds: float
    files_per_s: float
    engine: str
    workers: int
    out: str


def kind_of(path: str | Path) -> Kind | None:
    """The kind of a media file from its suffix (``None`` for other files)."""
    s = Path(path).suffix.lower()
    if s in IMAGE_SUFFIXES:
        return "image"
    if s in VIDEO_SUFFIXES:
        return "video"
    if s in AUDIO_SUFFIXES:
        return "audio"
    return None


# --------------------------------------------------------------------------- inputs


def _walk(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith(".") and kind_of(name) is not None:
                yield Path(dirpath) / name


def _read_list(list_file: Path) -> Iterator[Path]:
    for raw in list_file.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        p = Path(line).expanduser()
        yield p if p.is_absolute() else list_file.parent / p


def collect(inputs: Sequence[str | Path]) -> tuple[list[Path], list[Path]]:
    """The media files named by ``inputs``, and the folders they may be read from.

    Each input is a folder (searched recursively; hidden entries skipped), a media
    file, or a list file (any other file: one path per line, relative to the list's
    folder, ``#`` comments).

    Returns:
        ``(files, roots)``: absolute paths in order without duplicates (a folder's
        symlinks are kept as links: the media policy refuses ones that lead outside),
        and the smallest set of folders that holds them.

    Raises:
        InvalidOption: an input does not exist.
    """
    files: list[Path] = []
    roots: list[Path] = []
    for given in inputs:
        p = Path(given).expanduser()
        if not p.exists():
            raise InvalidOption(f"{given}: no such file or folder; give a folder, a media file or a list")
        p = p.absolute()
        if p.is_dir():
            roots.append(p.resolve())
            files.extend(_walk(p))
        elif kind_of(p) is not None:
            files.append(p)
            roots.append(p.parent.resolve())
        else:
            for f in _read_list(p):
                f = f.absolute()
                files.append(f)
                roots.append(f.parent.resolve())
    seen: set[str] = set()
    unique = []
    for f in files:
        if str(f) not in seen:
            seen.add(str(f))
            unique.append(f)
    minimal: list[Path] = []
    for r in sorted(set(roots), key=lambda r: len(r.parts)):
        if not any(r == m or m in r.parents for m in minimal):
            minimal.append(r)
    return unique, minimal


def read_done(out: Path, *, retry_errors: bool = False) -> set[str]:
    """The paths already recorded in ``out`` (only the successful ones with ``retry_errors``).

    A last line cut short by a killed run is removed from the file, so appending goes on cleanly.
    """
    if not out.exists():
        return set()
    done: set[str] = set()
    data = out.read_bytes()
    good_end = 0
    pos = 0
    for raw in data.splitlines(keepends=True):
        pos += len(raw)
        try:
            rec = json.loads(raw)
        except ValueError:
            if raw.endswith(b"\n"):
                good_end = pos  # a damaged line in the middle: leave it, the file is redone
            continue
        good_end = pos if raw.endswith(b"\n") else good_end
        if isinstance(rec, dict) and "path" in rec and (rec.get("ok") or not retry_errors):
            done.add(str(rec["path"]))
    if good_end < len(data):
        with open(out, "r+b") as fh:
            fh.truncate(good_end)
    return done


# --------------------------------------------------------------------------- the worker


class BatchWorker:
    """Reads one file at a time; the models are loaded once, when the worker starts.

    Args:
        options: How to read (a :class:`BatchOptions` or its dict, as sent to a remote worker).
        warmup: Load the face models now.
    """

    def __init__(self, options: BatchOptions | dict[str, Any], warmup: bool = True) -> None:
        from ..analyzer import Analyzer
        from ..media import MediaPolicy

        self.options = options if isinstance(options, BatchOptions) else BatchOptions(**options)
        roots = self.options.allowed_roots or [Path.cwd()]
        self.policy = MediaPolicy(allowed_roots=roots)
        self.analyzer = Analyzer(
            detector=self.options.detector,
            classifier=self.options.classifier,
            policy=self.policy,
            fps=self.options.fps,
        )
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        if warmup:
            self.analyzer.warmup()

    def read(self, path: str) -> Any:
        """The reading of one file (raises the typed error when it cannot be read)."""
        if kind_of(path) == "audio":
            from ..speech.analyze import analyze_speech

            return analyze_speech(
                path,
                backend=self.options.speech_backend,
                model=self.options.speech_model,
                policy=self.policy,
                verbal=self.options.verbal,
                progress=None,
            )
        return self.analyzer.analyze(path)

    def run(self, path: str) -> dict[str, Any]:
        """Read one file into a :class:`BatchRecord` dict; never raises for a bad file."""
        t0 = time.perf_counter()
        rec: dict[str, Any] = {"path": path, "kind": kind_of(path), "worker": self.name}
        try:
            reading = self.read(path)
        except (KeyboardInterrupt, SystemExit):
            raise
        except Exception as exc:  # one bad file must not stop the run: record it and go on
            rec.update(ok=False, error={"type": type(exc).__name__, "message": str(exc) or repr(exc)})
        else:
            rec.update(ok=True, reading=reading.model_dump(mode="json"))
        rec["ms"] = round((time.perf_counter() - t0) * 1000, 1)
        return rec


# --------------------------------------------------------------------------- engines


class Engine(Protocol):
    """Spreads files over workers and yields their records as they finish (in any order)."""

    def map(self, paths: Sequence[str]) -> Iterator[dict[str, Any]]: ...

    def close(self) -> None: ...


_PROCESS_WORKER: BatchWorker | None = None


def _init_process(options: dict[str, Any]) -> None:
    global _PROCESS_WORKER
    _PROCESS_WORKER = BatchWorker(options)


def _run_in_process(path: str) -> dict[str, Any]:
    assert _PROCESS_WORKER is not None
    return _PROCESS_WORKER.run(path)


class LocalEngine:
    """This process (``workers=1``) or ``workers`` processes, each with its own models.

    Worker processes are started with ``spawn`` (no inherited threads or model state) and
    at most two files per worker are in flight, so a huge folder does not fill the queue. A
    worker that dies (a native crash, out of memory) fails the files it had in flight, as
    error lines, and the pool is started again for the rest.

    Args:
        options: How to read each file.
        workers: Worker processes (1: this process).
        task: ``path -> record`` run in the workers (a module-level function; tests, custom readers).
        initializer: ``options dict -> None`` run once in each worker (loads the models).
    """

    def __init__(
        self,
        options: BatchOptions,
        workers: int = 1,
        *,
        task: Callable[[str], dict[str, Any]] = _run_in_process,
        initializer: Callable[[dict[str, Any]], None] = _init_process,
        **_: Any,
    ) -> None:
        if workers < 1:
            raise InvalidOption(f"workers must be at least 1, got {workers}")
        self.options, self.workers = options, workers
        self._task, self._initializer = task, initializer  # module-level functions (pickled by name)
        self._pool: ProcessPoolExecutor | None = None
        self._worker: BatchWorker | None = None

    def map(self, paths: Sequence[str]) -> Iterator[dict[str, Any]]:
        if self.workers == 1:
            if self._worker is None:
                self._worker = BatchWorker(self.options)
            for p in paths:
                yield self._worker.run(p)
            return
        yield from self._pooled(paths)

    def _new_pool(self) -> ProcessPoolExecutor:
        import multiprocessing as mp

        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=mp.get_context("spawn"),
            initializer=self._initializer,
            initargs=(self.options.model_dump(mode="json"),),
        )

    def _pooled(self, paths: Iterable[str]) -> Iterator[dict[str, Any]]:
        """At most two files per worker in flight; a pool broken by a dying worker is replaced."""
        from concurrent.futures.process import BrokenProcessPool

        window = 2 * self.workers
        it = iter(paths)
        running: dict[Future[dict[str, Any]], str] = {}
        self._pool = self._pool or self._new_pool()

        def fill() -> None:
            while len(running) < window:
                nxt = next(it, None)
                if nxt is None:
                    return
                assert self._pool is not None
                running[self._pool.submit(self._task, nxt)] = nxt

        fill()
        while running:
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = False
            for fut in finished:
                path = running.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool:
                    broken = True
                    yield _died(
                        path,
                        "a worker process died while this file was in flight (a crash in "
                        "a native library, or out of memory); redo it with --retry-errors",
                    )
                except Exception as exc:
                    yield _died(path, f"the worker process failed: {exc}")
            if broken:  # every other file in flight failed with it; start a fresh pool
                for fut, path in list(running.items()):
                    try:
                        yield fut.result()
                    except Exception:
                        yield _died(
                            path,
                            "a worker process died while this file was in flight; "
                            "redo it with --retry-errors",
                        )
                running.clear()
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()
            fill()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _died(path: str, message: str) -> dict[str, Any]:
    return {
        "path": path,
        "kind": kind_of(path),
        "ok": False,
        "error": {"type": "WorkerDied", "message": message},
    }


class RayEngine:
    """Ray actors, one per worker, each loading the models once.

    Args:
        options: How to read each file.
        workers: Actors to start (each asks Ray for one CPU).
        address: A running cluster (``ray://host:10001`` or ``auto``); default: start a local
            one with ``workers`` CPUs for this run. Every node needs emotool installed with
            its models (``emotool models pull``) and the files at the same paths.
    """

    def __init__(self, options: BatchOptions, workers: int = 2, address: str | None = None, **_: Any) -> None:
        if workers < 1:
            raise InvalidOption(f"workers must be at least 1, got {workers}")
        os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
        try:
            import ray
        except ImportError as e:
            raise missing_extra("ray", "ray") from e
        self._ray = ray
        self._started = False
        if not ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
            if address is None:
                kwargs["num_cpus"] = workers
            ray.init(address=address, **kwargs)
            self._started = True
        # an actor that dies (a native crash) fails its files in flight and Ray starts it again
        actor: Any = ray.remote(num_cpus=1, max_restarts=3)(BatchWorker)
        opts = options.model_dump(mode="json")
        self._actors: list[Any] = [actor.remote(opts) for _ in range(workers)]
        self.workers = workers

    def map(self, paths: Sequence[str]) -> Iterator[dict[str, Any]]:
        ray = self._ray
        it = iter(paths)
        # two files queued per actor: the next one starts while the driver collects a result
        idle = [a for a in self._actors for _ in range(2)]
        running: dict[Any, tuple[str, Any]] = {}

        def feed() -> None:
            while idle:
                nxt = next(it, None)
                if nxt is None:
                    return
                actor = idle.pop()
                running[actor.run.remote(nxt)] = (nxt, actor)

        feed()
        while running:
            ready, _ = ray.wait(list(running), num_returns=1)
            ref = ready[0]
            path, actor = running.pop(ref)
            try:
                yield ray.get(ref)
            except Exception as exc:  # the actor died (out of memory, a native crash)
                yield {
                    "path": path,
                    "kind": kind_of(path),
                    "ok": False,
                    "error": {"type": type(exc).__name__, "message": f"the Ray worker failed: {exc}"},
                }
            idle.append(actor)
            feed()

    def close(self) -> None:
        for a in self._actors:
            self._ray.kill(a)
        self._actors = []
        if self._started:
            self._ray.shutdown()


ENGINES: dict[str, Callable[..., Engine]] = {"local": LocalEngine, "ray": RayEngine}


def get_engine(name: str, options: BatchOptions, workers: int = 1, address: str | None = None) -> Engine:
    """Build the engine called ``name`` (``local`` or ``ray``)."""
    try:
        factory = ENGINES[name]
    except KeyError:
        raise UnknownName("batch engine", name, list(ENGINES)) from None
    return factory(options, workers=workers, address=address)


# --------------------------------------------------------------------------- the run


def run_batch(
    inputs: Sequence[str | Path],
    out: str | Path,
    *,
    engine: str = "local",
    workers: int = 1,
    address: str | None = None,
    options: BatchOptions | None = None,
    retry_errors: bool = False,
    progress: bool = True,
    on_record: Callable[[dict[str, Any]], None] | None = None,
) -> BatchSummary:
    """Analyse every media file of ``inputs`` into ``out`` (JSONL, appended), skipping done ones.

    Args:
        inputs: Folders, media files or list files (see :func:`collect`).
        out: The JSONL file; existing lines count as done.
        engine: ``local`` or ``ray``.
        workers: Worker processes or actors.
        address: Ray cluster address (``ray`` engine).
        options: How files are read; ``allowed_roots`` defaults to the inputs' folders.
        retry_errors: Redo files whose earlier line is an error.
        progress: Show a progress bar on stderr.
        on_record: Called with each record as it is written.

    Returns:
        A :class:`BatchSummary`.
    """
    files, roots = collect(inputs)
    opts = (options or BatchOptions()).model_copy()
    if not opts.allowed_roots:
        opts.allowed_roots = roots
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = read_done(out, retry_errors=retry_errors)
    todo = [str(f) for f in files if str(f) not in done]
    t0 = time.perf_counter()
    ok = failed = 0
    if todo:
        from tqdm import tqdm

        eng = get_engine(engine, opts, workers=workers, address=address)
        bar = tqdm(total=len(todo), desc="batch", unit="file", disable=not progress, dynamic_ncols=True)
        try:
            with open(out, "a", encoding="utf-8") as sink:
                for rec in eng.map(todo):
                    line = BatchRecord.model_validate(rec).model_dump_json(exclude_none=True)
                    sink.write(line + "\n")
                    sink.flush()
                    if rec.get("ok"):
                        ok += 1
                    else:
                        failed += 1
                        bar.set_postfix(failed=failed)
                    bar.update(1)
                    if on_record is not None:
                        on_record(rec)
        finally:
            bar.close()
            eng.close()
    seconds = time.perf_counter() - t0
    return BatchSummary(
        files=len(files),
        skipped=len(files) - len(todo),
        done=ok,
        failed=failed,
        seconds=round(seconds, 3),
        files_per_s=round((ok + failed) / seconds, 3) if seconds > 0 and todo else 0.0,
        engine=engine,
        workers=workers,
        out=str(out),
    )


# --------------------------------------------------------------------------- CLI


def batch_cli(args: Any) -> int:
    """Run ``emotool batch``; prints the summary as JSON on stdout; exit 1 when a file failed."""
    try:
        options = BatchOptions(fps=args.fps, detector=args.detector, classifier=args.classifier)
    except ValueError as exc:
        raise InvalidOption(f"bad batch option: {exc}") from None
    summary = run_batch(
        args.inputs,
        args.out,
        engine=args.engine,
        workers=args.workers,
        address=args.address,
        options=options,
        retry_errors=args.retry_errors,
        progress=not args.no_progress,
    )
    print(summary.model_dump_json())
    return 1 if summary.failed else 0


__all__ = [
    "ENGINES",
    "BatchOptions",
    "BatchRecord",
    "BatchSummary",
    "BatchWorker",
    "Engine",
    "LocalEngine",
    "RayEngine",
    "collect",
    "get_engine",
    "read_done",
    "run_batch",
]
