"""`ExcelEngine`: the `SpreadsheetEngine` on Microsoft Excel through xlwings (Windows, macOS).

For an office that runs kinerja's jobs on a Windows PC with Excel instead of the Linux server.
One hidden Excel instance per engine, started on first use and quit by `close()`; each workbook is
opened, recalculated (`App.calculate`) and saved as a new file, or exported with
`Book.to_pdf`. The batch rules are the LibreOffice engine's (`check_batch`, a staging folder
inside `out_dir`, `collect_outputs`): a file Excel cannot open fails alone and is named.
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from support.engine import ClosingEngine, EngineError, check_batch, collect_outputs

log = logging.getLogger(__name__)

_NEEDS = (
    "Mesin 'excel' membutuhkan paket xlwings (pasang kinerja dengan ekstra [excel], lihat "
    "macros/README.md) dan Microsoft Excel di "
    "Windows atau macOS; di server Linux gunakan mesin 'libreoffice'"
)


def _import_xlwings() -> ModuleType:
    try:
        import xlwings  # optional extra: only where Excel is
    except ImportError as exc:
        raise EngineError(f"{_NEEDS} ({exc}).") from exc
    return xlwings


class ExcelEngine(ClosingEngine):
    """Recalculate and export through one hidden Excel instance, serialised by a lock."""

    name = "excel"

    def __init__(self) -> None:
        self._xlwings = _import_xlwings()
        self._app: Any = None
        self._lock = threading.Lock()
        self._closed = False

    def recalculate(self, sources: Sequence[Path], out_dir: Path) -> list[Path]:
        def save(book: Any, target: Path) -> None:
            book.app.calculate()
            book.save(str(target))

        return self._convert(sources, out_dir, ".xlsx", save)

    def to_pdf(self, sources: Sequence[Path], out_dir: Path) -> list[Path]:
        def export(book: Any, target: Path) -> None:
            book.to_pdf(str(target))

        return self._convert(sources, out_dir, ".pdf", export)

    def close(self) -> None:
        """Quit the Excel instance this engine started. Idempotent."""
        with self._lock:
            self._closed = True
            app, self._app = self._app, None
        if app is not None:
            try:
                app.quit()
            except Exception:  # Excel already gone or hung: make sure it is not left running
                log.warning("Excel did not quit; killing it", exc_info=True)
                with contextlib.suppress(Exception):
                    app.kill()

    def _application(self) -> Any:
        if self._app is None:
            try:
                app = self._xlwings.App(visible=False, add_book=False)
            except Exception as exc:
                raise EngineError(
                    f"Microsoft Excel tidak dapat dijalankan lewat xlwings: {exc}"
                ) from exc
            app.display_alerts = False  # no "replace file?" or link prompts on a hidden instance
            app.screen_updating = False
            self._app = app
        return self._app

    def _convert(
        self,
        sources: Sequence[Path],
        out_dir: Path,
        suffix: str,
        job: Callable[[Any, Path], None],
    ) -> list[Path]:
        sources = check_batch(sources, out_dir, suffix)
        if not sources:
            return []
        out_dir.mkdir(parents=True, exist_ok=True)
        with self._lock:
            if self._closed:
                raise RuntimeError("engine is closed")
            app = self._application()
            with tempfile.TemporaryDirectory(dir=out_dir, prefix=".kinerja-engine-") as tmp:
                staging = Path(tmp)
                for source in sources:
                    self._one(app, source, staging / (source.stem + suffix), job)
                return collect_outputs(sources, staging, out_dir, suffix)

    @staticmethod
    def _one(app: Any, source: Path, target: Path, job: Callable[[Any, Path], None]) -> None:
        """Run `job` on one workbook; a failure leaves no output, which names the file later."""
        try:
            book = app.books.open(str(source), update_links=False)
        except Exception:
            log.warning("Excel could not open %s", source, exc_info=True)
            return
        try:
            job(book, target)
        except Exception:
            log.warning("Excel failed on %s", source, exc_info=True)
            with contextlib.suppress(OSError):
                target.unlink()  # a half-written output must not pass for a result
        finally:
            with contextlib.suppress(Exception):
                book.close()
