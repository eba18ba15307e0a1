"""Active content: what Excel would run, fetch or follow when a clerk or the Kabid opens a file.

Every XML part of the package is parsed (expat, fed the inflated member in chunks) and
refused when it holds a DDE link, a pivot cache, a chart fed from outside, or a formula (in any
cell of any sheet, a defined name, a data validation or a conditional format) that calls a
function reaching outside the workbook: DDE (`cmd|'/C calc'!A0`), WEBSERVICE, FILTERXML, CALL,
REGISTER, EXEC, RTD, an add-in (`_xll.`) function, a HYPERLINK to a file or a network share, or
a reference into another workbook (`[1]Sheet!A1`, `'C:\\dir\\[x.xlsx]S'!A1`). Formulas are read
as the parser decodes them, so character references and prefixes change nothing.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import unquote

from watcher.validation import plain_xml
from watcher.validation.refusal import Refusal
from watcher.validation.xml_stream import XmlFeed, check_well_formed, local_name

# Elements that are active content wherever they appear (local names, any namespace).
_ELEMENT_RULES = {
    "ddeLink": "safety.dde",
    "oleLink": "safety.embedded_object",
    "externalBook": "safety.external_link",
    "externalData": "safety.external_link",  # a chart whose data lives in another file
    "pivotCacheDefinition": "safety.pivot_cache",
    "pivotCacheRecords": "safety.pivot_cache",
    "pivotTableDefinition": "safety.pivot_cache",
}
# Elements whose text Excel evaluates as a formula.
_FORMULA_ELEMENTS = frozenset({"f", "definedName", "formula", "formula1", "formula2"})
_CALLS_OUT = {
    **dict.fromkeys(("DDE", "DDEAUTO", "DDEINITIATE", "DDEEXECUTE"), "safety.dde"),
    **dict.fromkeys(
        ("WEBSERVICE", "FILTERXML", "CALL", "REGISTER", "REGISTER.ID", "EXEC", "RTD", "IMPORTXML"),
        "safety.active_formula",
    ),
}
# (needle in a lower-cased content type or relationship type, rule)
_DANGEROUS_TYPES: tuple[tuple[str, str], ...] = (
    ("macroenabled", "safety.macro"),
    ("vbaproject", "safety.macro"),
    ("macrosheet", "safety.macro"),
    ("activex", "safety.activex"),
    ("oleobject", "safety.embedded_object"),
    ("relationships/package", "safety.embedded_object"),  # another document, embedded
    ("externallink", "safety.external_link"),
    ("pivotcache", "safety.pivot_cache"),
    ("pivottable", "safety.pivot_cache"),
)
_TYPED_ELEMENTS = frozenset({"Default", "Override", "Relationship"})
_WATCHED = _TYPED_ELEMENTS | _FORMULA_ELEMENTS | frozenset(_ELEMENT_RULES)
_FUNCTION = re.compile(r"([A-Za-z_][A-Za-z0-9_.]*)\s*\(")
# "[1]Sheet1!A1": a workbook index in brackets not after a name (a table's "T[Col]" is one).
_EXTERNAL_INDEX = re.compile(r"(?<![\w.\]])\[\d+\]")
# Characters no sheet name may hold: in a quoted name they mean a path to another file.
_PATH_CHARACTERS = frozenset("[]\\/:")
_WEB_SCHEMES = ("http://", "https://", "mailto:")
# A template's formulas recur in every file; only short ones are remembered, so the memory
# stays bounded (~2 MB) whatever a crafted file holds.
_REMEMBERED_FORMULA = 512


def formula_rule(formula: str) -> str | None:
    """The rule a formula's text breaks, or None if it stays inside the workbook."""
    if len(formula) <= _REMEMBERED_FORMULA:
        return _remembered_rule(formula)
    return _rule(formula)


@lru_cache(maxsize=4096)
def _remembered_rule(formula: str) -> str | None:
    return _rule(formula)


def _rule(formula: str) -> str | None:
    bare, strings, names = _split_literals(formula)
    if "|" in bare:
        return "safety.dde"  # application|topic!item
    if "\\" in bare or _EXTERNAL_INDEX.search(bare):
        return "safety.external_link"  # another workbook, by index or by a network path
    if any(_PATH_CHARACTERS & set(name) for name in names):
        return "safety.external_link"  # a quoted name holding a path
    for match in _FUNCTION.finditer(bare):
        name = match.group(1).upper()
        if name.startswith("_XLL."):
            return "safety.active_formula"  # a function of an add-in (native code)
        name = name.removeprefix("_XLFN.").removeprefix("_XLWS.")
        if name in _CALLS_OUT:
            return _CALLS_OUT[name]
        if name == "HYPERLINK" and any(map(_is_file_path, strings)):
            return "safety.file_link"
    return None


def _split_literals(formula: str) -> tuple[str, list[str], list[str]]:
    """(the formula with string literals and quoted names blanked, the strings, the names)."""
    bare: list[str] = []
    literals: dict[str, list[str]] = {'"': [], "'": []}
    at = 0
    while at < len(formula):
        quote = formula[at]
        if quote not in "\"'":
            bare.append(quote)
            at += 1
            continue
        end = at + 1
        while end < len(formula):  # a doubled quote inside is the quote itself
            if formula[end] == quote:
                if formula[end + 1 : end + 2] != quote:
                    break
                end += 1
            end += 1
        literals[quote].append(formula[at + 1 : end].replace(quote * 2, quote))
        bare.append(quote + quote)
        at = end + 1
    return "".join(bare), literals['"'], literals["'"]


def _is_file_path(text: str) -> bool:
    """A text naming a file: a file: URL, a network share, or a drive path ("C:\\x", "C:/x").
    (A HYPERLINK's friendly name is text too, so a plain word is not taken for a path.)"""
    text = unquote(text).strip().lower()
    drive = len(text) > 2 and text[0].isalpha() and text[1] == ":" and text[2] in "\\/"
    return drive or text.startswith(("file:", "\\\\", "//"))


def is_web_link(target: str) -> bool:
    """True for a web or mail address; False for a file, a network share or a relative path."""
    return unquote(target).strip().lower().startswith(_WEB_SCHEMES)


def type_rule(attrib: dict[str, str]) -> str | None:
    """The rule for one `Default`/`Override` (content type) or `Relationship` element."""
    kind = (attrib.get("ContentType") or attrib.get("Type") or "").lower()
    for needle, rule in _DANGEROUS_TYPES:
        if needle in kind:
            return rule
    if attrib.get("TargetMode", "").strip().lower() != "external":
        return None
    if not kind.endswith("/hyperlink"):
        return "safety.external_link"  # a linked picture, OLE link or template elsewhere
    # Excel opens a relative or file: target from the disk or a share, without a prompt
    # for a trusted location; only web and mail addresses stay allowed.
    return None if is_web_link(attrib.get("Target", "")) else "safety.file_link"


class _Target:
    """Parser target: raises the refusal of the first element or formula that breaks a rule.

    Ends and text are listened to only inside a formula element: the text collected is the
    formula's up to its end tag or to a child element's start, which discards it.
    """

    def __init__(self) -> None:
        self._text: list[str] | None = None  # collecting the text of a formula element
        self._feed: XmlFeed | None = None

    def attach(self, feed: XmlFeed) -> None:
        self._feed = feed
        feed.listen(end=None, data=None)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        local = local_name(tag)
        if local not in _WATCHED:  # most elements of a sheet: one look-up and done
            if self._text is not None:
                self._collect(None)
            return
        rule = _ELEMENT_RULES.get(local) or (
            type_rule(attrib) if local in _TYPED_ELEMENTS else None
        )
        if rule:
            raise Refusal(rule)
        if local in _FORMULA_ELEMENTS:
            self._collect([])
        elif self._text is not None:
            self._collect(None)

    def data(self, text: str) -> None:
        if self._text is not None:
            self._text.append(text)

    def end(self, tag: str) -> None:
        rule = formula_rule("".join(self._text)) if self._text is not None else None
        if rule:
            raise Refusal(rule)
        self._collect(None)

    def _collect(self, text: list[str] | None) -> None:
        self._text = text
        if self._feed is not None:
            listening = text is not None
            self._feed.listen(
                end=self.end if listening else None, data=self.data if listening else None
            )


def content_scan() -> XmlFeed:
    """An XML parse, fed one part in chunks, that refuses it if it holds active content."""
    return XmlFeed(_Target(), rule="safety.corrupt_zip")


def check_part(xml: bytes) -> None:
    """Refuse a whole XML part as `content_scan` fed it would: malformed, or holding active
    content. A plain part (`plain_xml`) whose only watched elements are formulas is judged by
    regular expressions after a parse without callbacks; any other goes through the scan."""
    if not _checked_plain(xml):
        scan = content_scan()
        scan.feed(xml)
        scan.close()


# Watched elements whose rules the scan applies in document order: a part naming one goes to it.
_LEFT_TO_THE_SCAN = tuple(name.encode() for name in sorted(_WATCHED - _FORMULA_ELEMENTS))
_FORMULA_NAMES = rb"(?:f|definedName|formula2|formula1|formula)(?=[\s/>])"
_PREFIXED_FORMULA = re.compile(rb":" + _FORMULA_NAMES)
# An unprefixed formula element holding text alone: its name, attributes and that text. The
# scan checks exactly those (a child element discards the text before it); the end tag is the
# start tag's own, as the part is well formed.
_FORMULA_TEXT = re.compile(rb"<(" + _FORMULA_NAMES + rb")([^>]*)(?<!/)>([^<]*)</\1\s*>")


def _checked_plain(xml: bytes) -> bool:
    """Judge `xml` as the scan would and return True, or return False to leave it to the scan:
    not plain, naming an element whose rule the scan applies in document order (a text that
    spells one is enough), a prefixed formula element, or a formula's start tag that might
    end past its first ">" (an attribute the strict reading does not take)."""
    if not plain_xml.is_plain(xml) or any(name in xml for name in _LEFT_TO_THE_SCAN):
        return False
    if _PREFIXED_FORMULA.search(xml):
        return False
    formulas = _FORMULA_TEXT.findall(xml)
    if any(plain_xml.attributes(attributes) is None for _, attributes, _ in formulas):
        return False
    check_well_formed(xml, rule="safety.corrupt_zip")
    for _, _, raw in formulas:
        rule = _text_rule(raw)
        if rule:
            raise Refusal(rule)
    return True


def _text_rule(raw: bytes) -> str | None:
    """`formula_rule` of a formula's raw text, remembered for short ones (a template's recur)."""
    return _remembered_text_rule(raw) if len(raw) <= _REMEMBERED_FORMULA else _raw_rule(raw)


def _raw_rule(raw: bytes) -> str | None:
    return formula_rule(plain_xml.text(raw))


_remembered_text_rule = lru_cache(maxsize=4096)(_raw_rule)
