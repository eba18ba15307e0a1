"""`kinerja.toml` as an IT person edits it: in Notepad (BOM, ANSI), with typos, with a password."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from watcher.service.config import KEYS, Config, ConfigError, EmailConfig, load_config
from watcher.service.mailer import smtp_password

GOOD = (
    "# Pengaturan layanan kinerja — disunting di Notepad\n"
    "[layanan]\n"
    "polling = 5\n"
    "[email]\n"
    'host = "smtp.kantor.go.id"\n'
    'pengirim = "Sekretariat Dinas <kinerja@kantor.go.id>"\n'
    'penerima = ["perencanaan@kantor.go.id"]\n'
)
EXPECTED = Config(
    polling=5.0,
    email=EmailConfig(host="smtp.kantor.go.id", sender="Sekretariat Dinas <kinerja@kantor.go.id>",
                      recipients=("perencanaan@kantor.go.id",)),
)  # fmt: skip


def _write(root: Path, data: bytes) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "kinerja.toml").write_bytes(data)
    return root


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "utf-16", "cp1252"],
    ids=["utf8", "utf8-bom-notepad", "unicode-notepad", "ansi-notepad"],
)
def test_a_file_saved_by_notepad_is_read(tmp_path: Path, encoding: str) -> None:
    text = GOOD.replace("Sekretariat Dinas", "Sékretariat Dinas")  # é differs in every encoding
    config = load_config(_write(tmp_path, text.encode(encoding)))
    assert config.email is not None and config.email.sender.startswith("Sékretariat")
    assert config.polling == 5.0


def test_bytes_no_encoding_can_read_are_refused_with_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(_write(tmp_path, b"[layanan]\npolling = 5 # \x81\n"))  # 0x81: not in cp1252
    assert "byte 0x81" in raised.value.message and "UTF-8" in raised.value.message


_comment = st.text(
    alphabet=st.characters(codec="cp1252", exclude_categories=("Cc", "Cs")), max_size=30
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1252"]),
    comments=st.lists(_comment, min_size=len(GOOD.splitlines()), max_size=len(GOOD.splitlines())),
    polling=st.integers(min_value=0, max_value=3600),
)
def test_any_encoding_notepad_offers_reads_the_same_settings(
    tmp_path: Path, encoding: str, comments: list[str], polling: int
) -> None:
    lines = GOOD.replace("polling = 5", f"polling = {polling}").splitlines()
    text = "".join(f"{line} # {comment}\n" if "=" in line else f"{line}\n"
                   for line, comment in zip(lines, comments, strict=True))  # fmt: skip
    config = load_config(_write(tmp_path / encoding, text.encode(encoding)))
    assert config == Config(polling=float(polling) or None, email=EXPECTED.email)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("[layanan]\npollling = 5\n", "[baris 2: layanan.pollling] kunci "
                     "'pollling' tidak dikenal di bagian [layanan]; maksudnya 'polling'?",
                     id="misspelt-key"),
        pytest.param('[layanan]\npolling = 5\n\n[emial]\nhost = "smtp"\n', "[baris 4: [emial]] "
                     "bagian [emial] tidak dikenal; maksudnya 'email'?", id="misspelt-section"),
        pytest.param('[email]\nhost = "smtp"\npenerima = "a@b.go.id"\nsandi = "rahasia"\n',
                     "[baris 4: email.sandi] kunci 'sandi' tidak dikenal di bagian [email]",
                     id="unknown-key"),
        pytest.param("polling = 5\n", "[baris 1: polling] kunci 'polling' berada di luar "
                     "bagian (tulis di bawah [layanan])",
                     id="key-outside-a-section"),
    ],
)  # fmt: skip
def test_an_unknown_key_is_named_with_its_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_config(_write(tmp_path, text.encode()))
    assert expected in raised.value.message


_key = st.text(alphabet=string.ascii_lowercase + "_", min_size=1, max_size=12)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(key=_key.filter(lambda k: k not in KEYS["email"]), at=st.integers(min_value=0, max_value=3))
def test_any_unknown_email_key_is_found_on_its_line(tmp_path: Path, key: str, at: int) -> None:
    lines = GOOD.splitlines()
    email = lines.index("[email]")
    lines.insert(email + 1 + at, f"{key} = 1")
    with pytest.raises(ConfigError) as raised:
        load_config(_write(tmp_path, "\n".join(lines).encode()))
    assert f"[baris {email + 2 + at}: email.{key}] kunci '{key}' tidak dikenal" in (
        raised.value.message
    )
    assert len(raised.value.problems) == 1


def test_the_smtp_password_comes_from_a_file_outside_the_tree(tmp_path: Path) -> None:
    secret = tmp_path / "rahasia" / "sandi-smtp"
    secret.parent.mkdir()
    secret.write_text("s3cret tanpa baris baru\n", encoding="utf-8")
    root = tmp_path / "kerja"
    text = GOOD + f"pengguna = \"kinerja\"\nsandi_berkas = '{secret}'\n"
    config = load_config(_write(root, text.encode()))
    assert config.email is not None and smtp_password(config.email) == "s3cret tanpa baris baru"

    inside = f"pengguna = \"kinerja\"\nsandi_berkas = '{root / 'sandi.txt'}'\n"
    with pytest.raises(ConfigError, match="di luar folder kerja"):
        load_config(_write(root, (GOOD + inside).encode()))


def test_the_smtp_password_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KINERJA_SMTP_PASSWORD", "dari-lingkungan")
    config = EmailConfig(host="smtp", user="kinerja", password_env="KINERJA_SMTP_PASSWORD")
    assert smtp_password(config) == "dari-lingkungan"
    assert smtp_password(EmailConfig(host="smtp")) == ""


def test_the_centre_section_names_a_credentials_file_outside_the_tree(tmp_path: Path) -> None:
    outside = tmp_path / "etc" / "pusat.toml"
    root = _write(tmp_path / "kantor",
                  f'[pusat]\nkredensial = "{outside}"\nkirim_tiap = 30\n'.encode())  # fmt: skip

    config = load_config(root)

    assert (config.central_credentials, config.push_minutes) == (str(outside), 30.0)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[pusat]\nkredensial = "{root}/pusat.toml"\n', "[baris 2: pusat.kredensial] berkas "
         "kredensial harus di luar folder kerja"),
        ("[pusat]\nkirim_tiap = -1\n", "[baris 2: pusat.kirim_tiap] harus angka 0 atau lebih"),
        ("[pusat]\nkredensial = 5\n", "[baris 2: pusat.kredensial] harus nama berkas"),
        ('[pusat]\nalamat = "postgresql://x"\n', "kunci 'alamat' tidak dikenal di bagian [pusat]"),
    ],
    ids=["inside-tree", "negative-minutes", "not-a-name", "password-in-the-tree"],
)  # fmt: skip
def test_a_wrong_centre_section_is_named_with_its_line(tmp_path: Path, text: str,
                                                       expected: str) -> None:  # fmt: skip
    root = tmp_path / "kantor"
    _write(root, text.format(root=root).encode())

    with pytest.raises(ConfigError) as refused:
        load_config(root)

    assert expected in refused.value.message
