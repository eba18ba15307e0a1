"""Parse one XML part, fed in chunks, into a parser target (defusedxml: no DTD, no entities)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeVar
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from watcher.validation.refusal import Refusal

T = TypeVar("T")


def feed_xml(target: T, chunks: Iterable[bytes], *, rule: str = "read.unreadable") -> T:
    """Feed `chunks` to a parser calling `target`; Refusal(rule) if the XML is not well formed.

    A Refusal the target raises (a bound passed) stops the parse and propagates as it is.
    """
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    try:
        for chunk in chunks:
            parser.feed(chunk)
        parser.close()
    except (ParseError, DefusedXmlException):
        raise Refusal(rule) from None
    return target
