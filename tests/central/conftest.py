"""Fixtures of the central-database tests: one throwaway PostgreSQL cluster per test process,
a fresh database in it per test."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from support.pg_cluster import PgCluster, running_cluster


@pytest.fixture(scope="session")
def pg() -> Iterator[PgCluster]:
    """The cluster; skips when PostgreSQL is absent, fails instead when KINERJA_REQUIRE_POSTGRES=1
    (CI)."""
    with running_cluster() as cluster:
        if cluster is None:
            reason = "PostgreSQL tidak terpasang: pasang dengan apt-get install postgresql"
            if os.environ.get("KINERJA_REQUIRE_POSTGRES") == "1":
                pytest.fail(f"{reason} (KINERJA_REQUIRE_POSTGRES=1 mewajibkannya)")
            pytest.skip(reason)
        yield cluster


@pytest.fixture
def central_db(pg: PgCluster) -> str:
    """The name of a new, empty database in the cluster."""
    return pg.create_database()
