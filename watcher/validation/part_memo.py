"""Verdicts that depend on a zip member's stored bytes alone, remembered across files.

Thousands of workbooks come from one template, so most of their members (theme, styles, the
comments and their drawing) are byte for byte the same in every file. A verdict computed from a
member's stored bytes, method, declared size and CRC alone is remembered under the SHA-256 of
all four: the same inputs give the same verdict, so no check is skipped that could decide
otherwise. The memory is bounded; the oldest entries are forgotten first.
"""

from __future__ import annotations

import hashlib
import threading
import weakref
import zipfile
from collections import OrderedDict
from typing import Generic, TypeVar

_V = TypeVar("_V")
_ALL: weakref.WeakSet[Memo[object]] = weakref.WeakSet()


def forget_all() -> None:
    """Empty every memo, as in a freshly started service (benchmarks measure from there)."""
    for memo in list(_ALL):
        memo.clear()


def member_key(info: zipfile.ZipInfo, payload: memoryview) -> bytes:
    """What a member's inflated content is determined by: its stored bytes and how to read them."""
    digest = hashlib.sha256(payload)
    digest.update(f"|{info.compress_type}|{info.file_size}|{info.CRC}".encode())
    return digest.digest()


class Memo(Generic[_V]):
    """A bounded, thread-safe map from a key (`member_key`) to a verdict."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._entries: OrderedDict[bytes, _V] = OrderedDict()
        self._lock = threading.Lock()
        _ALL.add(self)

    def get(self, key: bytes) -> _V | None:
        with self._lock:
            if key in self._entries:
                self._entries.move_to_end(key)
            return self._entries.get(key)

    def put(self, key: bytes, value: _V) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
