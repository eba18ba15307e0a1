"""A small static checker for the add-in's VBA modules (Excel is not here to compile them).

It checks what the VBA compiler would refuse and what review most often misses: `Option Explicit`
at the top; balanced blocks (Sub/Function/Property, If/End If, For/Next, Do/Loop, While/Wend,
With/End With, Select Case/End Select); every name used being declared (parameters, Dim/Const/
Static, module variables, procedures of any module) or a known VBA/Excel name; and no hard-coded
paths in string literals. A tokenizer, not a parser: enough for the code style of `macros/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

KEYWORDS = frozenset(
    """
    and or not xor mod is like as byval byref optional paramarray call dim redim preserve private
    public global friend static const sub function property get let set end exit if then else
    elseif for each to step next in do loop while wend until with select case on error goto
    resume gosub return open input output append binary random access read write print close
    line lock unlock shared name new option explicit compare base type enum declare lib alias
    ptrsafe withevents implements event raiseevent attribute stop boolean byte integer long
    longlong longptr single double currency decimal string variant object date true false
    nothing empty null me
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# VBA functions and constants and the Excel globals the add-in may use.
BUILTINS = frozenset(
    """
    msgbox inputbox environ len left left$ right right$ mid mid$ instr instrrev lcase lcase$
    ucase ucase$ trim trim$ ltrim rtrim dir dir$ getattr kill mkdir rmdir filecopy filelen
    freefile eof lof err application activeworkbook thisworkbook workbooks worksheets
    activesheet range cells iif cstr clng cint cdbl cbool now format format$ replace split join
    ubound lbound isarray isempty isnull ismissing chr chr$ asc val str str$ typename vblf
    vbcrlf vbcr vbnewline vbtab vbcritical vbinformation vbexclamation vbquestion vbyesno
    vbokonly vbokcancel vbyes vbno vbok vbcancel vbdirectory vbnormal vbhidden vbreadonly
    vbtextcompare vbbinarycompare debug
    """.split()  # noqa: SIM905 - a word list reads better as text
)
_TOKEN = re.compile(r'"(?:[^"]|"")*"|[A-Za-z_][A-Za-z0-9_]*[$%&!#@]?|\d+(?:\.\d+)?|:=|\S')
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*[$%&!#@]?$")
_HARD_PATH = re.compile(r'^"(?:[A-Za-z]:[\\/]|\\\\|/(?:Users|home|tmp|Volumes)/)')
_DECLARING = {"dim", "static", "const", "private", "public", "global"}
_PROCEDURE = {"sub", "function", "property"}
_MODIFIERS = {"public", "private", "friend", "static", "global"}
_CLOSERS = {"if": "if", "with": "with", "select": "select", "sub": "proc", "function": "proc",
            "property": "proc"}  # fmt: skip


@dataclass(frozen=True)
class Problem:
    module: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.module}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Statement:
    line: int
    tokens: list[str]  # string literals kept with their quotes; ":=" one token

    @property
    def words(self) -> list[str]:
        return [t.lower() for t in self.tokens]


def statements(text: str) -> list[Statement]:
    """Logical statements: comments dropped, `_` continuations joined, `:` separators split."""
    found: list[Statement] = []
    pending: list[str] = []
    start = 0
    for number, raw in enumerate(text.splitlines(), start=1):
        tokens = _strip_comment(_TOKEN.findall(raw))
        if not pending:
            start = number
        if tokens and tokens[-1] == "_":
            pending += tokens[:-1]
            continue
        tokens, pending = pending + tokens, []
        part: list[str] = []
        for token in [*tokens, ":"]:
            if token == ":":
                if part:
                    found.append(Statement(start, part))
                part = []
            else:
                part.append(token)
    return found


def _strip_comment(tokens: list[str]) -> list[str]:
    for index, token in enumerate(tokens):
        if token == "'" or (token.lower() == "rem" and index == 0):
            return tokens[:index]
    return tokens


def declared_names(tokens: list[str]) -> list[str]:
    """Names a Dim/Const/parameter list declares: the first identifier of each comma item."""
    names, depth, expecting = [], 0, True
    for token in tokens:
        lowered = token.lower()
        if token == "(":
            depth += 1
        elif token == ")":
            depth -= 1
        elif token == "," and depth == 0:
            expecting = True
        elif expecting and lowered in {"optional", "byval", "byref", "paramarray", "withevents"}:
            continue
        elif expecting and _IDENTIFIER.match(token) and lowered not in KEYWORDS:
            names.append(lowered.rstrip("$%&!#@"))
            expecting = False
    return names


def procedure_names(text: str) -> set[str]:
    names = set()
    for statement in statements(text):
        words = [w for w in statement.words if w not in _MODIFIERS]
        if words and words[0] in _PROCEDURE and len(words) > 1:
            names.add(words[2] if words[0] == "property" else words[1])
    return names


def module_names(text: str) -> set[str]:
    """Module-level variables and constants (outside any procedure)."""
    names, inside = set(), False
    for statement in statements(text):
        words = statement.words
        head = [w for w in words if w not in _MODIFIERS]
        if head and head[0] in _PROCEDURE:
            inside = True
        elif words[:2] in (["end", "sub"], ["end", "function"], ["end", "property"]):
            inside = False
        elif not inside and words[0] in _DECLARING:
            names.update(declared_names(statement.tokens[1:]))
    return names


def lint_modules(paths: list[Path]) -> list[Problem]:
    """Every problem of every module; names are shared across modules (Public by default)."""
    texts = {path.stem: path.read_bytes().decode("ascii", errors="replace") for path in paths}
    shared = set().union(*(procedure_names(t) | module_names(t) for t in texts.values()))
    problems: list[Problem] = []
    for name, text in texts.items():
        problems += lint_module(name, text, shared)
    return problems


def lint_module(name: str, text: str, shared: set[str]) -> list[Problem]:
    problems = [Problem(name, line, message) for line, message in _header(name, text)]
    problems += [Problem(name, line, message) for line, message in _blocks(statements(text))]
    problems += [Problem(name, line, message) for line, message in _names(text, shared)]
    return problems


def _header(name: str, text: str) -> list[tuple[int, str]]:
    code = [s for s in statements(text) if s.words[0] != "attribute"]
    problems = []
    if not text.startswith(f'Attribute VB_Name = "{name}"'):
        problems.append((1, f'first line must be Attribute VB_Name = "{name}"'))
    if not code or code[0].words[:2] != ["option", "explicit"]:
        problems.append((code[0].line if code else 1, "Option Explicit must come first"))
    for statement in statements(text):
        for token in statement.tokens:
            if token.startswith('"') and _HARD_PATH.match(token):
                problems.append((statement.line, f"hard-coded path {token}"))
    return problems


def _blocks(found: list[Statement]) -> list[tuple[int, str]]:
    stack: list[tuple[str, int]] = []
    problems: list[tuple[int, str]] = []

    def close(kind: str, line: int) -> None:
        if stack and stack[-1][0] == kind:
            stack.pop()
        else:
            open_ = f"{stack[-1][0]} from line {stack[-1][1]}" if stack else "nothing"
            problems.append((line, f"closes {kind} but {open_} is open"))

    for statement in found:
        words, line = statement.words, statement.line
        head = [w for w in words if w not in _MODIFIERS] if words[0] in _MODIFIERS else words
        if head and head[0] in _PROCEDURE and words[0] != "end":
            if stack:
                problems.append((line, f"procedure inside {stack[-1][0]} from line {stack[-1][1]}"))
            stack.append(("proc", line))
        elif words[0] == "end" and len(words) > 1 and words[1] in _CLOSERS:
            close(_CLOSERS[words[1]], line)
        elif words[0] == "if" and words[-1] == "then":
            stack.append(("if", line))
        elif words[0] in {"elseif", "else"} and (not stack or stack[-1][0] != "if"):
            problems.append((line, f"{words[0]} outside an If block"))
        elif words[0] in {"for", "do", "while", "with"} or words[:2] == ["select", "case"]:
            stack.append(({"select": "select"}.get(words[0], words[0]), line))
        elif words[0] in {"next", "loop", "wend"}:
            close({"next": "for", "loop": "do", "wend": "while"}[words[0]], line)
    problems += [(line, f"{kind} is never closed") for kind, line in stack]
    return problems


def _names(text: str, shared: set[str]) -> list[tuple[int, str]]:
    """Names used in procedures that nothing declares (what Option Explicit refuses)."""
    problems: list[tuple[int, str]] = []
    local: set[str] = set()
    labels = {s.words[0] for s in statements(text) if len(s.tokens) == 1 and _is_label(text, s)}
    known = shared | BUILTINS | labels
    for statement in statements(text):
        tokens, words = statement.tokens, statement.words
        head = [w for w in words if w not in _MODIFIERS]
        if head and head[0] in _PROCEDURE and words[0] != "end":
            opening = tokens.index("(") if "(" in tokens else len(tokens)
            local = set(declared_names(_parenthesised(tokens[opening:])))
            continue
        if words[0] in {"dim", "static", "const"}:
            local.update(declared_names(tokens[1:]))
            tokens = _initialisers(tokens)
        elif words[0] in _DECLARING | {"attribute", "option"}:
            continue
        for index, token in enumerate(tokens):
            lowered = token.lower().rstrip("$%&!#@")
            before = tokens[index - 1].lower() if index else ""
            after = tokens[index + 1] if index + 1 < len(tokens) else ""
            if (
                not _IDENTIFIER.match(token)
                or token.lower() in KEYWORDS
                or before in {".", "as", "new", "goto", "resume", "gosub"}
                or after == ":="
                or lowered in local
                or lowered in known
                or token.lower() in known
            ):
                continue
            problems.append((statement.line, f"'{token}' is not declared"))
    return problems


def _parenthesised(tokens: list[str]) -> list[str]:
    depth, inner = 0, []
    for token in tokens:
        depth += token == "("
        depth -= token == ")"
        if depth == 0 and token == ")":
            break
        if depth >= 1 and not (depth == 1 and token == "("):
            inner.append(token)
    return inner


def _initialisers(tokens: list[str]) -> list[str]:
    """The expressions after "=" in a Const line (names used there must exist)."""
    return tokens[tokens.index("=") + 1 :] if "=" in tokens else []


def _is_label(text: str, statement: Statement) -> bool:
    line = text.splitlines()[statement.line - 1].strip()
    return line.endswith(":") and _IDENTIFIER.match(line[:-1]) is not None
