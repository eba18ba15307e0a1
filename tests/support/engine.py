"""Spreadsheet engine: recalculate generated workbooks and export PDF on the server.

Used by the tests (and `bench/engine_batch.py`) to check what Excel would compute from the
workbooks kinerja writes; the service itself never recalculates. One small interface,
`SpreadsheetEngine`, two engines: `LibreOfficeEngine`, which runs LibreOffice headless once per
*batch* call (a cold start costs about two seconds; a file inside a batch a small fraction of
that), and `engine_excel.ExcelEngine`, Excel through xlwings on Windows/macOS.

Why batches and not one long-running soffice (unoserver): a resident process converts a file no
faster than a batch does (both about 0.1 s per workbook here: the time is loading, recalculating
and saving, not starting), while it needs the UNO Python bindings of the system's LibreOffice
(python3-uno, built for the system Python; it loads into our interpreter only when both share a
minor version and libpython soname), a supervisor to restart it, and a socket or pipe to guard.
kinerja's conversions come a few at a time (reports at the end of a quarter), so a batch's one
start is paid rarely; and a batch cannot outlive a crash: every call starts clean.

Each `LibreOfficeEngine` owns a private, throw-away LibreOffice user profile, so parallel runs and
a user's own LibreOffice never fight over the profile lock. The profile is seeded to recalculate
every formula on load: LibreOffice computes formulas that have no cached value (what openpyxl
writes) even by default, but trusts cached values that are present, and those can be stale.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Protocol, Self

from watcher.errors import KinerjaError

log = logging.getLogger(__name__)

XLSX_TARGET = "xlsx:Calc MS Excel 2007 XML"
PDF_TARGET = "pdf"  # LibreOffice picks the PDF export filter matching the loaded document
# libreoffice-calc-nogui ships without Writer, so HTML is imported by Calc's HTML filter: tables
# survive, most CSS does not. Files in one soffice process share one input filter.
INPUT_FILTERS: dict[str, str] = {".html": "HTML (StarCalc)", ".htm": "HTML (StarCalc)"}
SOFFICE_ENV = "KINERJA_SOFFICE"  # lets an office point at a LibreOffice outside the usual places
_SOFFICE_CANDIDATES = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
)
_INSTALL_HINT = "pasang dengan apt-get install libreoffice-calc-nogui"
# OOXMLRecalcMode / ODFRecalcMode: 0 = always recalculate on load, 1 = never, 2 = ask.
_RECALC_ITEM = (
    '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
    '<prop oor:name="{name}" oor:op="fuse"><value>0</value></prop></item>'
)
_RECALC_ITEMS = "\n".join(_RECALC_ITEM.format(name=n) for n in ("OOXMLRecalcMode", "ODFRecalcMode"))
_RECALC_ITEM_RE = re.compile(
    r'<item oor:path="/org\.openoffice\.Office\.Calc/Formula/Load">'
    r'<prop oor:name="(?:OOXML|ODF)RecalcMode".*?</item>\n?',
    re.DOTALL,
)
_REGISTRY_TEMPLATE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" \
xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
</oor:items>
"""


class EngineError(KinerjaError):
    """The spreadsheet engine is missing or failed.

    `failed` lists the sources that produced no output; `outputs` the outputs that were written
    anyway (a batch with one corrupt file still converts the others).
    """

    def __init__(
        self, message: str, *, failed: Sequence[Path] = (), outputs: Sequence[Path] = ()
    ) -> None:
        super().__init__(message)
        self.failed = tuple(failed)
        self.outputs = tuple(outputs)


class SpreadsheetEngine(Protocol):
    """Recalculates workbooks and exports documents to PDF, a whole batch per call."""

    def recalculate(self, sources: Sequence[Path], out_dir: Path) -> list[Path]:
        """Write each workbook, formulas recalculated, as `out_dir/<stem>.xlsx`, in order."""
        ...

    def to_pdf(self, sources: Sequence[Path], out_dir: Path) -> list[Path]:
        """Export each document (xlsx, ods, html, ...) as `out_dir/<stem>.pdf`, in order."""
        ...

    def close(self) -> None:
        """Release what the engine holds (processes, temporary profiles)."""
        ...


def find_soffice() -> str | None:
    """Return the LibreOffice executable: `$KINERJA_SOFFICE`, then PATH, then usual places."""
    override = os.environ.get(SOFFICE_ENV)
    if override:
        return shutil.which(override)
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((c for c in _SOFFICE_CANDIDATES if os.access(c, os.X_OK)), None)


def seed_profile(profile: Path) -> None:
    """Make the LibreOffice profile at `profile` recalculate all formulas when loading a file.

    Works on an empty folder (before LibreOffice's first start) and on a used profile, replacing
    any recalculation setting already there.
    """
    registry = profile / "user" / "registrymodifications.xcu"
    registry.parent.mkdir(parents=True, exist_ok=True)
    text = registry.read_text(encoding="utf-8") if registry.exists() else _REGISTRY_TEMPLATE
    text = _RECALC_ITEM_RE.sub("", text)
    text = text.replace("</oor:items>", f"{_RECALC_ITEMS}\n</oor:items>", 1)
    registry.write_text(text, encoding="utf-8")


class ClosingEngine:
    """Makes an engine a context manager that calls its `close()` on exit."""

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class LibreOfficeEngine(ClosingEngine):
    """`SpreadsheetEngine` on LibreOffice headless: one soffice process per batch call.

    `timeout` bounds one call in seconds (a `to_pdf` batch mixing HTML and workbooks runs two
    processes); when it runs out the whole process group is killed.
    `profile_dir`, if given, is used (and kept) as the LibreOffice profile; otherwise a temporary
    one is created and removed by `close()`. Calls on one engine are serialised: a second soffice
    on a profile in use hands its files to the first one and exits 0 without converting them.
    """

    name = "libreoffice"

    def __init__(
        self, *, soffice: str | None = None, timeout: float = 120.0, profile_dir: Path | None = None
    ) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        found = shutil.which(soffice) if soffice else find_soffice()
        if found is None:
            where = f" di {soffice}" if soffice else ""
            raise EngineError(f"LibreOffice tidak ditemukan{where}; {_INSTALL_HINT}")
        self.soffice = found
        self.timeout = timeout
        self._lock = threading.Lock()
        self._closed = False
        # A temporary profile is removed by close(), or at the latest when the engine is collected.
        self._remove_profile: weakref.finalize | None = None
        if profile_dir is None:
            profile_dir = Path(tempfile.mkdtemp(prefix="kinerja-lo-profile-"))
            self._remove_profile = weakref.finalize(
                self, shutil.rmtree, profile_dir, ignore_errors=True
            )
        self.profile_dir = profile_dir
        seed_profile(profile_dir)

    def recalculate(self, sources: Sequence[Path], out_dir: Path) -> list[Path]:
        return self._convert(sources, out_dir, target=XLSX_TARGET, suffix=".xlsx")

    def to_pdf(self, sources: Sequence[Path], out_dir: Path) -> list[Path]:
        return self._convert(sources, out_dir, target=PDF_TARGET, suffix=".pdf")

    def close(self) -> None:
        """Remove the temporary profile (a caller's `profile_dir` is kept). Idempotent."""
        with self._lock:
            self._closed = True
            if self._remove_profile is not None:
                self._remove_profile()

    def _convert(
        self, sources: Sequence[Path], out_dir: Path, *, target: str, suffix: str
    ) -> list[Path]:
        """Convert a batch through a staging folder in `out_dir`, then rename into place."""
        sources = check_batch(sources, out_dir, suffix)
        if not sources:
            return []
        out_dir.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + self.timeout
        with self._lock:
            if self._closed:
                raise RuntimeError("engine is closed")
            # Staging inside out_dir makes the final rename atomic and tells a failed file from
            # a stale output of an earlier run. The leading dot keeps folder watchers away.
            with tempfile.TemporaryDirectory(dir=out_dir, prefix=".kinerja-engine-") as tmp:
                staging = Path(tmp)
                for infilter, group in group_by_input_filter(sources):
                    self._run(group, staging, target=target, infilter=infilter, deadline=deadline)
                return collect_outputs(sources, staging, out_dir, suffix)

    def _command(
        self, sources: Sequence[Path], staging: Path, target: str, infilter: str
    ) -> list[str]:
        command = [
            self.soffice,
            f"-env:UserInstallation={self.profile_dir.resolve().as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--nodefault",
            "--nologo",
        ]
        if infilter:
            command.append(f"--infilter={infilter}")
        return [*command, "--convert-to", target, "--outdir", str(staging), *map(str, sources)]

    def _run(
        self, sources: Sequence[Path], staging: Path, *, target: str, infilter: str, deadline: float
    ) -> None:
        """Run one soffice process over `sources`; raise EngineError if it cannot or times out."""
        command = self._command(sources, staging, target, infilter)
        started = time.monotonic()
        try:
            process = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                errors="replace",
                cwd=staging,
                start_new_session=True,  # its own process group, so a timeout kills it all
            )
        except OSError as error:
            raise EngineError(
                f"LibreOffice tidak dapat dijalankan ({self.soffice}): {error}; {_INSTALL_HINT}",
                failed=sources,
            ) from error
        try:
            stdout, stderr = process.communicate(timeout=max(deadline - time.monotonic(), 0.001))
        except subprocess.TimeoutExpired:
            _log_output(*_kill_group(process))
            names = ", ".join(source.name for source in sources)
            raise EngineError(
                f"LibreOffice tidak selesai dalam {self.timeout:g} detik dan dihentikan; "
                f"berkas: {names}",
                failed=sources,
            ) from None
        except BaseException:
            _kill_group(process)
            raise
        elapsed_ms = (time.monotonic() - started) * 1000
        _log_output(stdout, stderr)
        log.info(
            "soffice converted a batch of %d file(s) to %s in %.0f ms (exit %d)",
            len(sources),
            target,
            elapsed_ms,
            process.returncode,
        )


def check_batch(sources: Sequence[Path], out_dir: Path, suffix: str) -> list[Path]:
    """Return the sources as absolute paths, or raise EngineError before anything runs.

    Refuses missing sources, an `out_dir` that is a source's own folder (the output would replace
    the source), and two sources whose outputs would carry the same name.
    """
    target_dir = out_dir.resolve()
    resolved: list[Path] = []
    seen: dict[str, Path] = {}
    for source in sources:
        path = Path(source).resolve()
        if not path.is_file():
            raise EngineError(f"Berkas tidak ditemukan: {source}", failed=[Path(source)])
        if path.parent == target_dir:
            raise EngineError(
                f"Folder hasil sama dengan folder sumber ({out_dir}); pilih folder lain agar "
                f"berkas asli {path.name} tidak tertimpa",
                failed=[path],
            )
        output_name = path.stem + suffix
        if output_name in seen:
            raise EngineError(
                f"Dua berkas akan menghasilkan nama yang sama ({output_name}): "
                f"{seen[output_name]} dan {path}",
                failed=[path],
            )
        seen[output_name] = path
        resolved.append(path)
    return resolved


def group_by_input_filter(sources: Sequence[Path]) -> list[tuple[str, list[Path]]]:
    """Split a batch by the input filter its files need ("" = let LibreOffice detect)."""
    groups: dict[str, list[Path]] = {}
    for source in sources:
        groups.setdefault(INPUT_FILTERS.get(source.suffix.lower(), ""), []).append(source)
    return list(groups.items())


def collect_outputs(
    sources: Sequence[Path], staging: Path, out_dir: Path, suffix: str
) -> list[Path]:
    """Move each staged output into `out_dir` (replacing an older one); raise for missing ones."""
    outputs: list[Path] = []
    failed: list[Path] = []
    for source in sources:
        staged = staging / (source.stem + suffix)
        if staged.is_file() and staged.stat().st_size > 0:
            final = out_dir / staged.name
            os.replace(staged, final)
            outputs.append(final)
        else:
            failed.append(source)
    if failed:
        names = ", ".join(source.name for source in failed)
        raise EngineError(
            f"LibreOffice gagal mengonversi {len(failed)} berkas (rusak atau bukan dokumen "
            f"yang dikenal): {names}",
            failed=failed,
            outputs=outputs,
        )
    return outputs


def _kill_group(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Kill soffice and its children (oosplash, soffice.bin); reap it and return its output."""
    if os.name == "posix":
        with contextlib.suppress(ProcessLookupError):  # already gone
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
    return process.communicate()


def _log_output(stdout: str, stderr: str) -> None:
    for line in stdout.splitlines():
        log.debug("soffice: %s", line)
    for line in stderr.splitlines():
        # "Error: source file could not be loaded" matters; the javaldx warning does not.
        level = logging.WARNING if line.startswith("Error") else logging.DEBUG
        log.log(level, "soffice stderr: %s", line)
