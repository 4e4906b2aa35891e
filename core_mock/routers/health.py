"""Unauthenticated liveness probe (never faulted)."""

from fastapi import APIRouter

from core_mock.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health, summary="Liveness probe")
def health() -> Health:
    return Health(status="ok")
