"""One instance per name: the lookup shared by the detector and classifier registries."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

from ..errors import UnknownName

T = TypeVar("T")


class Registry(Generic[T]):
    """Factories by name, each instance created once per process (thread-safe).

    Args:
        kind: what the names are of, for the error message (e.g. ``"face detector"``).
        factories: name -> callable that creates the instance.
    """

    def __init__(self, kind: str, factories: dict[str, Callable[[], T]]) -> None:
        self.kind = kind
        self.factories = factories
        self._instances: dict[str, T] = {}
        self._lock = threading.Lock()

    def get(self, name: str) -> T:
        """The instance registered as ``name``; an unknown name lists the valid ones."""
        if name not in self.factories:
            raise UnknownName(self.kind, name, list(self.factories))
        with self._lock:
            if name not in self._instances:
                self._instances[name] = self.factories[name]()
            return self._instances[name]
