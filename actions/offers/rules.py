"""Eligibility rules for offers and nudges: pure functions of a ``CustomerSnapshot``.

Each rule returns ``Evidence`` when the customer qualifies: human-readable facts,
snake_case reason codes, the names (never the values) of the data fields looked at,
and personalised terms computed from that data with ``Decimal`` arithmetic.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from actions.clients.models import Money
from actions.money import DEFAULT_LOCALE, format_money
from actions.offers.snapshot import CustomerSnapshot

CENT = Decimal("0.01")

# preapproved_personal_loan
LOAN_SALARY_MONTHS_NEEDED = 2  # salary seen in at least 2 of the last 3 calendar months
LOAN_SALARY_MULTIPLE = Decimal(4)
LOAN_MAX = Decimal(25000)
LOAN_MIN = Decimal(1000)
LOAN_STEP = Decimal(500)
LOAN_APR = Decimal("8.9")  # percent, fixed
LOAN_TERM_MONTHS = 36
LOAN_DECLINE_LOOKBACK = timedelta(days=180)
OPEN_APPLICATION_STATUSES = frozenset({"submitted", "in_review", "documents_required"})

# card_balance_transfer
UTILISATION_THRESHOLD = Decimal("0.80")
TRANSFER_FEE_PERCENT = Decimal(3)
TRANSFER_PROMO_MONTHS = 12

# finish_application: the application waits for the customer (documents missing).
WAITING_ON_CUSTOMER = frozenset({"documents_required"})

# savings_plan nudge: month-to-date everyday spending vs the previous 3 months' average.
SPENDING_RATIO = Decimal("1.5")
SPENDING_CATEGORIES = frozenset(
    {"groceries", "dining", "transport", "shopping", "entertainment", "health", "travel"}
    | {"education", "cash", "other"}
)
SAVINGS_SHARE = Decimal("0.10")


@dataclass(frozen=True)
class Evidence:
    facts: tuple[str, ...]
    reasons: tuple[str, ...]
    data_used: tuple[str, ...]
    terms: Mapping[str, Decimal | int | str] = field(default_factory=dict)


@dataclass(frozen=True)
class OfferRule:
    code: str
    kind: str  # "offer" or "nudge"
    description: str  # the rule in words, for "why am I seeing this?"
    eligible: Callable[[CustomerSnapshot, datetime], Evidence | None]


def money_text(amount: Decimal, currency: str) -> str:
    """Money as the English replies show it everywhere else ("$4,612.40", "€20.00")."""
    rounded = amount.quantize(CENT, ROUND_HALF_UP)
    if not currency:
        return f"{rounded:,}"
    return format_money(Money(amount=rounded, currency=currency), DEFAULT_LOCALE)


def month_start(now: datetime, months_back: int = 0) -> datetime:
    """Midnight on the first day of the month ``months_back`` months before ``now``'s."""
    index = now.year * 12 + now.month - 1 - months_back
    return now.replace(
        year=index // 12, month=index % 12 + 1, day=1, hour=0, minute=0, second=0, microsecond=0
    )


def _month_key(moment: datetime) -> tuple[int, int]:
    return moment.year, moment.month


# -- preapproved_personal_loan -----------------------------------------------------------


def monthly_payment(principal: Decimal, apr_percent: Decimal, months: int) -> Decimal:
    """Annuity payment, rounded to the cent: P·r / (1 − (1 + r)^−n), r = APR / 12."""
    rate = apr_percent / Decimal(100) / Decimal(12)
    if rate == 0:
        return (principal / months).quantize(CENT, ROUND_HALF_UP)
    factor = (1 + rate) ** months
    return (principal * rate * factor / (factor - 1)).quantize(CENT, ROUND_HALF_UP)


def _loan_blocked(snapshot: CustomerSnapshot, now: datetime) -> bool:
    for app in snapshot.applications:
        if app.product != "personal_loan":
            continue
        if app.status in OPEN_APPLICATION_STATUSES:
            return True
        if app.status == "declined" and now - app.updated_at <= LOAN_DECLINE_LOOKBACK:
            return True
    return False


def preapproved_personal_loan(snapshot: CustomerSnapshot, now: datetime) -> Evidence | None:
    window_start = month_start(now, 2)
    by_month: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    currencies = set()
    for tx in snapshot.transactions:
        if tx.category == "salary" and tx.amount > 0 and window_start <= tx.created_at <= now:
            by_month[_month_key(tx.created_at)] += tx.amount
            currencies.add(tx.currency)
    if len(by_month) < LOAN_SALARY_MONTHS_NEEDED or len(currencies) != 1:
        return None
    if _loan_blocked(snapshot, now):
        return None
    currency = currencies.pop()
    salary = sum(by_month.values(), Decimal(0)) / len(by_month)
    amount = min(salary * LOAN_SALARY_MULTIPLE, LOAN_MAX)
    amount = (amount / LOAN_STEP).to_integral_value(ROUND_DOWN) * LOAN_STEP
    if amount < LOAN_MIN:
        return None
    payment = monthly_payment(amount, LOAN_APR, LOAN_TERM_MONTHS)
    return Evidence(
        facts=(
            f"a salary of about {money_text(salary, currency)} was paid in "
            f"{len(by_month)} of the last 3 months",
            "you have no open or recently declined personal-loan application",
        ),
        reasons=("regular_salary_credits",),
        data_used=(
            "transactions.category",
            "transactions.amount",
            "transactions.created_at",
            "applications.product",
            "applications.status",
        ),
        terms={
            "amount": amount,
            "currency": currency,
            "apr": LOAN_APR,
            "term_months": LOAN_TERM_MONTHS,
            "monthly_payment": payment,
        },
    )


# -- card_balance_transfer ---------------------------------------------------------------


def card_balance_transfer(snapshot: CustomerSnapshot, now: datetime) -> Evidence | None:
    cards = [
        (a.ledger_balance / a.credit_limit, a)
        for a in snapshot.accounts
        if a.type == "credit_card" and a.credit_limit and a.credit_limit > 0
    ]
    qualifying = [(ratio, card) for ratio, card in cards if ratio >= UTILISATION_THRESHOLD]
    if not qualifying:
        return None
    ratio, card = max(qualifying, key=lambda pair: pair[0])
    assert card.credit_limit is not None
    owed = card.ledger_balance
    percent = (ratio * 100).to_integral_value(ROUND_DOWN)
    fee = (owed * TRANSFER_FEE_PERCENT / 100).quantize(CENT, ROUND_HALF_UP)
    return Evidence(
        facts=(
            f"your credit card balance is {money_text(owed, card.currency)}, "
            f"{percent}% of its {money_text(card.credit_limit, card.currency)} limit",
        ),
        reasons=("high_card_utilisation",),
        data_used=("accounts.type", "accounts.ledger_balance", "accounts.credit_limit"),
        terms={
            "amount": owed,
            "currency": card.currency,
            "utilisation_percent": int(percent),
            "promo_months": TRANSFER_PROMO_MONTHS,
            "fee": fee,
        },
    )


# -- finish_application ------------------------------------------------------------------


def finish_application(snapshot: CustomerSnapshot, now: datetime) -> Evidence | None:
    waiting = [a for a in snapshot.applications if a.status in WAITING_ON_CUSTOMER]
    if not waiting:
        return None
    app = max(waiting, key=lambda a: a.updated_at)
    product = app.product.replace("_", " ")
    documents = app.missing_documents
    return Evidence(
        facts=(
            f"your {product} application {app.reference} has been waiting for "
            f"{documents or 'some'} document(s) from you since {app.updated_at:%d %b %Y}",
        ),
        reasons=("application_incomplete",),
        data_used=(
            "applications.status",
            "applications.missing_documents",
            "applications.updated_at",
        ),
        terms={"reference": app.reference, "product": product, "documents": documents},
    )


# -- savings_plan (nudge) ----------------------------------------------------------------


def _primary_currency(snapshot: CustomerSnapshot) -> str | None:
    checking = [a for a in snapshot.accounts if a.type == "checking"]
    accounts = checking or list(snapshot.accounts)
    return accounts[0].currency if accounts else None


def savings_plan(snapshot: CustomerSnapshot, now: datetime) -> Evidence | None:
    currency = _primary_currency(snapshot)
    spending_accounts = {a.id for a in snapshot.accounts if a.type in ("checking", "credit_card")}
    this_month, history_start = month_start(now), month_start(now, 3)
    totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for tx in snapshot.transactions:
        if (
            tx.account_id in spending_accounts
            and tx.currency == currency
            and tx.category in SPENDING_CATEGORIES
            and tx.amount < 0
            and history_start <= tx.created_at <= now
        ):
            totals[_month_key(tx.created_at)] += -tx.amount
    previous = [totals.get(_month_key(month_start(now, k)), Decimal(0)) for k in (1, 2, 3)]
    if currency is None or not all(previous):
        return None  # needs three full months of history
    average = sum(previous, Decimal(0)) / 3
    current = totals.get(_month_key(this_month), Decimal(0))
    if current < average * SPENDING_RATIO:
        return None
    monthly = (average * SAVINGS_SHARE).to_integral_value(ROUND_DOWN)
    return Evidence(
        facts=(
            f"you have spent {money_text(current, currency)} on everyday purchases this month, "
            f"against an average of {money_text(average, currency)} a month over the last 3",
        ),
        reasons=("spending_above_average",),
        data_used=(
            "transactions.category",
            "transactions.amount",
            "transactions.created_at",
            "accounts.type",
        ),
        terms={"currency": currency, "monthly_amount": monthly, "this_month": current},
    )


# Highest priority first: finishing what the customer started, relieving card debt and
# saving come before new credit.
RULES: tuple[OfferRule, ...] = (
    OfferRule(
        "finish_application",
        "offer",
        "we remind customers when an application they started is waiting for them",
        finish_application,
    ),
    OfferRule(
        "card_balance_transfer",
        "offer",
        "we offer a balance transfer when a credit card is used to 80% or more of its limit",
        card_balance_transfer,
    ),
    OfferRule(
        "savings_plan",
        "nudge",
        "we suggest a savings plan when this month's spending is at least 1.5 times "
        "the average of the last 3 months",
        savings_plan,
    ),
    OfferRule(
        "preapproved_personal_loan",
        "offer",
        "we pre-approve a personal loan when a salary is paid in at least 2 of the "
        "last 3 months; the amount is 4 times that salary, up to 25,000",
        preapproved_personal_loan,
    ),
)
RULES_BY_CODE: dict[str, OfferRule] = {rule.code: rule for rule in RULES}
