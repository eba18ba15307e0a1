"""Type values into a workbook in LibreOffice, through Calc's input line, under a given locale.

`vba_office`'s profile (application Basic library `KinerjaUji`) gets one more module,
`vba/Typing.bas`, and the profile's locale is set (Tools > Options > Language Settings >
Locale setting), so "34%", "83,9" or "1.200" become what Calc makes of them for a clerk of that
locale: the number scanner and the percent format are LibreOffice's own, not ours.
"""

from __future__ import annotations

from pathlib import Path

from support.vba_office import _library_xml, _soffice, install_profile, write_module

HERE = Path(__file__).parent
TYPING = HERE / "vba" / "Typing.bas"
_LOCALE_ITEM = (
    '<item oor:path="/org.openoffice.Setup/L10N"><prop oor:name="ooSetupSystemLocale" '
    'oor:op="fuse"><value>{locale}</value></prop></item>\n'
)


def typing_profile(soffice: str, profile: Path, locale: str) -> None:
    """A LibreOffice profile with the typing macro and `locale` ("id-ID", "en-US")."""
    install_profile(soffice, profile)
    library = profile / "user" / "basic" / "KinerjaUji"
    (library / "script.xlb").write_text(_library_xml(["Harness", "Typing"]), encoding="utf-8")
    write_module(library, TYPING)
    settings = profile / "user" / "registrymodifications.xcu"
    text = settings.read_text(encoding="utf-8")
    settings.write_text(
        text.replace("</oor:items>", _LOCALE_ITEM.format(locale=locale) + "</oor:items>"),
        encoding="utf-8",
    )


def type_into(
    soffice: str, profile: Path, workbook: Path, output: Path, cells: dict[str, str]
) -> list[str]:
    """Type `cells` (address -> text as keyed in) into `workbook`, save it as `output`; return
    the macro's log (one TYPED line per cell; its last line, SAVED, is sometimes lost as
    soffice exits, so callers check the TYPED lines and the file)."""
    work = output.parent
    work.mkdir(parents=True, exist_ok=True)
    log = work / f"{output.stem}.log"
    job = work / f"{output.stem}.job"
    lines = [f"WORKBOOK={workbook}", f"OUTPUT={output}", f"LOG={log}"]
    lines += [f"CELL={address}|{text}" for address, text in cells.items()]
    job.write_text("\n".join(lines) + "\n", encoding="utf-8")
    _soffice(
        soffice,
        profile,
        ["macro:///KinerjaUji.Typing.TypeJob"],
        {"KINERJA_UJI_JOB": str(job)},
        timeout=60,
    )
    return log.read_text(encoding="utf-8").splitlines() if log.exists() else []
