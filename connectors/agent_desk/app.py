"""Application factory: ``create_app(settings)`` builds the agent desk without doing I/O.

The lifespan opens the HTTP client to Rasa, creates the demo agents when asked, and
runs the tracker sync in the background.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path

import httpx
from fastapi import FastAPI
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.requests import Request
from starlette.responses import Response

from connectors.agent_desk import agent_api, service_api
from connectors.agent_desk.agents import AgentStore, ensure_demo_agents
from connectors.agent_desk.errors import install_error_handlers
from connectors.agent_desk.rasa import RasaClient
from connectors.agent_desk.settings import Settings, load_settings
from connectors.agent_desk.sync import run_sync
from connectors.handoff import TicketStore
from connectors.handoff.records import utc_now
from ratelimit import rate_limiter
from ratelimit.asgi import BodySizeLimit

logger = logging.getLogger(__name__)

STATIC = Path(__file__).parent / "static"
_SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    async with httpx.AsyncClient() as client:
        app.state.rasa = RasaClient(
            settings.rasa_url, settings.rasa_api_token, settings.rasa_timeout_seconds, client=client
        )
        if settings.demo_agents:
            await ensure_demo_agents(app.state.agents, settings.demo_agent_password)
        sync = None
        if app.state.sync_enabled:
            sync = asyncio.create_task(
                run_sync(app.state.tickets, app.state.rasa, settings.sync_interval_seconds)
            )
        logger.info("desk.started")
        try:
            yield
        finally:
            if sync is not None:
                sync.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await sync
            app.state.tickets.dispose()
            await app.state.limiter.aclose()
            app.state.agents.dispose()
            logger.info("desk.stopped")


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] = utc_now,
    sync: bool = True,
) -> FastAPI:
    """Build the desk; ``sync=False`` leaves the tracker sync to the caller (tests)."""
    settings = settings or load_settings()
    app = FastAPI(
        title="Agent desk", description=__doc__, lifespan=_lifespan, docs_url=None, redoc_url=None
    )
    app.state.settings = settings
    app.state.clock = clock
    app.state.sync_enabled = sync
    app.state.tickets = TicketStore(settings.database_url, clock=clock)
    app.state.agents = AgentStore(settings.database_url)
    app.state.limiter = rate_limiter(settings.rate_limit_store, prefix="ratelimit:desk")
    install_error_handlers(app)
    app.include_router(service_api.router)
    app.include_router(agent_api.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/health", include_in_schema=False)
    async def health() -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @app.get("/", include_in_schema=False)
    async def desk_page() -> FileResponse:
        return FileResponse(STATIC / "index.html", media_type="text/html")

    @app.middleware("http")
    async def security_headers(request: Request, call_next: Callable) -> Response:
        response: Response = await call_next(request)
        for name, value in _SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response

    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app
