"""The kabupaten's IKU list (`kinerja pusat laporan --iku`): what Bappeda writes, what it gets
wrong, and whatever else arrives in the file."""

from __future__ import annotations

import string

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watcher.central.iku import Iku, IkuError, parse_iku


def test_a_well_written_list_is_read_with_its_title() -> None:
    text = '\ufeffjudul = "IKU 2026"\n[[iku]]\nkode = "IKU-01"\nnama = "Cakupan"\ntarget = 95\n'

    read = parse_iku(text.encode("utf-8"), "iku.toml")

    assert read.title == "IKU 2026"
    assert read.items == (Iku("IKU-01", "Cakupan", "", 95.0),)


@pytest.mark.parametrize(
    ("text", "where", "phrase"),
    [
        pytest.param('[[iku]]\nkode = "IKU-01"\nnama = "A"\n[[iku]]\nkode = "iku-01"\nnama = "B"\n',
                     "baris 4", "kode IKU 'iku-01' ganda (sudah di baris 1)", id="duplicate_code"),
        pytest.param('# daftar\n[[iku]]\nkode = "IKU 1"\nnama = "A"\n', "baris 2",
                     "'kode' 'IKU 1' tidak valid", id="code_with_space"),
        pytest.param('[[iku]]\nkode = "IKU-01"\n', "baris 1", "'nama' wajib diisi",
                     id="missing_name"),
        pytest.param('[[iku]]\nkode = "IKU-01"\nnama = "A"\ntargt = 9\n', "baris 1",
                     "kunci 'targt' tidak dikenal", id="misspelt_key"),
        pytest.param('[[iku]]\nkode = "IKU-01"\nnama = "A"\ntarget = "sembilan"\n', "baris 1",
                     "'target' harus angka", id="target_in_words"),
        pytest.param('[[iku]]\nkode = "IKU-01"\nnama = "A"\ntarget = true\n', "baris 1",
                     "'target' harus angka", id="target_true"),
        pytest.param('judul = "x"\nwilayah = 7304\n[[iku]]\nkode = "A"\nnama = "A"\n',
                     "baris 2", "kunci 'wilayah' tidak dikenal", id="unknown_top_key"),
        pytest.param('[[iku]]\nkode = "IKU-01\nnama = "A"\n', "baris 2",
                     "penulisan TOML tidak benar", id="unclosed_quote"),
        pytest.param('judul = "kosong"\n', "", "belum ada IKU", id="no_entries"),
    ],
)  # fmt: skip
def test_each_mistake_is_named_with_its_line_in_indonesian(text: str, where: str,
                                                           phrase: str) -> None:  # fmt: skip
    with pytest.raises(IkuError) as caught:
        parse_iku(text.encode("utf-8"), "iku.toml")

    problems = caught.value.problems
    assert len(problems) == 1
    assert problems[0].cell == where or (where == "baris 2" and problems[0].cell.startswith(where))
    assert phrase in problems[0].message
    assert "iku.toml" in caught.value.message


def test_a_file_that_is_not_utf8_text_is_refused() -> None:
    with pytest.raises(IkuError, match="bukan teks UTF-8"):
        parse_iku(b"kode = '\xff\xfe'", "iku.toml")


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400).map(lambda t: t.encode("utf-8")))
def test_whatever_the_file_holds_it_is_read_or_refused_with_a_message(raw: bytes) -> None:
    try:
        read = parse_iku(raw, "iku.toml")
    except IkuError as exc:
        assert exc.problems and all(p.message for p in exc.problems)
    else:
        assert all(item.code and item.name for item in read.items)


CODES = st.text(string.ascii_letters + string.digits, min_size=1, max_size=1).flatmap(
    lambda first: st.text(string.ascii_letters + string.digits + "._-", max_size=20).map(
        lambda rest: first + rest
    )
)
ENTRIES = st.lists(
    st.tuples(
        CODES,
        st.text(min_size=1, max_size=40).filter(str.strip),
        st.text(max_size=10),
        st.none() | st.floats(allow_nan=False, allow_infinity=False, width=32),
    ),
    min_size=1,
    max_size=8,
    unique_by=lambda entry: entry[0].upper(),
)


def _toml_string(value: str) -> str:
    escaped = "".join(c if c.isprintable() and c not in '"\\' else f"\\U{ord(c):08x}"
                      for c in value)  # fmt: skip
    return f'"{escaped}"'


@settings(max_examples=200, deadline=None)
@given(ENTRIES)
def test_any_valid_list_reads_back_as_written(entries: list[tuple[str, str, str, float | None]]
                                              ) -> None:  # fmt: skip
    lines = []
    for code, name, unit, target in entries:
        lines += ["[[iku]]", f"kode = {_toml_string(code)}", f"nama = {_toml_string(name)}",
                  f"satuan = {_toml_string(unit)}"]  # fmt: skip
        if target is not None:
            lines.append(f"target = {target!r}")

    read = parse_iku("\n".join(lines).encode("utf-8"), "iku.toml")

    assert read.items == tuple(
        Iku(code, name.strip(), unit.strip(), target) for code, name, unit, target in entries
    )
