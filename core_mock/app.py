"""Application factory: ``create_app(settings)`` builds the FastAPI app without doing I/O."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

import core_mock
from core_mock.clock import Clock, system_clock
from core_mock.db import create_engine, create_session_factory, ensure_sqlite_directory
from core_mock.deps import require_api_key
from core_mock.errors import install_error_handlers
from core_mock.faults import FaultInjectionMiddleware, FaultState
from core_mock.models import Base
from core_mock.routers import (
    accounts,
    admin,
    applications,
    challenges,
    contact,
    customers,
    events,
    health,
    outbox,
    transactions,
)
from core_mock.schemas import ErrorBody
from core_mock.settings import Settings, load_settings
from ratelimit import rate_limiter
from ratelimit.asgi import BodySizeLimit

logger = logging.getLogger(__name__)

PROTECTED_ROUTERS = (
    customers.router,
    accounts.router,
    transactions.router,
    applications.router,
    contact.router,
    challenges.router,
    outbox.router,
    events.router,
    admin.router,
)

ERROR_RESPONSES: dict[int | str, dict] = {
    status: {"model": ErrorBody} for status in (401, 404, 409, 410, 422, 423, 429, 503)
}


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    engine = app.state.engine
    ensure_sqlite_directory(engine)
    Base.metadata.create_all(engine)
    logger.info("core_mock.started dialect=%s", engine.dialect.name)
    try:
        yield
    finally:
        engine.dispose()
        await app.state.limiter.aclose()
        logger.info("core_mock.stopped")


def create_app(settings: Settings | None = None, *, clock: Clock | None = None) -> FastAPI:
    """Build the core-banking mock. Tables are created (if missing) at startup."""
    settings = settings or load_settings()
    app = FastAPI(
        title="Core banking mock",
        version=core_mock.__version__,
        description=(
            "Simulated core-banking system. Every /v1 and /admin route needs an X-API-Key header."
        ),
        lifespan=_lifespan,
    )
    engine = create_engine(settings.database_url)
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = create_session_factory(engine)
    app.state.clock = clock or system_clock
    app.state.faults = FaultState(latency_ms=settings.latency_ms, error_rate=settings.error_rate)
    app.state.limiter = rate_limiter(settings.rate_limit_store, prefix="ratelimit:core_mock")
    install_error_handlers(app)
    app.add_middleware(FaultInjectionMiddleware, faults=app.state.faults)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.include_router(health.router)
    for router in PROTECTED_ROUTERS:
        app.include_router(
            router, dependencies=[Depends(require_api_key)], responses=ERROR_RESPONSES
        )
    return app
