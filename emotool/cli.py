"""The ``emotool`` command line. Heavy libraries are imported only by the command that needs them."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from . import __version__
from .errors import EmotoolError
from .untrusted import safe_display


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="emotool",
        description="Explained emotion readings of faces in images and video, on embedded CPU models.",
    )
    p.add_argument("--version", action="version", version=f"emotool {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    a = sub.add_parser("analyze", help="read the faces in images and videos (and the speech in audio files)")
    a.add_argument(
        "paths", nargs="+", metavar="PATH", help="image or video files (or URLs with --allow-urls)"
    )
    a.add_argument("--json", action="store_true", help="print the readings as JSON (one object per line)")
    a.add_argument("--fps", type=float, default=None, help="video frames analysed per second (default 2)")
    a.add_argument("--plot", type=Path, default=None, metavar="PNG", help="draw each video's timeline here")
    a.add_argument("--detector", default="auto", help="face detector: auto, mtcnn, haar (default auto)")
    a.add_argument("--classifier", default="ensemble", help="ensemble, mini_xception, cnn48")
    a.add_argument(
        "--allow-root",
        action="append",
        type=Path,
        default=None,
        metavar="DIR",
        help="folder files may be read from (repeatable; default: the working directory)",
    )
    a.add_argument("--allow-urls", action="store_true", help="allow http(s) URLs to public hosts")
    a.add_argument("--no-progress", action="store_true", help="no progress bar on videos")
    from .backends.cliargs import add_backend_arguments

    add_backend_arguments(a)

    m = sub.add_parser("models", help="list or fetch the model assets")
    msub = m.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    ml = msub.add_parser("list", help="every model asset with license, size and whether it is present")
    ml.add_argument("--json", action="store_true")
    mp = msub.add_parser(
        "pull",
        help="fetch model assets and check their sha256 (default: the face models and Whisper tiny.en; "
        "groups: default, speech, speech-large)",
    )
    mp.add_argument("names", nargs="*", metavar="NAME")
    mp.add_argument("--force", action="store_true", help="fetch again even if present")

    e = sub.add_parser("eval", help="score the pipeline on labelled data")
    esub = e.add_subparsers(dest="eval_command", required=True, metavar="TASK")
    ef = esub.add_parser("faces", help="a folder with labels.csv (image,emotion) and images/")
    ef.add_argument("dir", type=Path)
    ef.add_argument("--json", action="store_true", help="print one JSON object")
    ef.add_argument("--no-baseline", action="store_true", help="skip the fer reference pipeline")
    ef.add_argument("--detector", default="auto")
    ef.add_argument("--classifier", default="ensemble")
    from .backends.cliargs import add_bench_command

    add_bench_command(esub)
    from .safety.cli import add_crisis_eval_command, add_safety_commands

    add_crisis_eval_command(esub)
    from .eval.cli import add_dialogue_command

    add_dialogue_command(esub)

    sub.add_parser("schema", help="print the JSON schema of the readings")

    from .speech.cli import add_speech_commands

    add_speech_commands(sub)
    from .memory.cli import add_memory_commands

    add_memory_commands(sub)
    add_safety_commands(sub)
    from .specs_cli import add_agents_commands

    add_agents_commands(sub)
    from .chat_cli import add_chat_command

    add_chat_command(sub)
    from .serve.cli import add_serve_commands

    add_serve_commands(sub)

    s = sub.add_parser("samples", help="write sample media made from photos scikit-image ships")
    s.add_argument("dir", type=Path, nargs="?", default=Path("samples"))
    return p


def typed_folders(paths: list[str]) -> list[Path]:
    """The folders of the local files named on the command line (URLs skipped)."""
    from .media import is_url

    out = []
    for p in paths:
        if is_url(p) or not p or "\x00" in p:
            continue
        try:
            out.append(Path(p).expanduser().resolve().parent)
        except (OSError, RuntimeError):
            continue
    return out


def _fmt_scores(scores: Any, n: int = 3) -> str:
    top = sorted(scores.as_dict().items(), key=lambda kv: -kv[1])[:n]
    return " ".join(f"{k}={v:.2f}" for k, v in top)


def _print_image(r: Any) -> None:
    print(f"{safe_display(r.source)}  {r.width}x{r.height}  {r.timings.total_ms:.0f} ms")
    if not r.face_found:
        print("  no face found")
        print(f"  {r.reasoning}")
        return
    print(f"  {'face':>4}  {'box (x,y,w,h)':<20} {'label':<10} {'conf':>5} {'val':>6} {'aro':>5}  scores")
    for f in r.faces:
        b = f.box
        box = f"{b.x},{b.y},{b.width},{b.height}"
        print(
            f"  {f.face_id:>4}  {box:<20} {f.label:<10} {f.confidence:>5.2f} {f.valence:>+6.2f} "
            f"{f.arousal:>5.2f}  {_fmt_scores(f.scores)}"
        )
    print(f"  overall: {r.label} (confidence {r.confidence:.2f}, backend {r.backend})")
    _print_task(r)
    print(f"  {r.reasoning}")


def _print_task(r: Any) -> None:
    task = getattr(r, "task", None)
    if task is not None:
        print(f"  task: {task.model_dump_json(exclude_none=True)}")


def _print_video(r: Any) -> None:
    print(
        f"{safe_display(r.source)}  {r.width}x{r.height}  {r.duration_s:.1f} s  "
        f"{r.frames_analyzed} frames at {r.sample_fps:g} fps  {r.timings.total_ms / 1000:.1f} s"
    )
    if not r.face_found:
        print("  no face found")
        print(f"  {r.reasoning}")
        return
    print(f"  {'track':>5}  {'seen (s)':<13} {'frames':>6} {'label':<10} {'val':>6} {'aro':>5}  scores")
    for t in r.tracks:
        seen = f"{t.first_seen:.1f}-{t.last_seen:.1f}"
        print(
            f"  {t.track_id:>5}  {seen:<13} {len(t.points):>6} {t.label:<10} {t.valence:>+6.2f} "
            f"{t.arousal:>5.2f}  {_fmt_scores(t.scores)}"
        )
    if r.segments:
        print(
            "  main face segments: " + "; ".join(f"{s.start:.1f}-{s.end:.1f}s {s.label}" for s in r.segments)
        )
    for tr in r.transitions:
        print(f"  transition at {tr.t:.1f}s: {tr.from_label} -> {tr.to_label}")
    print(f"  overall: {r.label} (confidence {r.confidence:.2f})")
    print(f"  {r.reasoning}")


def _cmd_analyze(args: argparse.Namespace) -> int:
    from .analyzer import Analyzer
    from .media import MediaPolicy

    # a path the person typed is theirs: its folder is allowed beside --allow-root (or the
    # working directory); the confinement stays for paths that come from a model's tool call
    policy_args: dict[str, Any] = {
        "allow_urls": args.allow_urls,
        "allowed_roots": [*(args.allow_root or [Path.cwd()]), *typed_folders(args.paths)],
    }
    from .backends.cliargs import backend_from_args, read_options_from_args

    analyzer = Analyzer(
        detector=args.detector,
        classifier=args.classifier,
        policy=MediaPolicy(**policy_args),
        fps=args.fps,
        backend=backend_from_args(args),
        read_options=read_options_from_args(args),
    )
    failures = 0
    videos = 0
    for path in args.paths:
        from .speech.cli import analyze_audio_cli, is_audio_path

        if is_audio_path(path):
            try:
                # --backend/--model choose the vision backend here, not the transcriber
                speech_args = {**vars(args), "file": path, "backend": None, "model": None, "base_url": None}
                analyze_audio_cli(argparse.Namespace(**speech_args))
            except EmotoolError as exc:
                failures += 1
                print(f"emotool: {safe_display(path)}: {safe_display(exc, 600)}", file=sys.stderr)
            continue
        try:
            reading = analyzer.analyze(path, progress=not args.no_progress and not args.json)
        except EmotoolError as exc:
            failures += 1
            print(f"emotool: {safe_display(path)}: {safe_display(exc, 600)}", file=sys.stderr)
            continue
        if args.json:
            print(reading.model_dump_json())
        elif reading.kind == "video":
            _print_video(reading)
        else:
            _print_image(reading)
        if args.plot is not None and reading.kind == "video":
            from .plot import plot_timeline

            out = (
                args.plot
                if videos == 0
                else args.plot.with_name(f"{args.plot.stem}-{videos}{args.plot.suffix}")
            )
            plot_timeline(reading, out)
            videos += 1
            if not args.json:
                print(f"  timeline written to {out}")
    if args.plot is not None and videos == 0:
        print("emotool: --plot draws video timelines; no video was analysed", file=sys.stderr)
    return 1 if failures else 0


def _cmd_models(args: argparse.Namespace) -> int:
    from . import assets

    if args.models_command == "list":
        rows: list[dict[str, Any]] = []
        for a in assets.ASSETS.values():
            found = assets.locate(a.name) if assets.is_present(a.name) else None
            rows.append(
                {
                    "name": a.name,
                    "license": a.license,
                    "size_bytes": a.size,
                    "present": found is not None,
                    "source": found[1] if found else None,
                    "package": a.package,
                    "description": a.description,
                }
            )
        if args.json:
            print(json.dumps(rows, indent=2))
            return 0
        print(f"{'name':<20} {'license':<13} {'size':>9}  {'present':<17} description")
        for r in rows:
            size = (
                f"{r['size_bytes'] / 1e6:.1f} MB"
                if r["size_bytes"] >= 1e5
                else f"{r['size_bytes'] / 1e3:.0f} kB"
            )
            present = f"yes ({r['source']})" if r["present"] else "no"
            print(f"{r['name']:<20} {r['license']:<13} {size:>9}  {present:<17} {r['description']}")
        missing = [r["name"] for r in rows if not r["present"]]
        if missing:
            print(f"\nmissing: {' '.join(missing)} -> run `emotool models pull`")
        return 0
    paths = assets.pull_many(args.names or None, force=args.force)
    for p in paths:
        print(p)
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    if getattr(args, "func", None) is not None:  # sub-commands that carry their own handler
        return int(args.func(args))
    if args.eval_command == "bench":
        from .bench import bench_cli

        return int(bench_cli(args))
    from .evaluation import evaluate_faces_cli

    return evaluate_faces_cli(
        args.dir,
        as_json=args.json,
        baseline=not args.no_baseline,
        detector=args.detector,
        classifier=args.classifier,
    )


def _cmd_samples(args: argparse.Namespace) -> int:
    from .samples import write_samples

    for p in write_samples(args.dir):
        print(p)
    return 0


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "analyze":
            return _cmd_analyze(args)
        if args.command == "models":
            return _cmd_models(args)
        if args.command == "eval":
            return _cmd_eval(args)
        if args.command == "schema":
            from .schema import json_schema_text

            sys.stdout.write(json_schema_text())
            return 0
        if args.command == "samples":
            return _cmd_samples(args)
        if args.command in ("transcribe", "memory", "agents", "batch", "serve", "chat", "safety"):
            return int(args.func(args))
    except EmotoolError as exc:
        print(f"emotool: error: {safe_display(exc, 600)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("emotool: interrupted", file=sys.stderr)
        return 130
    return 2


if __name__ == "__main__":
    sys.exit(main())
