"""The one internal exception of the file checks: a rule refused the file.

The zip, package and content checks raise it with a rule id and the details its message needs;
`safety.check_bytes` and `reader.read_workbook` turn it into a `RefusedFileError` in Indonesian.
"""

from __future__ import annotations


class Refusal(Exception):
    """A rule refused the file; `details` fill the rule's message template."""

    def __init__(self, rule: str, **details: object) -> None:
        super().__init__(rule)
        self.rule = rule
        self.details = details
