"""Shared fixtures."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from support.engine import LibreOfficeEngine, find_soffice


@pytest.fixture(scope="session")
def soffice() -> str:
    """Path of LibreOffice; skips when absent, fails instead when KINERJA_REQUIRE_SOFFICE=1 (CI)."""
    path = find_soffice()
    if path is None:
        reason = (
            "LibreOffice (soffice) tidak terpasang: "
            "pasang dengan apt-get install libreoffice-calc-nogui"
        )
        if os.environ.get("KINERJA_REQUIRE_SOFFICE") == "1":
            pytest.fail(f"{reason} (KINERJA_REQUIRE_SOFFICE=1 mewajibkannya)")
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def lo_engine(soffice: str) -> Iterator[LibreOfficeEngine]:
    """One LibreOffice engine (one private profile) shared by the whole session."""
    with LibreOfficeEngine(soffice=soffice) as engine:
        yield engine
