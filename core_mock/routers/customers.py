"""GET /v1/customers/{customer_id}."""

from fastapi import APIRouter

from core_mock.deps import SessionDep
from core_mock.presenters import customer_public
from core_mock.schemas import CustomerPublic
from core_mock.services.lookups import get_customer

router = APIRouter(prefix="/v1/customers", tags=["customers"])


@router.get("/{customer_id}", response_model=CustomerPublic, summary="Get a customer's profile")
def read_customer(customer_id: str, session: SessionDep) -> CustomerPublic:
    return customer_public(get_customer(session, customer_id))
