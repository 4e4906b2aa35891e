"""Money movements of the seed: salaries, bills, card spending, transfers, interest."""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from core_mock.enums import TransactionCategory as C
from core_mock.seed import catalog
from core_mock.seed.plans import CustomerPlan

PENDING_WINDOW = timedelta(days=2)


@dataclass(frozen=True)
class Window:
    start: datetime
    end: datetime

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def days(self) -> list[date]:
        count = (self.end - self.start).days
        return [(self.start + timedelta(days=offset)).date() for offset in range(count)]

    def month_days(self, day_of_month: int) -> list[date]:
        """That day of every calendar month touching the window (clipped to month length)."""
        result, year, month = [], self.start.year, self.start.month
        while (year, month) <= (self.end.year, self.end.month):
            result.append(date(year, month, min(day_of_month, 28)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return result


@dataclass
class Ledger:
    """Collects transaction rows; purchases in the last two days stay pending."""

    rng: random.Random
    window: Window
    rows: list[dict[str, Any]] = field(default_factory=list)
    _ids: set[str] = field(default_factory=set)

    def _new_id(self) -> str:
        while True:
            candidate = f"TXN-{self.rng.getrandbits(64):016X}"
            if candidate not in self._ids:
                self._ids.add(candidate)
                return candidate

    def add(
        self,
        account: dict,
        merchant: str,
        category: C,
        amount: int,
        at: datetime,
        *,
        instant: bool = False,
    ) -> dict:
        pending = not instant and at >= self.window.end - PENDING_WINDOW
        booked = at if instant else at + timedelta(hours=self.rng.randint(6, 36))
        row = {
            "id": self._new_id(),
            "account_id": account["id"],
            "merchant": merchant,
            "category": category.value,
            "amount_minor": amount,
            "currency": account["currency"],
            "status": "pending" if pending else "posted",
            "description": None,
            "created_at": at,
            "booked_at": None if pending else booked,
        }
        self.rows.append(row)
        return row

    def at(self, day: date, hour: int | None = None) -> datetime:
        hour = self.rng.randint(7, 21) if hour is None else hour
        return datetime.combine(
            day, datetime.min.time(), tzinfo=self.window.start.tzinfo
        ) + timedelta(hours=hour, minutes=self.rng.randint(0, 59), seconds=self.rng.randint(0, 59))


def _payday(day: date) -> date:
    while day.weekday() >= 5:
        day -= timedelta(days=1)
    return day


def spending_scale(income: int) -> int:
    """Percent applied to purchase amounts: students spend less than premier customers."""
    return max(30, min(150, income * 100 // 5000_00))


def spend(
    ledger: Ledger, account: dict, mix: dict[C, float], merchants: dict, scale: int = 100
) -> list[dict]:
    """Random purchases at a monthly frequency per category, amounts scaled by ``scale`` %."""
    rows = []
    for day in ledger.window.days():
        for category, per_month in mix.items():
            if ledger.rng.random() < per_month / 30:
                merchant, low, high = ledger.rng.choice(merchants[category])
                amount = -max(100, ledger.rng.randint(low * 100, high * 100) * scale // 100)
                rows.append(ledger.add(account, merchant, category, amount, ledger.at(day)))
    return rows


def monthly(ledger: Ledger, day_of_month: int, hour: int = 6) -> list[datetime]:
    moments = [ledger.at(day, hour) for day in ledger.window.month_days(day_of_month)]
    return [moment for moment in moments if ledger.window.contains(moment)]


def card_ledger(ledger: Ledger, plan: CustomerPlan, card: dict, checking: dict | None) -> None:
    """Card purchases, monthly payments of last month's purchases, the balance brought forward."""
    mix = catalog.LIGHT_CARD_MIX if plan.card_owed else catalog.CREDIT_CARD_MIX
    purchases = spend(ledger, card, mix, catalog.SPENDING_USD, spending_scale(plan.income))
    posted = sum(row["amount_minor"] for row in purchases if row["status"] == "posted")
    for moment in monthly(ledger, 28, hour=9):
        month_start = moment.replace(day=1, hour=0, minute=0, second=0)
        previous_start = (month_start - timedelta(days=1)).replace(day=1)
        due = -sum(
            row["amount_minor"]
            for row in purchases
            if previous_start <= row["created_at"] < month_start
        )
        if due <= 0:
            continue
        ledger.add(card, "Payment - thank you", C.card_payment, due, moment, instant=True)
        posted += due
        if checking is not None:
            ledger.add(
                checking, f"{card['nickname']} payment", C.card_payment, -due, moment, instant=True
            )
    limit = card["credit_limit_minor"]
    if plan.card_owed is not None:
        target = plan.card_owed
    elif plan.card_style == "carry":
        target = ledger.rng.randint(limit // 5, limit * 3 // 5)
    else:
        target = ledger.rng.randint(0, limit // 10)
    opening = -target - posted
    if opening:
        ledger.add(
            card, "Previous statement balance", C.other, opening, ledger.window.start, instant=True
        )


def _income(ledger: Ledger, plan: CustomerPlan, checking: dict) -> list[dict]:
    """Monthly pay on the 25th (or the Friday before); returns the salary rows."""
    salaries = []
    business = plan.customer["segment"] == "small_business"
    for moment in monthly(ledger, 25, hour=5):
        payday = ledger.at(_payday(moment.date()), 5)
        if not ledger.window.contains(payday):
            continue
        if business:
            ledger.add(checking, "Client payment", C.transfer, plan.income, payday, instant=True)
        else:
            payroll = f"{plan.employer} Payroll"
            salaries.append(
                ledger.add(checking, payroll, C.salary, plan.income, payday, instant=True)
            )
    return salaries


def _bills(ledger: Ledger, plan: CustomerPlan, checking: dict) -> None:
    rng = ledger.rng
    top = 25 if plan.customer["segment"] == "student" else 33
    housing = plan.income * rng.randint(15, top) // 100
    for moment in monthly(ledger, 1):
        payee = rng.choice(("Oakwood Property Mgmt", "Harbor Home Loans"))
        ledger.add(checking, payee, C.housing, -housing, moment, instant=True)
    for moment in monthly(ledger, 3) + monthly(ledger, 12):
        payee = rng.choice(("City Power & Light", "Bluewave Internet"))
        amount = -rng.randint(4000, 14000)
        ledger.add(checking, payee, C.utilities, amount, moment, instant=True)


def _savings_transfers(ledger: Ledger, plan: CustomerPlan, checking: dict, savings: dict) -> None:
    saved = plan.income * ledger.rng.randint(5, 15) // 100
    for moment in monthly(ledger, 26, hour=8):
        payee = f"Transfer to {savings['nickname']}"
        ledger.add(checking, payee, C.transfer, -saved, moment, instant=True)
        ledger.add(savings, "Transfer from checking", C.transfer, saved, moment, instant=True)


def checking_ledger(
    ledger: Ledger, plan: CustomerPlan, checking: dict, savings: dict | None
) -> list[dict]:
    """Salary, rent, bills, savings transfers and debit-card spending; returns salary rows."""
    opening = plan.income * ledger.rng.randint(40, 160) // 100
    start = ledger.window.start
    ledger.add(checking, "Balance brought forward", C.transfer, opening, start, instant=True)
    salaries = _income(ledger, plan, checking)
    _bills(ledger, plan, checking)
    if savings is not None:
        _savings_transfers(ledger, plan, checking, savings)
    scale = spending_scale(plan.income)
    spend(ledger, checking, catalog.DEBIT_CARD_MIX, catalog.SPENDING_USD, scale)
    return salaries


def savings_ledger(ledger: Ledger, plan: CustomerPlan, savings: dict) -> None:
    opening = plan.income * ledger.rng.randint(50, 1200) // 100
    ledger.add(
        savings, "Balance brought forward", C.transfer, opening, ledger.window.start, instant=True
    )
    interest = max(1, opening * 35 // 12_000)
    for moment in monthly(ledger, 28, hour=23):
        ledger.add(savings, "Interest", C.interest, interest, moment, instant=True)


def euro_ledger(ledger: Ledger, account: dict) -> None:
    ledger.add(
        account,
        "Balance brought forward",
        C.transfer,
        ledger.rng.randint(2000, 6000) * 100,
        ledger.window.start,
        instant=True,
    )
    for moment in monthly(ledger, 5, hour=7):
        ledger.add(account, "Alquiler Calle Mayor 12", C.transfer, 900_00, moment, instant=True)
    spend(ledger, account, catalog.EURO_MIX, catalog.SPENDING_EUR)


def customer_ledger(ledger: Ledger, plan: CustomerPlan) -> list[dict]:
    """All movements of one customer; returns the salary rows (for the event feed)."""
    checking, savings, card, euro = (
        plan.account(role) for role in ("primary", "savings", "card", "euro")
    )
    salaries = checking_ledger(ledger, plan, checking, savings) if checking else []
    if savings is not None:
        savings_ledger(ledger, plan, savings)
    if card is not None:
        card_ledger(ledger, plan, card, checking)
    if euro is not None:
        euro_ledger(ledger, euro)
    return salaries
