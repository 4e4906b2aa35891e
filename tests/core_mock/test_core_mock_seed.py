"""The deterministic seed: same options, same data; balances agree with movements."""

from collections import defaultdict
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from core_mock.db import create_engine
from core_mock.models import Base
from core_mock.seed import SeedError, SeedOptions, build_dataset, seed_database
from core_mock.seed.__main__ import main as seed_main

AS_OF = date(2026, 11, 28)
DEFAULT = SeedOptions(customers=50, months=6, seed=42, as_of=AS_OF)


@pytest.fixture(scope="module")
def dataset() -> Any:
    return build_dataset(DEFAULT)


def test_same_options_give_identical_data(dataset: Any) -> None:
    assert build_dataset(DEFAULT) == dataset


def test_another_seed_gives_other_data_but_the_same_demo_customers(dataset: Any) -> None:
    other = build_dataset(SeedOptions(customers=50, months=6, seed=43, as_of=AS_OF))
    assert other.transactions != dataset.transactions
    assert other.customers[:4] == dataset.customers[:4]


def test_default_size_is_fifty_customers_with_six_months_of_history(dataset: Any) -> None:
    assert [c["id"] for c in dataset.customers] == [f"CUST-{n:04d}" for n in range(1, 51)]
    first = min(row["created_at"] for row in dataset.transactions)
    last = max(row["created_at"] for row in dataset.transactions)
    assert first.date() == date(2026, 5, 28) and last.date() <= AS_OF
    assert len(dataset.transactions) > 50 * 6 * 15


def test_balances_are_the_sums_of_the_transactions(dataset: Any) -> None:
    posted: dict[str, int] = defaultdict(int)
    pending_debits: dict[str, int] = defaultdict(int)
    for row in dataset.transactions:
        assert row["currency"] == next(
            a["currency"] for a in dataset.accounts if a["id"] == row["account_id"]
        )
        if row["status"] == "posted":
            posted[row["account_id"]] += row["amount_minor"]
            assert row["booked_at"] is not None
        else:
            assert row["booked_at"] is None
            pending_debits[row["account_id"]] -= min(row["amount_minor"], 0)
    for account in dataset.accounts:
        assert account["ledger_minor"] == posted[account["id"]]
        assert account["pending_debit_minor"] == pending_debits[account["id"]]


def test_ids_follow_the_contract_formats(dataset: Any) -> None:
    assert all(
        a["id"].startswith("ACC-") and len(a["id"]) == 12 and a["id"][4:].isdigit()
        for a in dataset.accounts
    )
    assert all(
        app["reference"][:4] == "APP-" and len(app["reference"]) == 10
        for app in dataset.applications
    )
    assert len({row["id"] for row in dataset.transactions}) == len(dataset.transactions)


def test_demo_customers_have_their_documented_products(dataset: Any) -> None:
    accounts = defaultdict(list)
    for account in dataset.accounts:
        accounts[account["customer_id"]].append(
            (account["type"], account["nickname"], account["currency"])
        )
    assert accounts["CUST-0001"] == [
        ("checking", "Everyday Checking", "USD"),
        ("savings", "Rainy Day Savings", "USD"),
        ("credit_card", "Cashback Visa", "USD"),
    ]
    assert [t for t, _, _ in accounts["CUST-0002"]] == ["checking", "checking", "savings"]
    assert {c for _, _, c in accounts["CUST-0002"]} == {"USD", "EUR"}
    assert [t for t, _, _ in accounts["CUST-0003"]] == ["checking", "credit_card"]
    assert accounts["CUST-0004"] == [("checking", "Student Checking", "USD")]
    salaries = [
        r
        for r in dataset.transactions
        if r["account_id"] == "ACC-00010001" and r["category"] == "salary"
    ]
    assert len(salaries) == 6 and {r["amount_minor"] for r in salaries} == {4200_00}


def test_demo_applications(dataset: Any) -> None:
    apps = {app["reference"]: app for app in dataset.applications}
    assert apps["APP-100001"]["customer_id"] == "CUST-0001"
    assert apps["APP-100001"]["status"] == "documents_required"
    assert apps["APP-100001"]["missing_documents"] == ["last 3 months of payslips"]
    assert (apps["APP-100002"]["product"], apps["APP-100002"]["status"]) == (
        "mortgage",
        "in_review",
    )
    assert (apps["APP-100003"]["product"], apps["APP-100003"]["status"]) == (
        "credit_card",
        "approved",
    )
    assert (apps["APP-100004"]["product"], apps["APP-100004"]["status"]) == (
        "personal_loan",
        "declined",
    )
    assert not [app for app in dataset.applications if app["customer_id"] == "CUST-0004"]


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"customers": 0}, "customers"),
        ({"customers": 10_000}, "customers"),
        ({"months": 0}, "months"),
    ],
)
def test_invalid_options_are_refused(changes: dict[str, int], reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        SeedOptions(**changes)


def _dump(url: str) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in Base.metadata.sorted_tables
            }
    finally:
        engine.dispose()


def test_reseeding_a_database_reproduces_it_exactly(database_url: str) -> None:
    options = SeedOptions(customers=12, months=3, seed=5, as_of=AS_OF)
    engine = create_engine(database_url)
    try:
        first_summary = seed_database(engine, options, reset=True)
        first = _dump(database_url)
        seed_database(engine, options, reset=True)
        with pytest.raises(SeedError, match="--reset"):
            seed_database(engine, options)
    finally:
        engine.dispose()
    assert _dump(database_url) == first
    assert (
        first_summary.counts["customers"] == 12
        and len(first["transactions"]) == first_summary.counts["transactions"]
    )


def test_seeded_balances_read_through_the_api_match_the_transactions(client: TestClient) -> None:
    for customer in ("CUST-0001", "CUST-0002", "CUST-0003", "CUST-0004"):
        for account in client.get(f"/v1/customers/{customer}/accounts").json()["accounts"]:
            rows = client.get(
                f"/v1/customers/{customer}/accounts/{account['id']}/transactions",
                params={"limit": 500},
            ).json()["transactions"]
            posted = sum(
                _cents(row["amount"]["amount"]) for row in rows if row["status"] == "posted"
            )
            pending = -sum(
                min(_cents(row["amount"]["amount"]), 0)
                for row in rows
                if row["status"] == "pending"
            )
            ledger, available = (
                _cents(account["ledger_balance"]["amount"]),
                _cents(account["available_balance"]["amount"]),
            )
            if account["type"] == "credit_card":
                limit = _cents(account["credit_limit"]["amount"])
                assert (ledger, available) == (-posted, limit + posted - pending)
            else:
                assert (ledger, available) == (posted, posted - pending)


def test_demo_chen_card_is_highly_utilised(client: TestClient) -> None:
    card = client.get("/v1/customers/CUST-0003/accounts", params={"type": "credit_card"}).json()[
        "accounts"
    ][0]
    owed = _cents(card["ledger_balance"]["amount"])
    assert card["credit_limit"] == {"amount": "5000.00", "currency": "USD"}
    assert 4500_00 <= owed <= 4700_00
    assert _cents(card["available_balance"]["amount"]) <= 5000_00 - owed


def test_seed_command_line(tmp_path: Any, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    args = [
        "--customers",
        "6",
        "--months",
        "1",
        "--seed",
        "3",
        "--as-of",
        "2026-11-28",
        "--database-url",
        url,
    ]
    assert seed_main(args) == 0
    assert "6 customers" in capsys.readouterr().out
    assert seed_main(args) == 1
    assert "--reset" in capsys.readouterr().err
    assert seed_main([*args, "--reset"]) == 0
    assert seed_main(["--customers", "0", "--database-url", url]) == 2


def _cents(amount: str) -> int:
    units, _, cents = amount.lstrip("-").partition(".")
    value = int(units) * 100 + int(cents or 0)
    return -value if amount.startswith("-") else value
