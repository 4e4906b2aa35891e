"""Deterministic dataset builder: the same options always give the same rows."""

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

from core_mock.clock import start_of_day
from core_mock.money import format_amount
from core_mock.seed import catalog
from core_mock.seed.apps import build_application, random_application_spec
from core_mock.seed.ledger import Ledger, Window, customer_ledger
from core_mock.seed.plans import CustomerPlan, demo_plans, random_plan

MAX_CUSTOMERS = 9999  # account ids embed the customer number in four digits
APPLICATION_SHARE = 0.3


def _today() -> date:
    return datetime.now(timezone.utc).date()


@dataclass(frozen=True)
class SeedOptions:
    customers: int = 50
    months: int = 6
    seed: int = 42
    as_of: date = field(default_factory=_today)

    def __post_init__(self) -> None:
        if not 1 <= self.customers <= MAX_CUSTOMERS:
            raise ValueError(f"customers must be between 1 and {MAX_CUSTOMERS}")
        if not 1 <= self.months <= 60:
            raise ValueError("months must be between 1 and 60")


@dataclass
class Dataset:
    customers: list[dict[str, Any]]
    contacts: list[dict[str, Any]]
    accounts: list[dict[str, Any]]
    transactions: list[dict[str, Any]]
    applications: list[dict[str, Any]]
    timeline: list[dict[str, Any]]
    events: list[dict[str, Any]]

    def counts(self) -> dict[str, int]:
        return {name: len(rows) for name, rows in vars(self).items()}


def months_before(moment: datetime, months: int) -> datetime:
    total = moment.year * 12 + moment.month - 1 - months
    return moment.replace(year=total // 12, month=total % 12 + 1, day=min(moment.day, 28))


def _with_balances(
    accounts: list[dict[str, Any]], transactions: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Running balances derived from the movements, so they always agree."""
    ledger: dict[str, int] = defaultdict(int)
    pending: dict[str, int] = defaultdict(int)
    for row in transactions:
        if row["status"] == "posted":
            ledger[row["account_id"]] += row["amount_minor"]
        elif row["amount_minor"] < 0:
            pending[row["account_id"]] -= row["amount_minor"]
    return [
        {**row, "ledger_minor": ledger[row["id"]], "pending_debit_minor": pending[row["id"]]}
        for row in accounts
    ]


def _applications(
    rng: random.Random, plans: list[CustomerPlan], end: datetime, as_of: date
) -> tuple[list, list]:
    present = {plan.customer["id"] for plan in plans}
    specs = [spec for spec in catalog.DEMO_APPLICATIONS if spec[1] in present]
    next_number = 100001 + len(catalog.DEMO_APPLICATIONS)
    for plan in plans[len(catalog.DEMO_CUSTOMERS) :]:
        if rng.random() < APPLICATION_SHARE:
            specs.append(random_application_spec(rng, f"APP-{next_number}", plan.customer["id"]))
            next_number += 1
    applications, timeline = [], []
    for spec in specs:
        application, steps = build_application(rng, spec, end, as_of)
        applications.append(application)
        timeline.extend(steps)
    return applications, timeline


def _event(customer_id: str, account_id: str | None, kind: str, payload: dict, at: Any) -> dict:
    return {
        "customer_id": customer_id,
        "account_id": account_id,
        "type": kind,
        "payload": payload,
        "occurred_at": at,
    }


def _salary_events(salaries: list[dict[str, Any]], accounts: dict[str, dict]) -> list[dict]:
    events = []
    for row in salaries:
        payload = {
            "transaction_id": row["id"],
            "merchant": row["merchant"],
            "category": row["category"],
            "status": row["status"],
            "amount": {
                "amount": format_amount(row["amount_minor"], row["currency"]),
                "currency": row["currency"],
            },
        }
        customer_id = accounts[row["account_id"]]["customer_id"]
        events.append(
            _event(customer_id, row["account_id"], "salary_credited", payload, row["created_at"])
        )
    return events


def _application_events(applications: list[dict], timeline: list[dict]) -> list[dict]:
    owners = {app["reference"]: app for app in applications}
    previous: dict[str, str] = {}
    events = []
    for step in timeline:
        app = owners[step["reference"]]
        if app["reference"] in previous:
            payload = {
                "reference": app["reference"],
                "product": app["product"],
                "old_status": previous[app["reference"]],
                "new_status": step["status"],
            }
            kind = "application_status_changed"
            events.append(_event(app["customer_id"], None, kind, payload, step["occurred_at"]))
        previous[app["reference"]] = step["status"]
    return events


def build_dataset(options: SeedOptions) -> Dataset:
    """Build every row of the seed in memory (pure: no database, no clock)."""
    rng = random.Random(options.seed)  # noqa: S311 - reproducible test data, not cryptography
    end = start_of_day(options.as_of)
    window = Window(start=months_before(end, options.months), end=end)
    plans = demo_plans(rng, window.start)[: options.customers]
    used_emails = {plan.contact["email"] for plan in plans}
    for number in range(len(plans) + 1, options.customers + 1):
        plans.append(random_plan(rng, number, options.as_of, window.start, used_emails))
    ledger = Ledger(rng=rng, window=window)
    salaries = [row for plan in plans for row in customer_ledger(ledger, plan)]
    accounts = _with_balances(
        [account.row for plan in plans for account in plan.accounts], ledger.rows
    )
    applications, timeline = _applications(rng, plans, end, options.as_of)
    by_id = {account["id"]: account for account in accounts}
    return Dataset(
        customers=[plan.customer for plan in plans],
        contacts=[plan.contact for plan in plans],
        accounts=accounts,
        transactions=sorted(
            ledger.rows, key=lambda row: (row["account_id"], row["created_at"], row["id"])
        ),
        applications=applications,
        timeline=timeline,
        events=sorted(
            _salary_events(salaries, by_id) + _application_events(applications, timeline),
            key=lambda event: event["occurred_at"],
        ),
    )


__all__ = ["Dataset", "SeedOptions", "build_dataset", "months_before"]
