"""Results computed in this process from objects taken by identity, so a rebuild after one
approval recomputes only what that approval changed.

A result is remembered under the identity of the objects it was computed from (the master data,
a division's remembered submissions: `read_memo` hands the same object back for the same
approval, and a new master data version or a new approval is a new object) and the plain values
(year, period, widths, wording) it also depends on. The entry keeps those objects alive, so
their identities cannot be reused while it is remembered, and a hit checks each is the very
object. The memory is bounded (`part_memo.Memo`, oldest first); `part_memo.forget_all` empties it.
"""

from __future__ import annotations

import hashlib
import operator
from collections.abc import Callable
from typing import Generic, TypeVar

from watcher.validation.part_memo import Memo

_V = TypeVar("_V")


class IdentityMemo(Generic[_V]):
    """A bounded memo of `compute()` by the identity of `objects` and the value of `values`."""

    def __init__(self, size: int) -> None:
        self._memo: Memo[tuple[tuple[object, ...], _V]] = Memo(size)

    def get(self, objects: tuple[object, ...], values: tuple[object, ...],
            compute: Callable[[], _V]) -> _V:  # fmt: skip
        key = hashlib.sha256(repr((tuple(map(id, objects)), values)).encode("utf-8")).digest()
        entry = self._memo.get(key)
        if entry is not None:
            kept, result = entry
            if len(kept) == len(objects) and all(map(operator.is_, kept, objects)):
                return result
        result = compute()
        self._memo.put(key, (objects, result))
        return result
