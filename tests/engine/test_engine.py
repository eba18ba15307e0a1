"""The spreadsheet engine: recalculation and PDF export through a real LibreOffice.

Tests taking `soffice` or `lo_engine` run the real program (skipped without it, failed in CI).
The others check the refusals and failure handling with stand-in executables.
"""

from __future__ import annotations

import logging
import os
import re
import signal
import stat
import threading
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from support.engine import (
    EngineError,
    LibreOfficeEngine,
    find_soffice,
    seed_profile,
)

HEADER = ("Indikator", "Target", "Realisasi", "Capaian (%)", "Status")
# Row 2: higher is better; row 3: lower is better; row 4: a zero target must not divide by zero.
ROWS = (
    ("Persentase penduduk ber-KTP-el", 90, 81),
    ("Rata-rata waktu layanan akta (hari)", 5, 4),
    ("Dokumen hilang", 0, 0),
)


def _fake_soffice(tmp_path: Path, body: str) -> str:
    """An executable shell script standing in for soffice."""
    script = tmp_path / "fake-soffice"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return str(script)


def _clerk_workbook(path: Path, realisasi_first: float = 81) -> Path:
    """Save a rencana-aksi-like workbook the way openpyxl does: formulas, no cached values."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Rencana Aksi"
    sheet.append(HEADER)
    for name, target, realisasi in ROWS:
        sheet.append((name, target, realisasi))
    sheet["C2"] = realisasi_first
    sheet["D2"] = "=IF(B2=0,0,C2/B2*100)"
    sheet["D3"] = "=IF(C3=0,0,B3/C3*100)"
    sheet["D4"] = "=IF(B4=0,0,C4/B4*100)"
    for row in (2, 3, 4):
        sheet[f"E{row}"] = f'=IF(D{row}>=100,"Tercapai","Belum tercapai")'
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    workbook.close()
    return path


def _values(path: Path, cells: str) -> list[object]:
    workbook = openpyxl.load_workbook(path, data_only=True)
    try:
        sheet = workbook["Rencana Aksi"]
        return [sheet[cell].value for cell in cells.split()]
    finally:
        workbook.close()


def _set_cached_number(path: Path, cell: str, value: float) -> None:
    """Change one input cell inside the xlsx XML, leaving the formulas' cached values stale."""
    with zipfile.ZipFile(path) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    sheet = "xl/worksheets/sheet1.xml"
    pattern = rf'(<c r="{cell}"[^>]*><v>)[^<]*(</v>)'
    xml, count = re.subn(pattern, rf"\g<1>{value}\g<2>", members[sheet].decode("utf-8"))
    assert count == 1, f"{cell} not found in {sheet}"
    members[sheet] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def _pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", path.read_bytes()))


# --- real LibreOffice -------------------------------------------------------------------------


def test_recalculate_fills_values_openpyxl_left_empty(
    lo_engine: LibreOfficeEngine, tmp_path: Path
) -> None:
    source = _clerk_workbook(tmp_path / "masuk" / "RA_BIDANG-DAFDUK_2026_TW3.xlsx")
    assert _values(source, "D2 E2") == [None, None]  # openpyxl writes formulas only

    [output] = lo_engine.recalculate([source], tmp_path / "hasil")

    assert output == tmp_path / "hasil" / source.name
    capaian, status = _values(output, "D2 E2")
    assert capaian == pytest.approx(90.0)
    assert status == "Belum tercapai"
    assert _values(output, "D3 E3 D4 E4") == [pytest.approx(125.0), "Tercapai", 0, "Belum tercapai"]


def test_recalculate_replaces_stale_cached_values(
    lo_engine: LibreOfficeEngine, tmp_path: Path
) -> None:
    source = _clerk_workbook(tmp_path / "masuk" / "ra.xlsx")
    [first] = lo_engine.recalculate([source], tmp_path / "sekali")
    _set_cached_number(first, "C2", 99)  # realisasi changes, D2/E2 still cache 90 / "Belum"
    assert _values(first, "C2 D2") == [99, pytest.approx(90.0)]

    [second] = lo_engine.recalculate([first], tmp_path / "dua-kali")

    assert _values(second, "D2 E2") == [pytest.approx(110.0), "Tercapai"]


def test_batch_converts_every_file_in_one_process(
    lo_engine: LibreOfficeEngine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sources = [
        _clerk_workbook(tmp_path / "masuk" / f"RA_{n}.xlsx", realisasi_first=9 * n)
        for n in range(1, 6)
    ]
    with caplog.at_level(logging.INFO, logger="support.engine"):
        outputs = lo_engine.recalculate(sources, tmp_path / "hasil")

    assert outputs == [tmp_path / "hasil" / source.name for source in sources]
    assert [_values(out, "D2")[0] for out in outputs] == [
        pytest.approx(10.0 * n) for n in range(1, 6)
    ]
    runs = [r for r in caplog.records if r.getMessage().startswith("soffice converted")]
    assert len(runs) == 1
    assert sorted(p.name for p in (tmp_path / "hasil").iterdir()) == [s.name for s in sources]


def test_pdf_export_of_workbook_and_html(lo_engine: LibreOfficeEngine, tmp_path: Path) -> None:
    workbook = _clerk_workbook(tmp_path / "laporan" / "RA_TW3.xlsx")
    html = tmp_path / "laporan" / "status.html"
    html.write_text(
        "<html><body><h1>Status Triwulan III</h1>"
        "<table><tr><td>Dafduk</td><td>Tepat waktu</td></tr></table></body></html>",
        encoding="utf-8",
    )

    outputs = lo_engine.to_pdf([workbook, html], tmp_path / "pdf")

    assert outputs == [tmp_path / "pdf" / "RA_TW3.pdf", tmp_path / "pdf" / "status.pdf"]
    for pdf in outputs:
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF-"), pdf
        assert data.rstrip().endswith(b"%%EOF"), pdf
        assert _pdf_pages(pdf) >= 1, pdf


def test_corrupt_file_is_named_and_the_others_still_convert(
    lo_engine: LibreOfficeEngine, tmp_path: Path
) -> None:
    good = _clerk_workbook(tmp_path / "masuk" / "baik.xlsx")
    corrupt = tmp_path / "masuk" / "rusak.xlsx"
    corrupt.write_bytes(good.read_bytes()[:300])  # a copy cut off mid-transfer
    also_good = _clerk_workbook(tmp_path / "masuk" / "baik-juga.xlsx")

    with pytest.raises(EngineError, match=r"gagal mengonversi 1 berkas.*rusak\.xlsx") as caught:
        lo_engine.recalculate([good, corrupt, also_good], tmp_path / "hasil")

    assert caught.value.failed == (corrupt,)
    assert caught.value.outputs == (
        tmp_path / "hasil" / good.name,
        tmp_path / "hasil" / also_good.name,
    )
    assert sorted(p.name for p in (tmp_path / "hasil").iterdir()) == ["baik-juga.xlsx", "baik.xlsx"]
    assert _values(tmp_path / "hasil" / "baik.xlsx", "D2")[0] == pytest.approx(90.0)


def test_timeout_raises_and_leaves_nothing_behind(soffice: str, tmp_path: Path) -> None:
    source = _clerk_workbook(tmp_path / "masuk" / "ra.xlsx")
    engine = LibreOfficeEngine(soffice=soffice, timeout=0.001)
    with engine, pytest.raises(EngineError, match=r"tidak selesai dalam 0\.001 detik.*ra\.xlsx"):
        engine.recalculate([source], tmp_path / "hasil")
    assert list((tmp_path / "hasil").iterdir()) == []


# --- failure handling without LibreOffice -----------------------------------------------------


@pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")
def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    child_pid_file = tmp_path / "child.pid"
    fake = _fake_soffice(tmp_path, f'sleep 30 &\necho $! > "{child_pid_file}"\nwait')
    source = _clerk_workbook(tmp_path / "masuk" / "ra.xlsx")

    engine = LibreOfficeEngine(soffice=fake, timeout=0.5)
    with engine, pytest.raises(EngineError, match="tidak selesai"):
        engine.recalculate([source], tmp_path / "hasil")

    child = Path("/proc") / child_pid_file.read_text().strip()
    state = (child / "stat").read_text().split()[2] if child.exists() else "gone"
    assert state in {"gone", "Z"}  # killed (a zombie until its new parent reaps it)


def test_soffice_that_writes_nothing_fails_every_file(tmp_path: Path) -> None:
    sources = [_clerk_workbook(tmp_path / "masuk" / f"{n}.xlsx") for n in ("a", "b")]
    engine = LibreOfficeEngine(soffice=_fake_soffice(tmp_path, "exit 0"))
    with engine, pytest.raises(EngineError, match=r"2 berkas.*a\.xlsx, b\.xlsx") as caught:
        engine.to_pdf(sources, tmp_path / "pdf")
    assert caught.value.failed == tuple(sources)
    assert caught.value.outputs == ()


@pytest.mark.parametrize(
    ("layout", "message"),
    [
        pytest.param(
            "same-folder", "Folder hasil sama dengan folder sumber", id="out-dir-is-source-dir"
        ),
        pytest.param("missing", "Berkas tidak ditemukan", id="missing-source"),
        pytest.param("same-stem", "nama yang sama", id="two-sources-one-output-name"),
    ],
)
def test_refused_batches_run_nothing(tmp_path: Path, layout: str, message: str) -> None:
    ran = tmp_path / "ran"
    fake = _fake_soffice(tmp_path, f'touch "{ran}"')
    source = _clerk_workbook(tmp_path / "masuk" / "ra.xlsx")
    original = source.read_bytes()
    out_dir, sources = tmp_path / "hasil", [source]
    if layout == "same-folder":
        out_dir = source.parent
    elif layout == "missing":
        sources.append(tmp_path / "masuk" / "tidak-ada.xlsx")
    else:
        sources.append(_clerk_workbook(tmp_path / "lain" / "ra.xlsx"))

    with LibreOfficeEngine(soffice=fake) as engine, pytest.raises(EngineError, match=message):
        engine.recalculate(sources, out_dir)
    assert not ran.exists()
    assert source.read_bytes() == original


def test_empty_batch_starts_no_process(tmp_path: Path) -> None:
    ran = tmp_path / "ran"
    with LibreOfficeEngine(soffice=_fake_soffice(tmp_path, f'touch "{ran}"')) as engine:
        assert engine.recalculate([], tmp_path / "hasil") == []
    assert not ran.exists()


def test_missing_libreoffice_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="apt-get install libreoffice-calc-nogui"):
        LibreOfficeEngine(soffice=str(tmp_path / "soffice"))


def test_find_soffice_honours_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = _fake_soffice(tmp_path, "exit 0")
    monkeypatch.setenv("KINERJA_SOFFICE", fake)
    assert find_soffice() == fake
    monkeypatch.setenv("KINERJA_SOFFICE", str(tmp_path / "tidak-ada"))
    assert find_soffice() is None


def test_seed_profile_forces_recalculation_and_keeps_other_settings(tmp_path: Path) -> None:
    registry = tmp_path / "user" / "registrymodifications.xcu"
    registry.parent.mkdir(parents=True)
    registry.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<oor:items xmlns:oor="x">\n'
        '<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun">'
        "<value>false</value></prop></item>\n"
        '<item oor:path="/org.openoffice.Office.Calc/Formula/Load">'
        '<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>1</value></prop></item>\n'
        "</oor:items>\n",
        encoding="utf-8",
    )

    seed_profile(tmp_path)
    seed_profile(tmp_path)  # idempotent

    text = registry.read_text(encoding="utf-8")
    assert "FirstRun" in text
    assert re.findall(r'"OOXMLRecalcMode" oor:op="fuse"><value>(\d)<', text) == ["0"]
    assert re.findall(r'"ODFRecalcMode" oor:op="fuse"><value>(\d)<', text) == ["0"]


def test_close_removes_only_a_temporary_profile(tmp_path: Path) -> None:
    fake = _fake_soffice(tmp_path, "exit 0")
    temporary = LibreOfficeEngine(soffice=fake)
    given = LibreOfficeEngine(soffice=fake, profile_dir=tmp_path / "profil")
    temporary.close()
    given.close()
    temporary.close()  # idempotent
    assert not temporary.profile_dir.exists()
    assert (tmp_path / "profil" / "user" / "registrymodifications.xcu").is_file()
    with pytest.raises(RuntimeError):
        given.recalculate([_clerk_workbook(tmp_path / "masuk" / "ra.xlsx")], tmp_path / "hasil")


# --- the batched engine under sustained use and a crash -----------------------------------------


def _our_soffice_groups(profile: Path) -> set[int]:
    """Process groups of soffice processes started on `profile` (this engine's, nobody else's)."""
    groups = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes()
            if str(profile.resolve()).encode() in command:
                groups.add(os.getpgid(int(entry.name)))
        except (OSError, ProcessLookupError):
            continue
    return groups


def test_two_hundred_conversions_in_batches_leave_nothing_running(
    soffice: str, tmp_path: Path
) -> None:
    sources = [
        _clerk_workbook(tmp_path / "masuk" / f"RA_{n:03d}.xlsx", realisasi_first=n)
        for n in range(1, 201)
    ]
    with LibreOfficeEngine(soffice=soffice) as engine:
        outputs = []
        for start in range(0, 200, 50):  # four batches, as four report runs would
            outputs += engine.recalculate(sources[start : start + 50], tmp_path / "hasil")
        profile = engine.profile_dir
        assert not _our_soffice_groups(profile)

    assert len(outputs) == 200
    for n in (1, 57, 123, 200):
        assert _values(outputs[n - 1], "D2")[0] == pytest.approx(n / 90 * 100)
    assert not profile.exists()


@pytest.mark.skipif(os.name != "posix", reason="process groups are POSIX")
def test_a_killed_soffice_fails_its_batch_and_the_next_call_starts_clean(
    soffice: str, tmp_path: Path
) -> None:
    sources = [_clerk_workbook(tmp_path / "masuk" / f"RA_{n:02d}.xlsx") for n in range(40)]
    with LibreOfficeEngine(soffice=soffice) as engine:
        failure: list[BaseException] = []

        def convert() -> None:
            try:
                engine.recalculate(sources, tmp_path / "hasil")
            except BaseException as exc:
                failure.append(exc)

        worker = threading.Thread(target=convert)
        worker.start()
        deadline = time.monotonic() + 60
        while not (groups := _our_soffice_groups(engine.profile_dir)):
            assert time.monotonic() < deadline, "soffice did not start"
            time.sleep(0.05)
        for group in groups:  # the crash: soffice and its children die mid-batch
            os.killpg(group, signal.SIGKILL)
        worker.join(timeout=60)

        assert isinstance(failure[0], EngineError)
        assert failure[0].failed  # the files without output are named

        [again] = engine.recalculate(sources[:1], tmp_path / "danach")
    assert _values(again, "D2")[0] == pytest.approx(90.0)
