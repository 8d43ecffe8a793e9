"""agents/ and prompts/ ship inside the wheel (as emotool/_agents and emotool/_prompts) and load from it.

The wheel is built from a copy of the source tree in a temporary folder, so the
checkout gets no build/ folder and no stale file from an earlier build can
slip into the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from emotool.prompting import list_templates
from emotool.specs import list_agent_specs

ROOT = Path(__file__).resolve().parents[1]
# The test venv may hold emotool as an editable install, whose import hook would quietly serve any
# module missing from the wheel out of the checkout: drop it so that only the wheel's files load.
ISOLATE = (
    "import sys\n"
    "ours = lambda f: not getattr(f, '__module__', '').startswith('__editable__')\n"
    "sys.meta_path[:] = [f for f in sys.meta_path if ours(f)]\n"
    "sys.path_hooks[:] = [h for h in sys.path_hooks if ours(h)]\n"
    "sys.path_importer_cache.clear()\n"
    "import emotool\n"
    "assert emotool.__file__.startswith(sys.argv[1]), emotool.__file__\n"
)
SOURCES = ("pyproject.toml", "setup.py", "README.md", "LICENSE", "emotool", "agents", "prompts")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        elif path.is_file():
            shutil.copy2(path, src / name)
    cmd = [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "--no-build-isolation", "-q"]
    proc = subprocess.run([*cmd, "-w", str(tmp / "dist")], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return next((tmp / "dist").glob("emotool-*.whl"))


def test_wheel_carries_every_prompt_and_agent_file(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    templates = [p.relative_to(ROOT / "prompts").as_posix() for p in (ROOT / "prompts").rglob("*.md")]
    assert templates and len(templates) == len(list_templates())
    for rel in templates:
        assert f"emotool/_prompts/{rel}" in names
    for rel in (p.relative_to(ROOT / "agents").as_posix() for p in (ROOT / "agents").rglob("*.yaml")):
        assert f"emotool/_agents/{rel}" in names
    for name in list_agent_specs():
        assert f"emotool/_agents/{name}.yaml" in names
    assert "emotool/specs.py" in names and "emotool/schemas/readings.schema.json" in names
    assert not any(n.startswith(("prompts/", "agents/", "emotool/prompts/")) for n in names)


@pytest.mark.slow
def test_installed_wheel_loads_specs_and_templates_and_runs_the_cli(wheel: Path, tmp_path: Path) -> None:
    """Install the wheel (no deps: the test venv provides them) into a folder of its own and use it there."""
    site = tmp_path / "site"
    install = [sys.executable, "-m", "pip", "install", "--no-deps", "--no-compile", "-q", "--target", site]
    proc = subprocess.run([*install, str(wheel)], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    env = {k: v for k, v in os.environ.items() if not k.startswith("EMOTOOL_")}
    env["PYTHONPATH"] = str(site)

    def run(code: str) -> subprocess.CompletedProcess[str]:
        script = [sys.executable, "-c", ISOLATE + code, str(site)]
        return subprocess.run(script, cwd=tmp_path, capture_output=True, text=True, env=env)

    proc = run(
        "import emotool.specs as s, emotool.prompting as p\n"
        "spec = s.load_agent_spec('support')\n"
        "assert str(spec.source).startswith(sys.argv[1]), spec.source\n"
        "print(','.join(s.list_agent_specs()), spec.reply.max_sentences, len(p.list_templates()),\n"
        "      len(p.render('emoprompt/system', schema='{}')), s.agents_root().name)\n"
        "from_checkout = [m for m, mod in sys.modules.items() if m.startswith('emotool')\n"
        "                 and not (getattr(mod, '__file__', None) or sys.argv[1]).startswith(sys.argv[1])]\n"
        "assert not from_checkout, from_checkout\n"
    )
    assert proc.returncode == 0, proc.stderr
    names, max_sentences, n_templates, size, root = proc.stdout.split()
    assert names.split(",") == list_agent_specs()
    assert int(max_sentences) == 3 and int(n_templates) == len(list_templates()) and int(size) > 1000
    assert root == "_agents"

    proc = run("from emotool.cli import main\nsys.exit(main(['agents', 'show', 'companion', '--json']))\n")
    assert proc.returncode == 0, proc.stderr
    assert '"name": "companion"' in proc.stdout and str(site) in proc.stdout
