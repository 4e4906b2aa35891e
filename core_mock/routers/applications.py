"""Product applications: status, stage, next step and timeline."""

from fastapi import APIRouter
from sqlalchemy import select

from core_mock.deps import NowDep, SessionDep
from core_mock.models import Application
from core_mock.presenters import application_public
from core_mock.schemas import ApplicationList, ApplicationPublic, ApplicationStatusUpdate
from core_mock.services.applications import change_status
from core_mock.services.lookups import get_application, get_customer

router = APIRouter(prefix="/v1/customers/{customer_id}/applications", tags=["applications"])


@router.get("", response_model=ApplicationList, summary="List a customer's applications")
def list_applications(customer_id: str, session: SessionDep) -> ApplicationList:
    get_customer(session, customer_id)
    query = (
        select(Application)
        .where(Application.customer_id == customer_id)
        .order_by(Application.submitted_at.desc(), Application.reference)
    )
    rows = session.execute(query).scalars().all()
    return ApplicationList(applications=[application_public(row) for row in rows])


@router.get("/{reference}", response_model=ApplicationPublic, summary="Get one application")
def read_application(customer_id: str, reference: str, session: SessionDep) -> ApplicationPublic:
    return application_public(get_application(session, customer_id, reference))


@router.post(
    "/{reference}/status",
    response_model=ApplicationPublic,
    summary="Change an application's status",
)
def update_application_status(
    customer_id: str,
    reference: str,
    body: ApplicationStatusUpdate,
    session: SessionDep,
    now: NowDep,
) -> ApplicationPublic:
    application = get_application(session, customer_id, reference, for_update=True)
    return application_public(change_status(session, application, body, now))
