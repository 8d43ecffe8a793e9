"""Where emotool's data folders are: the agent specs (``agents/``) and the prompt templates (``prompts/``).

Both folders sit at the top of the source tree. The build maps them into the
wheel as ``emotool/_agents`` and ``emotool/_prompts`` (see ``setup.py``), so a
lookup tries, in order:

1. the user's own folder, when its environment variable is set
   (``EMOTOOL_AGENTS``, ``EMOTOOL_PROMPTS``): a file there overrides the
   shipped file of the same relative path;
2. the copy inside the installed package (``emotool/_agents``, ...);
3. the top-level folder of a source checkout (editable installs, tests).

Only the standard library is imported here.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from typing import Literal

from .errors import EmotoolError

Kind = Literal["agents", "prompts"]

#: The environment variable naming a user's own folder, per kind.
ENV_VARS: dict[str, str] = {"agents": "EMOTOOL_AGENTS", "prompts": "EMOTOOL_PROMPTS"}
#: The folder inside the installed package that the build maps each top-level folder to.
PACKAGED_DIRS: dict[str, str] = {"agents": "_agents", "prompts": "_prompts"}

_PACKAGE = Path(__file__).resolve().parent


def shipped_dir(kind: Kind) -> Path:
    """The folder of the files shipped with emotool: in the installed wheel, else in the checkout.

    Raises:
        EmotoolError: Neither exists (a broken installation).
    """
    packaged = _PACKAGE / PACKAGED_DIRS[kind]
    if packaged.is_dir():
        return packaged
    checkout = _PACKAGE.parent / kind
    if checkout.is_dir() and (_PACKAGE.parent / "pyproject.toml").is_file():
        return checkout
    raise EmotoolError(
        f"emotool's {kind}/ folder is missing from {_PACKAGE} (looked for {PACKAGED_DIRS[kind]}/ and "
        f"../{kind}/); reinstall emotool (pip install --force-reinstall emotool)"
    )


def user_dir(kind: Kind, error: type[EmotoolError] = EmotoolError) -> Path | None:
    """The user's own folder from ``EMOTOOL_AGENTS`` / ``EMOTOOL_PROMPTS``, or None when unset.

    Raises:
        error: The variable is set but does not name a folder.
    """
    var = ENV_VARS[kind]
    value = os.environ.get(var, "").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    if not path.is_dir():
        raise error(f"{var}={value!r} is not a folder; point it at a folder of your own {kind} or unset it")
    return path


def search_dirs(kind: Kind, error: type[EmotoolError] = EmotoolError) -> list[Path]:
    """The folders searched for ``kind``, in order: the user's folder (if set), then the shipped one."""
    user = user_dir(kind, error)
    return [*([user] if user is not None else []), shipped_dir(kind)]


def check_relpath(relpath: str, error: type[EmotoolError] = EmotoolError) -> PurePosixPath:
    """``relpath`` as a relative POSIX path that stays inside its folder.

    Raises:
        error: An absolute path, a backslash, an empty part or ``..``.
    """
    rel = PurePosixPath(relpath)
    if (
        not relpath
        or "\\" in relpath
        or rel.is_absolute()
        or any(part in ("", "..") for part in relpath.split("/"))
    ):
        raise error(f"use a relative path inside the folder, like 'resources/x.yaml'; got {relpath!r}")
    return rel


def find_file(
    kind: Kind, relpath: str, error: type[EmotoolError] = EmotoolError, extra_dirs: tuple[Path, ...] = ()
) -> Path | None:
    """The first existing ``relpath`` in ``extra_dirs`` then :func:`search_dirs`, or None."""
    rel = check_relpath(relpath, error)
    for folder in (*extra_dirs, *search_dirs(kind, error)):
        candidate = folder.joinpath(*rel.parts)
        if candidate.is_file():
            return candidate
    return None
