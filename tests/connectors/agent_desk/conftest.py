"""Fixtures for the agent desk: an empty desk database on each backend, a fake Rasa
server on a free port, and a running desk app (``open_desk`` opens another instance on
the same database: a restart)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from connectors.agent_desk.agents import metadata as agents_metadata
from connectors.handoff import metadata
from tests.connectors.agent_desk.desk_support import Desk, FakeRasa, desk_settings, running_desk
from tests.support import BACKENDS, empty_database_url


@pytest.fixture(params=BACKENDS)
def desk_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = empty_database_url(request, tmp_path, "handoff.sqlite3", metadata)
    if request.param != "sqlite":
        engine = create_engine(url, future=True)
        agents_metadata.drop_all(engine)
        engine.dispose()
    return url


@pytest.fixture
async def fake_rasa() -> AsyncIterator[FakeRasa]:
    rasa = FakeRasa()
    await rasa.start()
    yield rasa
    await rasa.stop()


@pytest.fixture
def open_desk(
    desk_database_url: str, fake_rasa: FakeRasa
) -> Callable[..., AbstractAsyncContextManager[Desk]]:
    """``async with open_desk(**settings) as desk``: the tracker sync is off unless sync=True."""

    def open_one(*, sync: bool = False, **overrides: Any) -> AbstractAsyncContextManager[Desk]:
        clock = overrides.pop("clock", None)
        settings = desk_settings(desk_database_url, fake_rasa.url, **overrides)
        options: dict[str, Any] = {"sync": sync}
        if clock is not None:
            options["clock"] = clock
        return running_desk(settings, **options)

    return open_one


@pytest.fixture
async def desk(open_desk: Callable[..., AbstractAsyncContextManager[Desk]]) -> AsyncIterator[Desk]:
    async with open_desk() as running:
        yield running
