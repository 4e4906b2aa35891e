"""A fake Rasa server (real HTTP on a free port) and a desk opened over HTTP, for the desk tests.

The fake records every POST of tracker events (path, query and body) and serves
trackers the tests fill; ``stop()`` makes it unreachable and ``start()`` brings it back
on the same port.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import httpx
import uvicorn
from fastapi import FastAPI, Request

from connectors.agent_desk.app import create_app
from connectors.agent_desk.sessions import CSRF_HEADER
from connectors.agent_desk.settings import Settings, load_settings
from scripts.stack import free_port

SERVICE_TOKEN = "service-token-0123456789"
SESSION_SECRET = "session-secret-0123456789abcdef0123456789"
AGENT_PASSWORD = "correct horse battery"
DESK_URL = "http://desk.test"


@dataclass
class Posted:
    conversation_id: str
    params: dict[str, str]
    events: list[dict[str, Any]]


@dataclass
class FakeRasa:
    port: int = field(default_factory=free_port)
    posted: list[Posted] = field(default_factory=list)
    trackers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    tracker_params: list[dict[str, str]] = field(default_factory=list)
    _server: uvicorn.Server | None = None
    _task: asyncio.Task | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def customer_says(self, conversation_id: str, text: str, at: float | None = None) -> dict:
        event = {
            "event": "user",
            "text": text,
            "timestamp": time.time() if at is None else at,
            "message_id": f"m{len(self.trackers.get(conversation_id, []))}-{time.time_ns()}",
            "parse_data": {"intent": {"name": "inform"}},
        }
        self.trackers.setdefault(conversation_id, []).append(event)
        return event

    def app(self) -> FastAPI:
        app = FastAPI()

        @app.post("/conversations/{conversation_id}/tracker/events")
        async def events(conversation_id: str, request: Request) -> dict:
            body = await request.json()
            self.posted.append(Posted(conversation_id, dict(request.query_params), body))
            self.trackers.setdefault(conversation_id, []).extend(body)
            return {"sender_id": conversation_id, "events": self.trackers[conversation_id]}

        @app.get("/conversations/{conversation_id}/tracker")
        async def tracker(conversation_id: str, request: Request) -> dict:
            self.tracker_params.append(dict(request.query_params))
            return {"sender_id": conversation_id, "events": self.trackers.get(conversation_id, [])}

        return app

    async def start(self) -> None:
        config = uvicorn.Config(
            self.app(), host="127.0.0.1", port=self.port, log_level="warning", lifespan="off"
        )
        self._server = uvicorn.Server(config)
        self._task = asyncio.create_task(self._server.serve())
        while not self._server.started:
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
            self._server = self._task = None


def desk_settings(database_url: str, rasa_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "service_token": SERVICE_TOKEN,
        "session_secret": SESSION_SECRET,
        "rasa_url": rasa_url,
        "rasa_api_token": "rasa-secret",
        "demo_agents": True,
        "demo_agent_password": AGENT_PASSWORD,
        "rasa_timeout_seconds": 2.0,
        **overrides,
    }
    return load_settings(**values)


@dataclass
class Desk:
    """A running desk app (lifespan entered) and clients for it over HTTP (ASGI)."""

    app: FastAPI
    service: httpx.AsyncClient
    _clients: list[httpx.AsyncClient] = field(default_factory=list)

    def client(self) -> httpx.AsyncClient:
        client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app),
            base_url=DESK_URL,
            headers={CSRF_HEADER: "1"},
        )
        self._clients.append(client)
        return client

    async def agent(
        self, agent_id: str = "ava", password: str = AGENT_PASSWORD
    ) -> httpx.AsyncClient:
        client = self.client()
        response = await client.post(
            "/desk/api/session", json={"agent_id": agent_id, "password": password}
        )
        assert response.status_code == 200, response.text
        return client

    async def open_ticket(self, **fields: Any) -> httpx.Response:
        return await self.service.post("/api/tickets", json=ticket_request(**fields))

    async def close_clients(self) -> None:
        for client in self._clients:
            await client.aclose()


def ticket_request(**fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "conversation_id": "web-3f2a000000000000000000aa",
        "channel": "bank_web",
        "customer_id": "CUST-0001",
        "reason": "customer_request",
        "priority": 30,
        "language": "en",
        "context": {
            "customer": {
                "name": "Alice Morgan",
                "preferred_name": "Ali",
                "segment": "retail",
                "products": [
                    {"type": "checking", "name": "Everyday Checking", "masked_number": "****1234"}
                ],
            },
            "transcript": [
                {"sender": "customer", "text": "what's my balance", "timestamp": 1764360000.1},
                {"sender": "bot", "text": "Your checking account has $4,612.40."},
                {"sender": "customer", "text": "I want to talk to a person"},
            ],
            "intents": [{"intent": "request_human", "confidence": 0.97, "entities": []}],
            "sentiment": [{"label": "neutral", "score": 0.0}],
            "bot_actions": ["action_check_balance", "action_hand_over"],
            "summary": "Asked for a person after a balance question.",
        },
    }
    body.update(fields)
    return body


@asynccontextmanager
async def running_desk(settings: Settings, **options: Any) -> AsyncIterator[Desk]:
    """Start the desk app's lifespan, yield clients; a second call on the same database is
    a restart."""
    app = create_app(settings, **options)
    async with app.router.lifespan_context(app):
        service = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url=DESK_URL,
            headers={"Authorization": f"Bearer {SERVICE_TOKEN}"},
        )
        desk = Desk(app, service, [service])
        try:
            yield desk
        finally:
            await desk.close_clients()
