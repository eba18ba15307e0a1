"""Load the xlwings stand-in (tests/support/fake_xlwings) without putting it on sys.path for
everyone.

`fake_xlwings()` returns the module; a test that runs code doing `import xlwings` installs it
with `monkeypatch.setitem(sys.modules, "xlwings", fake_xlwings())`.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

FAKE_DIR = Path(__file__).parent / "fake_xlwings"
_NAME = "kinerja_fake_xlwings"


def fake_xlwings() -> ModuleType:
    if _NAME not in sys.modules:
        spec = importlib.util.spec_from_file_location(_NAME, FAKE_DIR / "xlwings" / "__init__.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[_NAME] = module
        spec.loader.exec_module(module)
    return sys.modules[_NAME]


def install_fake_xlwings(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """Make `import xlwings` give the stand-in for this test, with no actions recorded yet."""
    module = fake_xlwings()
    monkeypatch.setitem(sys.modules, "xlwings", module)
    module.ACTIONS.clear()
    module.ANSWERS.clear()
    module.set_caller(None)
    return module
