"""Parse one XML part, fed in chunks, into a parser target, with expat and no DTD.

expat is called directly (ElementTree's target wrapper costs ~4x more per element, and every
XML part of every submitted file goes through here). A DTD, an entity declaration or an
external entity is refused: OOXML never needs one, and they are where entity attacks live (the
safety layer has already refused any "<!DOCTYPE" by its bytes; this is the second lock).
Names come as "namespace}local" (expat's form with "}" as separator), or "local" alone.

Most of a sheet's elements interest a target only at their start, and each Python callback costs
more than expat's own work on the element, so a target may listen to ends and text only while
inside the elements it cares about (`XmlFeed.listen`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar
from xml.parsers import expat

from watcher.validation.refusal import Refusal

T = TypeVar("T")


def local_name(name: str) -> str:
    return name.rpartition("}")[2]


def namespace_of(name: str) -> str:
    return name.rpartition("}")[0]


class XmlFeed:
    """An incremental parse calling `target.start(name, attributes)` and, if it has them,
    `target.end(name)` and `target.data(text)`; malformed XML raises Refusal(rule).

    A target with `attach(feed)` is given the feed before the parse, to switch its end and
    text handlers with `listen` as it goes.
    """

    def __init__(self, target: Any, *, rule: str) -> None:
        self._rule = rule
        self._parser = expat.ParserCreate(namespace_separator="}")
        self._parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self._parser.buffer_text = True  # one call per text run, not per line
        self._parser.StartElementHandler = target.start
        self.listen(end=getattr(target, "end", None), data=getattr(target, "data", None))
        if hasattr(target, "attach"):
            target.attach(self)
        self._parser.StartDoctypeDeclHandler = _forbidden
        self._parser.EntityDeclHandler = _forbidden
        self._parser.ExternalEntityRefHandler = _forbidden

    def listen(
        self, *, end: Callable[[str], None] | None, data: Callable[[str], None] | None
    ) -> None:
        """From the next event on, call `end` for each end tag and `data` for each text run
        (None: not at all). Text already read is delivered to the handler it was read for."""
        self._parser.EndElementHandler = end
        self._parser.CharacterDataHandler = data

    def feed(self, chunk: bytes) -> None:
        self._parse(chunk, final=False)

    def close(self) -> None:
        self._parse(b"", final=True)

    def _parse(self, chunk: bytes, *, final: bool) -> None:
        try:
            self._parser.Parse(chunk, final)
        except expat.ExpatError:
            raise Refusal(self._rule) from None


def check_well_formed(xml: bytes, *, rule: str) -> None:
    """Refusal(rule) unless `xml` is well formed, namespaces and all; no callback per element."""
    parser = expat.ParserCreate(namespace_separator="}")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _forbidden
    parser.EntityDeclHandler = _forbidden
    parser.ExternalEntityRefHandler = _forbidden
    try:
        parser.Parse(xml, True)
    except expat.ExpatError:
        raise Refusal(rule) from None


def _forbidden(*_: object) -> None:
    raise Refusal("safety.xml_doctype")


def feed_xml(target: T, chunks: Iterable[bytes], *, rule: str = "read.unreadable") -> T:
    """Feed `chunks` to a parser calling `target`; Refusal(rule) if the XML is not well formed.

    A Refusal the target raises (a bound passed) stops the parse and propagates as it is.
    """
    feed = XmlFeed(target, rule=rule)
    for chunk in chunks:
        feed.feed(chunk)
    feed.close()
    return target
