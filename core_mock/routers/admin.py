"""Operator endpoints: runtime fault injection."""

import logging

from fastapi import APIRouter, Request

from core_mock.faults import FaultState
from core_mock.schemas import FaultsPublic, FaultsUpdate

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/admin", tags=["admin"])


def _faults(request: Request) -> FaultState:
    return request.app.state.faults


@router.get(
    "/faults", response_model=FaultsPublic, summary="Current injected latency and error rate"
)
def read_faults(request: Request) -> FaultsPublic:
    faults = _faults(request)
    return FaultsPublic(latency_ms=faults.latency_ms, error_rate=faults.error_rate)


@router.put(
    "/faults", response_model=FaultsPublic, summary="Change injected latency and/or error rate"
)
def update_faults(body: FaultsUpdate, request: Request) -> FaultsPublic:
    """Fields left out keep their current value; ``{"latency_ms": 0, "error_rate": 0}`` heals."""
    faults = _faults(request)
    faults.update(latency_ms=body.latency_ms, error_rate=body.error_rate)
    logger.info(
        "core_mock.faults.updated latency_ms=%s error_rate=%s", faults.latency_ms, faults.error_rate
    )
    return FaultsPublic(latency_ms=faults.latency_ms, error_rate=faults.error_rate)
