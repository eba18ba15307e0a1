"""Typed errors. Every error carries the Indonesian message a user reads and an exit code.

The CLI turns a `KinerjaError` into its message and exit code; nothing else ever reaches a
clerk as a traceback.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_DATA = 1  # the user's data has problems (fixable by editing a workbook)
EXIT_UNUSABLE = 2  # unusable input or arguments (file refused, unreadable, bad option)
EXIT_INTERRUPTED = 130  # stopped with Ctrl-C (128 + SIGINT, as shells report it)


@dataclass(frozen=True)
class Problem:
    """One located problem in a file the office edits (master workbook, SOP file, ...)."""

    message: str
    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        where = "!".join(part for part in (self.sheet, self.cell) if part)
        return f"[{where}] {self.message}" if where else self.message


class KinerjaError(Exception):
    """Base of all kinerja errors; `message` is Indonesian and shown to the user as is."""

    exit_code = EXIT_UNUSABLE

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class UsageError(KinerjaError):
    """Wrong arguments or options given on the command line."""


class ProblemsError(KinerjaError):
    """A file the office edits has one or more located problems, all reported at once."""

    exit_code = EXIT_DATA
    title = "Berkas bermasalah"

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        lines = [f"{self.title}: {source} ({len(self.problems)} masalah)"]
        lines += [f"  - {problem}" for problem in self.problems]
        super().__init__("\n".join(lines))


class SopError(ProblemsError):
    """The SOP data file cannot be read or is inconsistent."""

    exit_code = EXIT_UNUSABLE
    title = "Berkas SOP tidak valid"


class MasterDataError(ProblemsError):
    """The master workbook (data induk) has problems; every one is listed with sheet and cell."""

    title = "Data induk bermasalah"


class MissingFileError(KinerjaError):
    """A file kinerja needs does not exist (for example the master workbook before `init`)."""


class RefusedFileError(KinerjaError):
    """A submitted file is refused before or while reading it (unsafe, unreadable, wrong kind).

    `rule` is a stable machine id (for example "safety.zip_bomb"); `path` the file concerned.
    """

    exit_code = EXIT_UNUSABLE

    def __init__(self, message: str, *, rule: str, path: str = "") -> None:
        super().__init__(message)
        self.rule = rule
        self.path = path


class RecordLostError(KinerjaError):
    """The archive or the event log was deleted, replaced or rolled back under a running service.

    Never handled per file: the service stops loudly rather than write into a ghost record.
    """
