"""Product applications: the status machine, its stages and next steps."""

import logging
from datetime import date, datetime

from sqlalchemy.orm import Session

from core_mock.clock import add_business_days
from core_mock.enums import ApplicationStatus as S
from core_mock.enums import EventType, Product
from core_mock.errors import ApiError
from core_mock.models import Application, ApplicationEvent
from core_mock.schemas import ApplicationStatusUpdate
from core_mock.services.outbox import emit_event

logger = logging.getLogger(__name__)

TRANSITIONS: dict[S, frozenset[S]] = {
    S.submitted: frozenset({S.in_review, S.documents_required, S.declined, S.withdrawn}),
    S.in_review: frozenset({S.documents_required, S.approved, S.declined, S.withdrawn}),
    S.documents_required: frozenset({S.documents_required, S.in_review, S.declined, S.withdrawn}),
    S.approved: frozenset({S.completed, S.withdrawn}),
    S.declined: frozenset(),
    S.withdrawn: frozenset(),
    S.completed: frozenset(),
}

# Business days from a status change to the expected decision, per product.
DECISION_DAYS = {Product.personal_loan: 3, Product.credit_card: 2, Product.mortgage: 10}

_STAGES: dict[S, tuple[str, str]] = {
    S.submitted: (
        "Application received",
        "We will start reviewing your application within one business day.",
    ),
    S.in_review: (
        "Underwriting review",
        "An underwriter is reviewing your application; nothing is needed from you.",
    ),
    S.documents_required: (
        "Waiting for documents",
        "Upload the missing documents in online banking or bring them to a branch.",
    ),
    S.declined: (
        "Decision made",
        "We have sent you a letter explaining the decision; you can reapply after 90 days.",
    ),
    S.withdrawn: ("Withdrawn", "Nothing further is needed; you can apply again at any time."),
    S.completed: ("Completed", "All done: the product is now active on your account."),
}
_APPROVED_NEXT_STEP = {
    Product.personal_loan: "Sign your loan agreement in online banking to receive the funds.",
    Product.credit_card: "Your card is on its way and should arrive within 7 to 10 days.",
    Product.mortgage: "Review and sign your mortgage offer with your advisor.",
}
_MORTGAGE_REVIEW = (
    "Valuation and underwriting",
    "We are valuing the property and reviewing your application.",
)


def stage_for(product: Product, status: S) -> tuple[str, str]:
    """(current stage, next step) shown to the customer for a product in a status."""
    if status is S.approved:
        return "Approved", _APPROVED_NEXT_STEP[product]
    if status is S.in_review and product is Product.mortgage:
        return _MORTGAGE_REVIEW
    return _STAGES[status]


def expected_decision_date(product: Product, status: S, today: date) -> date | None:
    """When a decision is expected; ``None`` once the decision has been made."""
    if status in (S.submitted, S.in_review, S.documents_required):
        return add_business_days(today, DECISION_DAYS[product])
    return None


def check_transition(current: S, update: ApplicationStatusUpdate) -> list[str]:
    """Validate a status change; returns the missing-documents list to store."""
    if update.status not in TRANSITIONS[current]:
        raise ApiError(
            409,
            "invalid_status_transition",
            f"An application that is {current.value} cannot become {update.status.value}.",
        )
    documents = [str(doc) for doc in update.missing_documents or []]
    if update.status is S.documents_required and not documents:
        raise ApiError(
            422, "invalid_request", "documents_required needs a non-empty missing_documents list."
        )
    if update.status is not S.documents_required and documents:
        raise ApiError(
            422, "invalid_request", "missing_documents is only allowed with documents_required."
        )
    return documents


def change_status(
    session: Session, application: Application, update: ApplicationStatusUpdate, now: datetime
) -> Application:
    """Move an application to a new status, extend its timeline and emit a feed event."""
    product, previous = Product(application.product), S(application.status)
    documents = check_transition(previous, update)
    stage, next_step = stage_for(product, update.status)
    application.status = update.status.value
    application.current_stage = stage
    application.next_step = next_step
    application.missing_documents = documents
    application.expected_decision_date = expected_decision_date(product, update.status, now.date())
    application.updated_at = now
    step = ApplicationEvent(
        status=update.status.value, stage=stage, note=update.note, occurred_at=now
    )
    application.timeline.append(step)
    payload = {
        "reference": application.reference,
        "product": product.value,
        "old_status": previous.value,
        "new_status": update.status.value,
    }
    kind = EventType.application_status_changed
    emit_event(
        session,
        customer_id=application.customer_id,
        account_id=None,
        event_type=kind,
        payload=payload,
        now=now,
    )
    logger.info(
        "core_mock.application.status_changed reference=%s status=%s",
        application.reference,
        update.status.value,
    )
    return application
