#!/usr/bin/env bash
# Set up everything emotool needs on a fresh Debian-like machine: Debian
# packages, a virtual environment with the Python packages, the model assets.
# Safe to run again: each step is skipped when already done.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${VENV:-.venv}"
PYTHON="${PYTHON:-python3}"
# cmake and a C/C++ compiler: llama-cpp-python (the embedded chat model) compiles from its source
# chromium: the web chat page is tested in a headless browser (Playwright drives the system one)
DEBS=(ffmpeg espeak-ng cmake build-essential chromium)

missing=()
for pkg in "${DEBS[@]}"; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null 2>&1; then
    SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "setup: please install ${missing[*]} with your system's package manager" >&2
  fi
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "setup: creating $VENV"
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"

stamp="$VENV/.emotool-installed"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
  "$PY" -m pip install -q --upgrade pip
  # the CPU build of torch first: an unpinned torch would pull a multi-GB CUDA build
  "$PY" -m pip install -q "torch==2.13.0"
  # constraints.txt: the versions the test suite last passed with. llama-cpp-python compiles
  # (5-8 minutes on 2 cores; pip caches the wheel): a portable build for any AVX2 CPU, so a
  # cached wheel stays valid on another machine (0.3.36, built for this AVX-512 CPU, crashed)
  CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF -DGGML_AVX512=OFF}" \
    "$PY" -m pip install -q -c constraints.txt -e ".[dev]"
  touch "$stamp"
fi

# model assets: fetched once into emotool's cache, each checked against its sha256
"$VENV/bin/emotool" models pull
# the larger multilingual Whisper (base): optional for users, exercised by the tests
"$VENV/bin/emotool" models pull speech-large
# chat models: the default Qwen2.5 1.5B (`make demo`) and SmolLM2-135M (the chat-model tests);
# the 0.5B is optional for users, and the agent's end-to-end tests run on it (faster than the 1.5B)
"$VENV/bin/emotool" models pull chat chat-small
