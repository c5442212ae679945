"""The workflow services' scenario tests, run again on SQLite and PostgreSQL.

The test functions are imported from the unit tests; the autouse fixture below
switches their Scenario to the SQL unit of work on the ``engine`` fixture's database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from tests import fakes
from tests.storage.sql_scenario import seed
from tests.unit.test_services_aftercare import *  # noqa: F403
from tests.unit.test_services_appraisal import *  # noqa: F403
from tests.unit.test_services_ballots import *  # noqa: F403
from tests.unit.test_services_conflicts import *  # noqa: F403
from tests.unit.test_services_decision import *  # noqa: F403
from tests.unit.test_services_evaluation import *  # noqa: F403
from tests.unit.test_services_intake import *  # noqa: F403
from tests.unit.test_services_notices import *  # noqa: F403
from tests.unit.test_services_refusals import *  # noqa: F403
from tests.unit.test_services_routes import *  # noqa: F403


@pytest.fixture(autouse=True)
async def sql_backend(engine: AsyncEngine, request: pytest.FixtureRequest
                      ) -> AsyncIterator[None]:
    if engine.dialect.name == "sqlite" and request.node.get_closest_marker("interleaved"):
        pytest.skip("SQLite takes the writer's lock at BEGIN: two transactions of one task "
                    "cannot interleave their writes (PostgreSQL runs this)")
    await seed(engine)
    fakes.SQL_ENGINE = engine
    try:
        yield
    finally:
        fakes.SQL_ENGINE = None
