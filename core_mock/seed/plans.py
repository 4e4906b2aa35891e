"""Customers, contact details and accounts of the seed (no money movements yet)."""

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from core_mock.seed import catalog


@dataclass
class AccountPlan:
    row: dict[str, Any]
    role: str  # "primary", "savings", "card", "euro"


@dataclass
class CustomerPlan:
    customer: dict[str, Any]
    contact: dict[str, Any]
    accounts: list[AccountPlan]
    income: int
    employer: str
    card_style: str = "full"
    card_owed: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def account(self, role: str) -> dict[str, Any] | None:
        return next((plan.row for plan in self.accounts if plan.role == role), None)


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def _contact(
    rng: random.Random, customer_id: str, email: str, phone: str, city: int, at: datetime
) -> dict[str, Any]:
    name, region, zip_prefix, _ = catalog.CITIES[city]
    return {
        "customer_id": customer_id,
        "email": email,
        "phone": phone,
        "line1": f"{rng.randint(10, 9899)} {rng.choice(catalog.STREETS)}",
        "line2": f"Apt {rng.randint(1, 40)}" if rng.random() < 0.3 else None,
        "city": name,
        "region": region,
        "postal_code": f"{zip_prefix}{rng.randint(0, 99):02d}",
        "country": "US",
        "updated_at": at,
    }


def _account(
    rng: random.Random, customer_no: int, index: int, spec: tuple, opened: datetime
) -> AccountPlan:
    account_type, nickname, currency, limit = spec
    roles = {"savings": "savings", "credit_card": "card"}
    role = roles.get(account_type, "euro" if currency == "EUR" else "primary")
    row = {
        "id": f"ACC-{customer_no:04d}{index:04d}",
        "customer_id": f"CUST-{customer_no:04d}",
        "type": account_type,
        "nickname": nickname,
        "account_number": f"{rng.randint(10**9, 10**10 - 1)}",
        "currency": currency,
        "credit_limit_minor": limit,
        "status": "open",
        "opened_at": opened,
    }
    return AccountPlan(row=row, role=role)


def _accounts(
    rng: random.Random, customer_no: int, specs: tuple, window_start: datetime
) -> list[AccountPlan]:
    plans = []
    for index, spec in enumerate(specs, start=1):
        opened = window_start - timedelta(
            days=rng.randint(40, 3000), seconds=rng.randint(0, 86_399)
        )
        plans.append(_account(rng, customer_no, index, spec, opened))
    return plans


def demo_plans(rng: random.Random, window_start: datetime) -> list[CustomerPlan]:
    plans = []
    for spec in catalog.DEMO_CUSTOMERS:
        number = int(spec.id.split("-")[1])
        created = window_start - timedelta(days=3100 + number)
        customer = {
            "id": spec.id,
            "first_name": spec.first_name,
            "last_name": spec.last_name,
            "preferred_name": spec.preferred_name,
            "language": spec.language,
            "segment": spec.segment,
            "date_of_birth": spec.date_of_birth,
            "created_at": created,
        }
        plans.append(
            CustomerPlan(
                customer=customer,
                contact=_contact(rng, spec.id, spec.email, spec.phone, spec.city, created),
                accounts=_accounts(rng, number, spec.accounts, window_start),
                income=spec.income,
                employer=spec.employer,
                card_style=spec.card_style,
                card_owed=spec.card_owed,
            )
        )
    return plans


_SEGMENTS = (("retail", 0.6), ("premier", 0.15), ("student", 0.15), ("small_business", 0.1))
_INCOME = {
    "retail": (2800, 6500),
    "premier": (8000, 15000),
    "student": (700, 1500),
    "small_business": (5000, 12000),
}
_LIMITS = {
    "retail": (1000, 2500, 5000),
    "premier": (10000, 15000),
    "student": (500, 1000),
    "small_business": (5000, 10000),
}


def _random_account_specs(rng: random.Random, segment: str) -> tuple:
    checking = "Business Checking" if segment == "small_business" else "Everyday Checking"
    specs: list[tuple] = [("checking", checking, "USD", None)]
    if rng.random() < (0.3 if segment == "student" else 0.65):
        specs.append(
            ("savings", rng.choice(("Savings", "Rainy Day Savings", "Holiday Fund")), "USD", None)
        )
    if rng.random() < (0.35 if segment == "student" else 0.6):
        limit = rng.choice(_LIMITS[segment]) * 100
        specs.append(
            ("credit_card", rng.choice(("Cashback Visa", "Rewards Mastercard")), "USD", limit)
        )
    return tuple(specs)


def random_plan(
    rng: random.Random, number: int, as_of: date, window_start: datetime, used: set[str]
) -> CustomerPlan:
    customer_id = f"CUST-{number:04d}"
    spanish = rng.random() < 0.2
    first = rng.choice(catalog.FIRST_NAMES_ES if spanish else catalog.FIRST_NAMES_EN)
    last = rng.choice(catalog.LAST_NAMES_ES if spanish else catalog.LAST_NAMES_EN)
    segment = rng.choices([s for s, _ in _SEGMENTS], weights=[w for _, w in _SEGMENTS])[0]
    age = rng.randint(18, 24) if segment == "student" else rng.randint(25, 78)
    birth = as_of - timedelta(days=age * 365 + rng.randint(0, 364))
    created = window_start - timedelta(days=rng.randint(60, 4000))
    email = f"{_ascii(first)}.{_ascii(last)}@example.com"
    if email in used:
        email = f"{_ascii(first)}.{_ascii(last)}{number}@example.com"
    used.add(email)
    city = rng.randrange(len(catalog.CITIES))
    phone = f"+1{catalog.CITIES[city][3]}555{rng.randint(100, 199):04d}"
    low, high = _INCOME[segment]
    customer = {
        "id": customer_id,
        "first_name": first,
        "last_name": last,
        "preferred_name": catalog.NICKNAMES.get(first, first) if rng.random() < 0.5 else first,
        "language": "es" if spanish else "en",
        "date_of_birth": birth,
        "segment": segment,
        "created_at": created,
    }
    return CustomerPlan(
        customer=customer,
        contact=_contact(rng, customer_id, email, phone, city, created),
        accounts=_accounts(rng, number, _random_account_specs(rng, segment), window_start),
        income=rng.randint(low, high) * 100,
        employer=rng.choice(catalog.EMPLOYERS),
        card_style="carry" if rng.random() < 0.25 else "full",
    )
