"""Property tests: names that must fit, and odd names in paths, for any unicode a clerk types."""

from __future__ import annotations

import os
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.sop010 import RETURN_SUFFIX, Folder

from watcher.service.names import fit, fits, printable, unique_destination
from watcher.service.notices import REFUSAL_SUFFIXES, STRAY_SUFFIX, is_service_notice
from watcher.service.placement import Where, place_of
from watcher.sop.load import load_sop

SOP = load_sop()

# File names as a share may hold them: any character but "/" and NUL, surrogate escapes too
# (bytes that are not UTF-8, as os.fsdecode gives them).
NAME_CHARS = st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",))
UNDECODABLE = st.sampled_from([chr(0xDC80 + b) for b in range(0x80)])
STEMS = st.text(st.one_of(NAME_CHARS, UNDECODABLE), min_size=0, max_size=300)
SUFFIXES = st.sampled_from(
    [".xlsx", " (2).xlsx", " (9999).xlsx", " - HASIL VALIDASI.xlsx", RETURN_SUFFIX,
     STRAY_SUFFIX, *REFUSAL_SUFFIXES]
)  # fmt: skip
LIMITS = st.sampled_from([255, 143, 64])  # ext4/NTFS, eCryptfs, a small one


@given(stem=STEMS, suffix=SUFFIXES, limit=LIMITS)
def test_a_fitted_name_fits_and_keeps_its_suffix(stem: str, suffix: str, limit: int) -> None:
    name = fit(stem, suffix, limit)
    assert fits(name, limit)
    assert len(os.fsencode(name)) <= limit
    assert name.endswith(suffix)
    assert "/" not in name and "\x00" not in name
    if stem and fits(stem + suffix, limit):
        assert name == stem + suffix  # a name that fits is never changed


@given(stem=STEMS, limit=LIMITS)
def test_fitted_versions_stay_unique(stem: str, limit: int) -> None:
    versions = [fit(stem, f" ({number}).xlsx", limit) for number in range(2, 40)]
    assert len(set(versions)) == len(versions)


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stem=STEMS)
def test_a_long_name_gets_a_new_version_that_fits_the_folder(tmp_path: Path, stem: str) -> None:
    name = fit(stem, ".xlsx")
    folder = tmp_path / "tujuan"
    folder.mkdir(exist_ok=True)
    for existing in folder.iterdir():
        existing.unlink()
    made = []
    for _ in range(3):
        target = unique_destination(folder, name)
        target.write_bytes(b"")  # real creation: the OS says whether it fits
        made.append(target.name)
    assert len(set(made)) == 3 and all(n.endswith(".xlsx") for n in made)


@given(name=STEMS.filter(lambda n: n not in ("", ".", "..")))
def test_an_odd_name_in_a_step_folder_is_watched_and_storable(name: str) -> None:
    place = place_of(SOP, ("PIAK", "3_bahan", name), {"PIAK"})
    assert place.where is Where.WATCHED and place.step_folder.folder == Folder.MATERIAL
    shown = printable(f"inbox/PIAK/3_bahan/{name}")
    shown.encode("utf-8")  # storable in SQLite and writable into a notice
    assert shown.startswith("inbox/PIAK/3_bahan/")


@given(name=STEMS.filter(lambda n: n not in ("", ".", "..")), depth=st.integers(0, 4))
def test_an_odd_name_anywhere_else_is_stray_or_ours_never_an_error(name: str, depth: int) -> None:
    parts = ("PIAK", *(["lain"] * depth), name)
    place = place_of(SOP, parts, {"PIAK"})
    assert place.where in (Where.STRAY, Where.OUTPUT)
    if place.where is Where.STRAY:
        assert place.reason


@given(stem=STEMS, suffix=st.sampled_from([STRAY_SUFFIX, RETURN_SUFFIX, *REFUSAL_SUFFIXES]))
def test_every_fitted_notice_is_known_as_the_services_own(stem: str, suffix: str) -> None:
    assert is_service_notice(fit(stem, suffix))


def test_the_repositorys_own_inbox_guide_is_not_a_submission() -> None:
    assert place_of(SOP, ("README.md",), {"PIAK"}).where is Where.OUTPUT
    assert place_of(SOP, ("laporan.xlsx",), {"PIAK"}).where is Where.STRAY
