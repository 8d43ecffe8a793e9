"""Start-up cost: `import emotool` and `emotool --help`, each in a fresh process.

Usage: python benchmarks/bench_startup.py [--repeat N]

Prints a table of p50/max wall-clock milliseconds over N runs (default 10).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def _time(cmd: list[str], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=10)
    args = ap.parse_args()
    exe = shutil.which("emotool") or ""
    rows = [
        ("python -c pass", [sys.executable, "-c", "pass"]),
        ("import emotool", [sys.executable, "-c", "import emotool"]),
        ("emotool --help", [exe, "--help"] if exe else [sys.executable, "-m", "emotool.cli", "--help"]),
    ]
    print(f"{'command':<18}{'p50 ms':>9}{'max ms':>9}")
    for name, cmd in rows:
        ms = _time(cmd, args.repeat)
        print(f"{name:<18}{statistics.median(ms):9.1f}{max(ms):9.1f}")


if __name__ == "__main__":
    main()
