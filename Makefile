# The two commands of the README: `make demo` runs the main job on the
# embedded defaults (a photo and a video read, then a two-session conversation
# with the empathetic agent), `make test` runs the whole test suite. Both set up
# everything first (scripts/setup.sh).
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: setup demo test lint bench clean

setup:
	VENV=$(VENV) bash scripts/setup.sh

demo: setup
	$(BIN)/emotool samples $(OUT)/samples
	$(BIN)/emotool analyze $(OUT)/samples/astronaut.jpg $(OUT)/samples/expressions.mp4 --plot $(OUT)/timeline.png
	$(BIN)/python examples/two_sessions.py $(OUT)/demo

test: setup
	$(BIN)/python -m pytest

lint:
	$(BIN)/ruff check emotool tests benchmarks examples
	$(BIN)/ruff format --check emotool tests benchmarks examples
	$(BIN)/mypy

bench: setup
	$(BIN)/python benchmarks/bench_image.py
	$(BIN)/python benchmarks/bench_video.py
	$(BIN)/python benchmarks/bench_eval.py
	$(BIN)/python benchmarks/bench_crisis.py
	$(BIN)/python benchmarks/bench_llm.py
	$(BIN)/python benchmarks/bench_chat.py
	$(BIN)/emotool eval dialogue benchmarks/dialogue_scenarios.jsonl

clean:
	rm -rf $(OUT) .pytest_cache build dist *.egg-info
