"""Rasa's SQL tracker store with connections checked before use (bot/endpoints.production.yml).

Rasa 3.6 builds its engine without ``pool_pre_ping``. After PostgreSQL restarts (or a
failover drops the connections) the first ``retrieve`` on a dead pooled connection fails,
and Rasa's ``FailSafeTrackerStore`` then answers that message from an *empty* tracker and
stores nothing: the conversation loses the message and the bot its context. Pinging each
connection as it leaves the pool replaces dead ones before they are used.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class PingingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` (same settings) whose pool replaces dead connections."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unpinged: sa.engine.Engine = self.engine  # type: ignore[has-type]
        url = unpinged.url
        unpinged.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
