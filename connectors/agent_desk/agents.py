"""Desk agents: who may sign in, with scrypt password hashes (per-agent salt).

Signing out bumps the agent's ``session_epoch``, which every session token carries,
so a copied cookie stops working too. Logs name agent ids only.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import re
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, select, update
from sqlalchemy.engine import Engine

from connectors.handoff.records import utc_now
from sqlstore import UTCDateTime, create_engine, ensure_sqlite_directory

logger = logging.getLogger(__name__)

AGENT_ID = re.compile(r"[a-z][a-z0-9._-]{1,63}")
MIN_PASSWORD = 8
_SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32, "maxmem": 64 * 1024 * 1024}
DEMO_AGENTS = (("ava", "Ava"), ("sam", "Sam"))

metadata = MetaData()

agents = Table(
    "desk_agents",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("display_name", String(80), nullable=False),
    Column("password_salt", String(64), nullable=False),
    Column("password_hash", String(128), nullable=False),
    Column("session_epoch", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime, nullable=False),
)


@dataclass(frozen=True)
class Agent:
    id: str
    display_name: str
    session_epoch: int


def hash_password(password: str, salt: bytes) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, **_SCRYPT)


def check_new_agent(agent_id: str, display_name: str, password: str) -> None:
    if not AGENT_ID.fullmatch(agent_id):
        raise ValueError(
            "agent_id must be 2-64 lowercase letters, digits, ._- starting with a letter"
        )
    if not display_name.strip() or len(display_name) > 80:
        raise ValueError("display_name must be 1-80 characters")
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"password must be at least {MIN_PASSWORD} characters")


class AgentStore:
    """Agents in the desk's database (the same one as the tickets)."""

    def __init__(self, database_url: str) -> None:
        self._engine: Engine = create_engine(database_url)
        self._ready = False
        self._decoy_salt = secrets.token_bytes(16)

    def dispose(self) -> None:
        self._engine.dispose()

    async def save(self, agent_id: str, display_name: str, password: str) -> Agent:
        """Create the agent, or reset its name and password (which signs it out everywhere)."""
        check_new_agent(agent_id, display_name, password)
        salt = secrets.token_bytes(16)
        digest = await asyncio.to_thread(hash_password, password, salt)
        values: dict[str, Any] = {
            "display_name": display_name.strip(),
            "password_salt": salt.hex(),
            "password_hash": digest.hex(),
        }

        def work() -> Agent:
            with self._begin() as connection:
                row = connection.execute(
                    select(agents.c.session_epoch).where(agents.c.id == agent_id)
                ).first()
                if row is None:
                    connection.execute(
                        agents.insert().values(
                            id=agent_id, session_epoch=0, created_at=utc_now(), **values
                        )
                    )
                    return Agent(agent_id, values["display_name"], 0)
                epoch = row.session_epoch + 1
                connection.execute(
                    update(agents)
                    .where(agents.c.id == agent_id)
                    .values(session_epoch=epoch, **values)
                )
                return Agent(agent_id, values["display_name"], epoch)

        agent = await asyncio.to_thread(work)
        logger.info("desk.agent.saved agent_id=%s", agent_id)
        return agent

    async def authenticate(self, agent_id: str, password: str) -> Agent | None:
        """The agent when the password matches; ``None`` otherwise, in about the same time
        whether or not the agent exists."""
        agent = await self._check(agent_id, password)
        if agent is None:
            logger.info("desk.agent.sign_in_refused")
        else:
            logger.info("desk.agent.signed_in agent_id=%s", agent_id)
        return agent

    async def ensure(self, agent_id: str, display_name: str, password: str) -> None:
        """Create the agent, or reset it when its password differs (sessions stay valid
        when nothing changed)."""
        if await self._check(agent_id, password) is None:
            await self.save(agent_id, display_name, password)

    async def _check(self, agent_id: str, password: str) -> Agent | None:
        row = await asyncio.to_thread(self._row, agent_id) if AGENT_ID.fullmatch(agent_id) else None
        salt = bytes.fromhex(row["password_salt"]) if row else self._decoy_salt
        digest = await asyncio.to_thread(hash_password, password, salt)
        expected = bytes.fromhex(row["password_hash"]) if row else secrets.token_bytes(32)
        if row is None or not hmac.compare_digest(digest, expected):
            return None
        return Agent(row["id"], row["display_name"], row["session_epoch"])

    async def get(self, agent_id: str) -> Agent | None:
        row = await asyncio.to_thread(self._row, agent_id)
        return None if row is None else Agent(row["id"], row["display_name"], row["session_epoch"])

    async def names(self, agent_ids: set[str]) -> dict[str, str]:
        """Display names by agent id (for the queue's "claimed by")."""
        if not agent_ids:
            return {}

        def work() -> dict[str, str]:
            with self._begin() as connection:
                statement = select(agents.c.id, agents.c.display_name).where(
                    agents.c.id.in_(sorted(agent_ids))
                )
                return {row.id: row.display_name for row in connection.execute(statement)}

        return await asyncio.to_thread(work)

    async def sign_out_everywhere(self, agent_id: str) -> None:
        def work() -> None:
            with self._begin() as connection:
                connection.execute(
                    update(agents)
                    .where(agents.c.id == agent_id)
                    .values(session_epoch=agents.c.session_epoch + 1)
                )

        await asyncio.to_thread(work)
        logger.info("desk.agent.signed_out agent_id=%s", agent_id)

    def _row(self, agent_id: str) -> dict[str, Any] | None:
        with self._begin() as connection:
            row = connection.execute(select(agents).where(agents.c.id == agent_id)).first()
            return None if row is None else dict(row._mapping)

    def _begin(self) -> Any:
        if not self._ready:
            ensure_sqlite_directory(self._engine)
            metadata.create_all(self._engine)
            self._ready = True
        return self._engine.begin()


async def ensure_demo_agents(store: AgentStore, password: str) -> None:
    """Create the demo agents ``ava`` and ``sam`` (or reset a changed password); demos only."""
    for agent_id, name in DEMO_AGENTS:
        await store.ensure(agent_id, name, password)
