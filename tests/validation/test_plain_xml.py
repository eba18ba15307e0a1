"""Property: the plain reading (regular expressions, `plain_xml`) of a sheet or of any XML part
gives exactly what the XML parser gives: the same measure, the same refusal, for any well-formed
part however it is spelt (prefixes, quoting, references, comments, CDATA, processing
instructions, '>' in attribute values, cells without addresses or inside cells, error values,
rich text, formulas with children). The parser is the reference; the plain reading must either
agree or step aside. And it does not step aside for what spreadsheet programs write."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from support.hostile_content import filled, to_bytes
from support.office import issued_office
from support.plain_reading import parser_scan, read_plainly

from watcher.validation import active_content, plain_xml, safety, sheet_scan
from watcher.validation.refusal import Refusal
from watcher.validation.xml_stream import check_well_formed

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SETTINGS = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@dataclass(frozen=True)
class Spelling:
    quote: str
    space: str
    reference: bool  # write the value's first character as a character reference


spellings = st.builds(
    Spelling, st.sampled_from(['"', "'"]), st.sampled_from(["", " ", "\n"]), st.booleans()
)
tame_spellings = st.builds(
    Spelling, st.sampled_from(['"', "'"]), st.sampled_from(["", " ", "\n"]), st.just(False)
)


def attribute(spelling: Spelling, name: str, value: str) -> str:
    if spelling.reference and value:
        value = f"&#{ord(value[0])};{value[1:]}"
    q, s = spelling.quote, spelling.space
    return f" {name}{s}={s}{q}{value}{q}"


tame_addresses = st.builds(
    "{}{}".format, st.sampled_from(["A", "B", "J", "AA", "xfd", "XFD"]), st.integers(1, 70)
)
odd_addresses = st.one_of(
    tame_addresses,
    st.sampled_from(["XFD1048576", "A1048577", "B0", "1A", " C3 ", "ZZZZ1"]),
)
prefixes = st.sampled_from(["", "", "", "x:", "o:"])
texts = st.sampled_from(
    ["12", "#DIV/0!", "", 'a &lt;c r="B9"/&gt; b', 'x="y', "1 > 0", "&#35;N/A", "r\r\nx"]
)
formulas = st.sampled_from(
    [
        "I10/H10",
        "WEBSERVICE(&quot;http://x&quot;)",
        "&#87;EBSERVICE(1)",
        "cmd|'/C calc'!A0",
        'HYPERLINK("file:///c:/x")',
        "[1]Sheet1!A1",
        "IF(A1&gt;=0,1,0)",
        "SUM(A1:A3)\r\n+1",
        "_xll.F(1)",
    ]
)


@st.composite
def cells(draw: st.DrawFn, odd: bool, depth: int = 0) -> str:
    """A cell; unless `odd`, as spreadsheet programs write them (the plain reading's case)."""
    spelling, prefix = draw(spellings if odd else tame_spellings), draw(prefixes) if odd else ""
    attrs = ""
    if draw(st.integers(0, 5)) or not odd:
        attrs += attribute(spelling, "r", draw(odd_addresses if odd else tame_addresses))
    if draw(st.booleans()):
        attrs += attribute(spelling, "s", draw(st.sampled_from(["0", "3", " 7 ", "12", "x"])))
    if draw(st.booleans()):
        kinds = ["e", " e", "n", "s", "str"] if odd else ["n", "s", "str", "inlineStr"]
        attrs += attribute(spelling, "t", draw(st.sampled_from(kinds)))
    if odd and not draw(st.integers(0, 6)):
        odd = draw(st.sampled_from(["a>b", "&lt;c r=Z9/&gt;", "&amp;"]))
        attrs += attribute(spelling, "foo", odd)
    if not draw(st.integers(0, 3)):
        return f"<{prefix}c{attrs}{draw(st.sampled_from(['/', ' /']))}>"
    parts = draw(st.lists(cell_parts(odd, depth), max_size=3))
    return f"<{prefix}c{attrs}>{''.join(parts)}</{prefix}c>"


def cell_parts(odd: bool, depth: int) -> st.SearchStrategy[str]:
    prefix = prefixes if odd else st.just("")
    options = [
        st.builds(lambda p, t: f"<{p}v>{t}</{p}v>", prefix, texts),
        st.builds(lambda p, f: f"<{p}f>{f}</{p}f>", prefix, formulas),
        st.just("<f/>"),
        st.builds(lambda f: f'<f t="shared" ref="A1:A3" si="0">{f}</f>', formulas),
        st.just('<is><r><rPr><color rgb="FF0000"/><charset val="1"/></rPr><t>x</t></r></is>'),
    ]
    if odd:
        options += [
            st.just("<!-- <c r='XFD9'/><f>WEBSERVICE(1)</f> -->"),
            st.just("<v><![CDATA[<c r='AB7'/>]]></v>"),
            st.just("<?pi <c r='Q5'/> ?>"),
        ]
    if depth < 2:
        options.append(cells(odd, depth + 1))
    return st.one_of(options)


@st.composite
def rows(draw: st.DrawFn, odd: bool) -> str:
    spelling, prefix = draw(spellings if odd else tame_spellings), draw(prefixes) if odd else ""
    attrs = attribute(spelling, "r", str(draw(st.integers(0, 80)))) if draw(st.booleans()) else ""
    body = "".join(draw(st.lists(cells(odd), max_size=4)))
    return f"<{prefix}row{attrs}>{body}</{prefix}row>" if body else f"<{prefix}row{attrs}/>"


tame_others = [
    '<dimension ref="A1:M64"/>',
    '<dimension ref="A1"/>',
    '<dimension ref="Q:Z"/>',
    '<cols><col min="1" max="3" width="9"/></cols>',
    '<conditionalFormatting sqref="A1"><cfRule type="expression"><formula>A1&gt;0</formula>'
    "</cfRule></conditionalFormatting>",
    "<cfRule><formula>WEBSERVICE(A1)</formula></cfRule>",
    '<c:chart xmlns:c="urn:chart" r="ZZ99"/>',
    '<hyperlinks><hyperlink ref="A1" display="x &gt; y"/></hyperlinks>',
]
odd_others = ["<x:dimension ref='B2:C3'/>", "<!-- a comment -->", "<ddeLink/>"]


@st.composite
def sheets(draw: st.DrawFn) -> bytes:
    odd = draw(st.booleans())
    others = st.sampled_from(tame_others + odd_others if odd else tame_others)
    body = draw(st.lists(st.one_of(rows(odd), rows(odd), others), max_size=8))
    head = draw(st.sampled_from(["", '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n']))
    xml = (
        f'{head}<worksheet xmlns="{MAIN}" xmlns:x="{MAIN}" xmlns:o="urn:other">'
        f"<sheetData>{''.join(body)}</sheetData></worksheet>"
    )
    return xml.encode()


def outcome(action: object, *args: object, **kwargs: object) -> object:
    """What a reading gives: its value, or the refusal's rule and details."""
    try:
        return action(*args, **kwargs)  # type: ignore[operator]
    except Refusal as refusal:
        return ("refused", refusal.rule, refusal.details)


@SETTINGS
@given(sheets(), st.sampled_from([40, 10_000, 10**9]))
def test_the_measure_is_the_parsers_however_the_sheet_is_spelt(xml: bytes, limit: int) -> None:
    check_well_formed(xml, rule="read.unreadable")  # as the safety layer found it
    expected = outcome(parser_scan, xml, limit)
    assert outcome(sheet_scan.scan_sheet, xml, limit=limit) == expected
    plain = sheet_scan._plain_scan(xml, limit) if b"<!" not in xml else None
    event("plain reading" if plain is not None else "left to the parser")
    assert plain is None or plain == expected


def streamed(xml: bytes) -> None:
    scan = active_content.content_scan()
    scan.feed(xml)
    scan.close()


@SETTINGS
@given(sheets())
def test_active_content_is_judged_as_the_parser_judges_it(xml: bytes) -> None:
    check_well_formed(xml, rule="read.unreadable")
    expected = outcome(streamed, xml)
    assert outcome(active_content.check_part, xml) == expected
    event(f"refused {expected[1]}" if isinstance(expected, tuple) else "passed")
    plain = outcome(active_content._checked_plain, xml) is not False
    event("plain reading" if plain else "left to the parser")


@SETTINGS
@given(sheets(), st.integers(1, 400))
def test_a_broken_part_is_refused_either_way(xml: bytes, cut: int) -> None:
    broken = xml[: max(len(xml) - cut, 1)]
    expected = outcome(streamed, broken)
    if isinstance(expected, tuple):  # both refuse; the first fault found may differ
        assert isinstance(outcome(active_content.check_part, broken), tuple)
    else:
        assert outcome(active_content.check_part, broken) is None


def test_a_workbook_issued_and_filled_is_read_plainly(tmp_path: Path) -> None:
    tree, _ = issued_office(tmp_path)
    plain = read_plainly(to_bytes(filled(tree)))  # issued by kinerja, filled with openpyxl
    assert plain is not None and plain.cells > 40
    assert plain.formula_cells and plain.styles  # the template's capaian formulas and formats


MARKUP = ("<!DOCTYPE x>", "<!doctype x>", "<!ENTITY e 'x'>", "<!-- note -->", "<![CDATA[x]]>",
          "<?pi x?>", "\x00")  # fmt: skip


@SETTINGS
@given(sheets(), st.lists(st.sampled_from(MARKUP), max_size=2), st.integers(0, 10**6))
def test_markup_that_is_not_a_tag_is_found_wherever_it_lies(
    xml: bytes, markup: list[str], seed: int
) -> None:
    """`is_plain` (and its fast `marked` search) agrees with a plain search for "<!", "<?" and
    NUL, and the chunked DTD scan refuses a DTD however the part is cut into chunks."""
    head = xml.index(b"?>") + 2 if xml.startswith(b"<?xml") else 0  # spliced past it
    at = head + seed % (len(xml) - head + 1)
    spliced = xml[:at] + "".join(markup).encode() + xml[at:]
    body = spliced[head:]
    plain = body.lstrip().startswith(b"<") and not any(n in body for n in (b"\x00", b"<!", b"<?"))
    assert plain_xml.is_plain(spliced) == plain
    declares = any(word in spliced.lower() for word in (b"<!doctype", b"<!entity"))
    for encoding in ("utf-8", "utf-16-le"):
        data = spliced.decode().encode(encoding)
        first = len(xml[:head].decode().encode(encoding))  # the declaration: in the first chunk
        cuts = sorted({first + (seed * (n + 1)) % (len(data) - first + 1) for n in range(3)})
        chunks = [data[a:b] for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True)]
        found = outcome(scanned, chunks)
        assert (found == ("refused", "safety.xml_doctype", {})) == declares


def scanned(chunks: list[bytes]) -> None:
    scan = safety._XmlScan()
    for chunk in chunks:
        scan.feed(chunk)
