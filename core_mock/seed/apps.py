"""Product applications of the seed, with timelines that follow the status machine."""

import random
from datetime import date, datetime, timedelta
from typing import Any

from core_mock.enums import ApplicationStatus, Product
from core_mock.seed import catalog
from core_mock.services.applications import expected_decision_date, stage_for

STATUS_PATHS = {
    "submitted": ("submitted",),
    "in_review": ("submitted", "in_review"),
    "documents_required": ("submitted", "in_review", "documents_required"),
    "approved": ("submitted", "in_review", "approved"),
    "declined": ("submitted", "in_review", "declined"),
    "withdrawn": ("submitted", "withdrawn"),
    "completed": ("submitted", "in_review", "approved", "completed"),
}
NOTES = {
    "submitted": "Applied online",
    "in_review": "Assigned to an underwriter",
    "documents_required": "Supporting documents needed",
    "approved": "Approved",
    "declined": "Declined after credit assessment",
    "withdrawn": "Withdrawn at the customer's request",
    "completed": "Product opened",
}
_PRODUCTS = (("personal_loan", 0.45), ("credit_card", 0.35), ("mortgage", 0.2))
_STATUSES = tuple(STATUS_PATHS)


def _amount(rng: random.Random, product: str) -> int | None:
    if product == "personal_loan":
        return rng.randint(4, 50) * 500_00
    if product == "mortgage":
        return rng.randint(30, 140) * 5000_00
    return None


def _step_times(rng: random.Random, end: datetime, count: int) -> list[datetime]:
    """Times of ``count`` steps, oldest first, one to three days apart, ending before ``end``."""
    moment = end - timedelta(days=rng.randint(1, 4), hours=rng.randint(1, 12))
    moments = []
    for _ in range(count):
        moments.append(moment)
        moment -= timedelta(days=rng.randint(1, 3), hours=rng.randint(0, 12))
    return moments[::-1]


def build_application(
    rng: random.Random,
    spec: tuple,
    end: datetime,
    as_of: date,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """An application row and its timeline rows; the last step is a few days before ``end``."""
    reference, customer_id, product, amount, path, notes, missing = spec
    moments = _step_times(rng, end, len(path))
    product_enum, status = Product(product), ApplicationStatus(path[-1])
    stage, next_step = stage_for(product_enum, status)
    timeline = [
        {
            "reference": reference,
            "status": step,
            "stage": stage_for(product_enum, ApplicationStatus(step))[0],
            "note": note,
            "occurred_at": at,
        }
        for step, note, at in zip(path, notes, moments, strict=False)
    ]
    application = {
        "reference": reference,
        "customer_id": customer_id,
        "product": product,
        "amount_minor": amount,
        "currency": None if amount is None else "USD",
        "status": status.value,
        "current_stage": stage,
        "next_step": next_step,
        "missing_documents": list(missing),
        "expected_decision_date": expected_decision_date(product_enum, status, as_of),
        "submitted_at": moments[0],
        "updated_at": moments[-1],
    }
    return application, timeline


def random_application_spec(rng: random.Random, reference: str, customer_id: str) -> tuple:
    product = rng.choices([p for p, _ in _PRODUCTS], weights=[w for _, w in _PRODUCTS])[0]
    status = rng.choice(_STATUSES)
    path = STATUS_PATHS[status]
    missing = (rng.choice(catalog.MISSING_DOCUMENTS),) if status == "documents_required" else ()
    return (
        reference,
        customer_id,
        product,
        _amount(rng, product),
        path,
        tuple(NOTES[s] for s in path),
        missing,
    )
