"""A complete save goes on at once; a file that may still be written waits.

The quiet period is set to ten minutes here: a file that moves anyway was taken without it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from support.office import issued_office
from support.service_run import fill, running_service, wait_for
from support.sop010 import Folder

from watcher.record.store import Outcome, Store
from watcher.service.events import NATIVE_CLOSE_EVENTS
from watcher.service.tree import Tree
from watcher.service.watch import ServiceOptions

CODE = "DAFDUK"
NAME = "Rencana_Aksi_DAFDUK_2026_TW3.xlsx"
NEVER_QUIET = 600.0  # s: longer than any test runs
NATIVE = ServiceOptions(quiet_seconds=NEVER_QUIET, rescan_seconds=30, office_jobs=False)
POLLING = ServiceOptions(polling=0.1, quiet_seconds=NEVER_QUIET, rescan_seconds=0.2,
                         office_jobs=False)  # fmt: skip
needs_close_events = pytest.mark.skipif(
    not NATIVE_CLOSE_EVENTS, reason="only Linux's inotify reports a close after writing"
)


@pytest.fixture
def office(tmp_path: Path) -> Tree:
    tree, _ = issued_office(tmp_path / "kantor")
    return tree


@pytest.fixture
def book(office: Tree, tmp_path: Path) -> bytes:
    issued = office.folder(CODE, Folder.DISPOSITION) / NAME
    return fill(issued, tmp_path / "meja" / NAME).read_bytes()


def routed(tree: Tree) -> list[str]:
    with Store(tree.store_path) as store:
        return [e.outcome.value for e in store.events() if e.outcome is Outcome.VALID]


@pytest.mark.parametrize("options", [NATIVE, POLLING], ids=["native", "polling"])
def test_a_workbook_renamed_into_place_goes_on_without_the_quiet_period(
    office: Tree, book: bytes, options: ServiceOptions
) -> None:
    """Excel and Explorer write a temp file and rename it in: the rename delivers it whole.

    The temp file is there before the service starts, so that a poll has seen it too (a temp
    file written and renamed between two polls looks like a new file, and waits to be quiet).
    """
    material = office.folder(CODE, Folder.MATERIAL) / NAME
    delivered = office.folder(CODE, Folder.REPORT) / NAME
    temp = material.with_name("A1B2C3D4")  # Excel's temp name, ignored by the service
    temp.write_bytes(book)
    with running_service(office, options):
        temp.rename(material)
        wait_for(delivered.exists, what="the renamed workbook in 4_laporan")
    assert delivered.read_bytes() == book
    assert not material.exists()
    assert routed(office) == ["valid"]


@needs_close_events
def test_a_workbook_closed_after_writing_goes_on_without_the_quiet_period(
    office: Tree, book: bytes
) -> None:
    delivered = office.folder(CODE, Folder.REPORT) / NAME
    with running_service(office, NATIVE):
        with (office.folder(CODE, Folder.MATERIAL) / NAME).open("wb") as stream:
            stream.write(book)
        wait_for(delivered.exists, what="the closed workbook in 4_laporan")
    assert delivered.read_bytes() == book
    assert routed(office) == ["valid"]


@needs_close_events
def test_a_temp_file_renamed_in_while_its_writer_still_writes_waits_for_the_close(
    office: Tree, book: bytes
) -> None:
    material = office.folder(CODE, Folder.MATERIAL) / NAME
    delivered = office.folder(CODE, Folder.REPORT) / NAME
    with running_service(office, NATIVE) as service:
        temp = material.with_name(f"{NAME}.part")
        with temp.open("wb") as stream:
            stream.write(book[: len(book) // 2])
            stream.flush()
            temp.rename(material)  # the copy tool renames first and finishes writing after
            wait_for(lambda: material in service.writing, what="the rename seen, writer open")
            assert material.exists()  # not taken half-written
            stream.write(book[len(book) // 2 :])
        wait_for(delivered.exists, what="the workbook in 4_laporan once closed")
    assert delivered.read_bytes() == book
    assert routed(office) == ["valid"]


def test_under_polling_a_file_written_in_place_waits_for_the_quiet_period(
    office: Tree, book: bytes
) -> None:
    """A network share tells no close: a file written under its own name may be half-copied."""
    material = office.folder(CODE, Folder.MATERIAL) / NAME
    # open throughout: a slow copy to the share
    with running_service(office, POLLING) as service, material.open("wb") as stream:
        stream.write(book[: len(book) // 2])
        stream.flush()
        wait_for(lambda: material in service.tracker, what="the write seen by a poll")
        scans = service.scans
        wait_for(lambda: service.scans >= scans + 3, what="three rescans")
        assert material.exists()
        assert material in service.tracker  # still waiting for quiet
        stream.write(book[len(book) // 2 :])
    assert material.read_bytes() == book  # never taken: the quiet period never passed
    assert routed(office) == []
