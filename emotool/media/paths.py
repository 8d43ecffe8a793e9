"""Paths: resolved and checked against the policy's allowed roots, opened without following a swapped link."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from emotool.errors import AccessDenied, EmptyMedia, MediaError, MediaTooLarge
from emotool.untrusted import quoted_name as _q

from .policy import _HEAD, MediaPolicy


def _inside(path: Path, roots: Iterable[Path]) -> bool:
    return any(path == root or path.is_relative_to(root) for root in roots)


def resolve_path(path: str | os.PathLike[str], policy: MediaPolicy | None = None) -> Path:
    """Resolve ``path`` and check that emotool may read it.

    Relative paths are taken from the working directory. Symlinks and ``..`` are
    resolved first, so the check is on the file that would really be opened.

    Args:
        path: The path as given by the user.
        policy: The media policy; default :meth:`MediaPolicy.default`.

    Returns:
        The resolved absolute path of a readable regular file.

    Raises:
        AccessDenied: The file lies outside ``policy.allowed_roots``.
        MediaError: The file does not exist, is a directory or a special file,
            or cannot be read.
    """
    policy = policy or MediaPolicy.default()
    given = os.fspath(path)
    if not given or "\x00" in given:
        raise MediaError(f"invalid path {_q(given)}; give the path of an image or video file")
    p = Path(given).expanduser()
    if not p.is_absolute():
        p = Path.cwd() / p
    try:
        real = p.resolve(strict=False)
    except (OSError, RuntimeError) as exc:  # symlink loop
        raise MediaError(f"cannot resolve {_q(given)} ({exc}); check the path") from None
    if not _inside(real, policy.allowed_roots):
        via = ""
        if _inside(Path(os.path.normpath(p)), policy.allowed_roots):
            via = " through a symlink"
        elif ".." in Path(given).parts:
            via = " through '..'"
        raise AccessDenied(
            f"{_q(given)} leads outside the folders emotool may read{via}; move the file into an "
            "allowed folder, or allow its folder with MediaPolicy(allowed_roots=[...]) "
            "(CLI: --allow-root DIR). By default only the working directory is allowed."
        )
    try:
        st = os.stat(real)
    except FileNotFoundError:
        raise MediaError(
            f"no such file: {_q(given)}; check the path (relative paths start at the working directory)"
        ) from None
    except PermissionError:
        raise _unreadable(given) from None
    except OSError as exc:
        raise MediaError(f"cannot access {_q(given)} ({exc.strerror or exc}); check the path") from None
    if stat.S_ISDIR(st.st_mode):
        raise MediaError(f"{_q(given)} is a directory; give the path of an image or video file inside it")
    if not stat.S_ISREG(st.st_mode):
        raise MediaError(
            f"{_q(given)} is not a regular file (a pipe, socket or device); give the path "
            "of an image or video file"
        )
    if not os.access(real, os.R_OK):
        raise _unreadable(given)
    return real


def _unreadable(given: str) -> MediaError:
    return MediaError(
        f"permission denied reading {_q(given)}; make the file readable by this user "
        "(e.g. chmod u+r) or copy it somewhere readable"
    )


def _open_checked(real: Path, given: str, policy: MediaPolicy) -> BinaryIO:
    """Open a path returned by :func:`resolve_path` without following a swapped-in symlink."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(real, flags)
    except PermissionError:
        raise _unreadable(given) from None
    except OSError as exc:
        raise MediaError(f"cannot open {_q(given)} ({exc.strerror or exc}); check the path") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise MediaError(f"{_q(given)} is not a regular file; give the path of an image or video file")
        proc = f"/proc/self/fd/{fd}"
        if os.path.exists(proc):  # Linux: check what was really opened (closes a TOCTOU race)
            opened = Path(os.readlink(proc))
            if not _inside(opened, policy.allowed_roots):
                raise AccessDenied(
                    f"{_q(given)} changed to point outside the allowed folders while it "
                    "was being opened; refusing it"
                )
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _checked_size(real: Path, given: str, policy: MediaPolicy) -> int:
    size = real.stat().st_size
    if size == 0:
        raise EmptyMedia(f"{_q(given)} is empty (0 bytes); give a real image or video file")
    if size > policy.max_bytes:
        raise MediaTooLarge(
            f"{_q(given)} is {size:,} bytes, over the cap of {policy.max_bytes:,}; "
            "raise MediaPolicy(max_bytes=...) or use a smaller file"
        )
    return size


def _read_head(real: Path, given: str, policy: MediaPolicy) -> bytes:
    with _open_checked(real, given, policy) as fh:
        return fh.read(_HEAD)
