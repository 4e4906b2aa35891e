"""The offer engine without I/O: eligibility rules, Decimal terms, suppression order."""

from __future__ import annotations

import dataclasses
import typing
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from actions.offers import rules
from actions.offers.engine import SUPPRESSION_ORDER, ProfileContext, decide
from actions.offers.replies import explanation_text, offer_variables
from actions.offers.snapshot import (
    AccountFacts,
    ApplicationFacts,
    CustomerSnapshot,
    TransactionFacts,
)
from actions.stores.profile_records import Interaction, OfferDecision

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
CID = "CUST-0001"
PROTECTED = {
    "date_of_birth",
    "birth_date",
    "age",
    "gender",
    "sex",
    "nationality",
    "ethnicity",
    "race",
    "religion",
    "marital_status",
    "disability",
    "language",
    "first_name",
    "last_name",
    "preferred_name",
    "postal_address",
}


def checking(balance: str = "1500.00") -> AccountFacts:
    return AccountFacts("ACC-00010001", "checking", "USD", Decimal(balance), None, "open")


def card(owed: str, limit: str = "5000.00") -> AccountFacts:
    return AccountFacts("ACC-00010003", "credit_card", "USD", Decimal(owed), Decimal(limit), "open")


def tx(
    amount: str, category: str, at: datetime, account_id: str = "ACC-00010001"
) -> TransactionFacts:
    return TransactionFacts(account_id, category, Decimal(amount), "USD", "posted", at)


def salaries(*months_back: int, amount: str = "4200.00") -> list[TransactionFacts]:
    return [tx(amount, "salary", payday(k)) for k in months_back]


def payday(months_back: int, day: int = 25) -> datetime:
    return rules.month_start(NOW, months_back) + timedelta(days=day - 1)


def application(
    status: str, product: str = "personal_loan", days_ago: int = 10
) -> ApplicationFacts:
    return ApplicationFacts("APP-100001", product, status, 1, NOW - timedelta(days=days_ago))


def snapshot(accounts=(), transactions=(), applications=()) -> CustomerSnapshot:
    return CustomerSnapshot(CID, tuple(accounts), tuple(transactions), tuple(applications))


def consenting(**kwargs) -> ProfileContext:
    return ProfileContext(consented=True, **kwargs)


def past_decision(code: str, decision: str, days_ago: int) -> OfferDecision:
    return OfferDecision(CID, code, decision, (), (), NOW - timedelta(days=days_ago))


def with_complaint(outcome: str, days_ago: int) -> ProfileContext:
    return consenting(
        interactions=(Interaction(CID, "complaint", outcome, NOW - timedelta(days=days_ago)),)
    )


def with_card_offer(decision: str, days_ago: int) -> ProfileContext:
    return consenting(offer_history=(past_decision("card_balance_transfer", decision, days_ago),))


# -- no protected attributes -----------------------------------------------------------


def _field_names(cls: type, seen: set[type] | None = None) -> set[str]:
    """Field names of a dataclass and of every dataclass reachable from its fields."""
    seen = seen if seen is not None else set()
    if cls in seen or not dataclasses.is_dataclass(cls):
        return set()
    seen.add(cls)
    names = set()
    hints = typing.get_type_hints(cls)
    for field in dataclasses.fields(cls):
        names.add(field.name)
        for arg in typing.get_args(hints[field.name]) or (hints[field.name],):
            names |= _field_names(arg, seen)
    return names


@pytest.mark.parametrize("cls", [CustomerSnapshot, ProfileContext])
def test_engine_inputs_have_no_protected_attributes(cls):
    names = _field_names(cls)
    assert names, "the walk found no fields"
    assert names & PROTECTED == set()


def test_decide_takes_only_the_snapshot_the_profile_context_and_the_time():
    hints = typing.get_type_hints(decide)
    assert hints["snapshot"] is CustomerSnapshot and hints["context"] is ProfileContext


def test_snapshot_walk_reaches_nested_types():
    names = _field_names(CustomerSnapshot)
    assert {"ledger_balance", "category", "missing_documents"} <= names


# -- eligibility rules -----------------------------------------------------------------


def test_salary_in_two_of_three_months_gives_a_preapproved_loan_with_decimal_terms():
    evidence = rules.preapproved_personal_loan(snapshot([checking()], salaries(1, 2)), NOW)
    assert evidence is not None
    assert evidence.terms["amount"] == Decimal("16500")  # 4 × 4,200 = 16,800 → down to 500s
    payment = evidence.terms["monthly_payment"]
    assert isinstance(payment, Decimal) and payment == Decimal("523.93")
    assert "transactions.category" in evidence.data_used
    assert "2 of the last 3 months" in evidence.facts[0]


def test_one_salary_is_not_enough_and_old_salaries_do_not_count():
    assert rules.preapproved_personal_loan(snapshot([checking()], salaries(1)), NOW) is None
    assert rules.preapproved_personal_loan(snapshot([checking()], salaries(3, 4)), NOW) is None


def test_loan_amount_is_capped():
    evidence = rules.preapproved_personal_loan(
        snapshot([checking()], salaries(0, 1, 2, amount="9999.99")), NOW
    )
    assert evidence is not None and evidence.terms["amount"] == rules.LOAN_MAX


@pytest.mark.parametrize(
    "app", [application("documents_required"), application("declined", days_ago=30)]
)
def test_no_loan_offer_with_an_open_or_recently_declined_loan_application(app):
    data = snapshot([checking()], salaries(1, 2), [app])
    assert rules.preapproved_personal_loan(data, NOW) is None


def test_monthly_payment_is_the_annuity_rounded_to_cents():
    assert rules.monthly_payment(Decimal("10000"), Decimal("12"), 12) == Decimal("888.49")
    assert rules.monthly_payment(Decimal("1200"), Decimal("0"), 12) == Decimal("100.00")


def test_card_at_80_percent_gets_a_balance_transfer_offer():
    evidence = rules.card_balance_transfer(snapshot([card("4612.40")]), NOW)
    assert evidence is not None
    assert evidence.terms["utilisation_percent"] == 92
    assert evidence.terms["fee"] == Decimal("138.37")
    assert evidence.terms["amount"] == Decimal("4612.40")
    assert rules.card_balance_transfer(snapshot([card("4000.00")]), NOW) is not None
    assert rules.card_balance_transfer(snapshot([card("3999.99")]), NOW) is None


def test_application_waiting_for_documents_gets_a_follow_up():
    waiting = snapshot(applications=[application("documents_required")])
    evidence = rules.finish_application(waiting, NOW)
    assert evidence is not None and evidence.terms["reference"] == "APP-100001"
    for status in ("submitted", "in_review", "approved", "declined", "completed"):
        assert rules.finish_application(snapshot(applications=[application(status)]), NOW) is None


def _spending(this_month: str, usual: str = "1000.00") -> list[TransactionFacts]:
    past = [tx(f"-{usual}", "shopping", payday(k, day=4)) for k in (1, 2, 3)]
    return [*past, tx(f"-{this_month}", "dining", payday(0, day=3))]


def test_spending_one_and_a_half_times_the_average_prompts_a_savings_plan():
    evidence = rules.savings_plan(snapshot([checking()], _spending("1500.00")), NOW)
    assert evidence is not None
    assert evidence.terms["monthly_amount"] == Decimal("100")
    assert rules.savings_plan(snapshot([checking()], _spending("1499.99")), NOW) is None


def test_transfers_and_card_payments_are_not_spending():
    data = _spending("100.00") + [tx("-5000.00", "transfer", NOW - timedelta(hours=1))]
    assert rules.savings_plan(snapshot([checking()], data), NOW) is None


# -- decide: one offer, suppression in a fixed order -----------------------------------


def eligible_for_everything() -> CustomerSnapshot:
    return snapshot(
        [checking(), card("4800.00")],
        salaries(1, 2) + _spending("2000.00"),
        [application("documents_required", product="credit_card")],
    )


def test_one_best_offer_is_shown_and_the_others_are_suppressed_as_lower_priority():
    outcome = decide(eligible_for_everything(), consenting(), NOW)
    assert outcome.shown is not None and outcome.shown.offer_code == "finish_application"
    by_code = {d.offer_code: d for d in outcome.decisions}
    assert set(by_code) == {
        "finish_application",
        "card_balance_transfer",
        "savings_plan",
        "preapproved_personal_loan",
    }
    assert by_code["finish_application"].reasons == ("application_incomplete",)
    for code in ("card_balance_transfer", "savings_plan", "preapproved_personal_loan"):
        assert by_code[code].decision == "suppressed"
        assert by_code[code].reasons == ("lower_priority",)


def test_nothing_eligible_means_no_decisions():
    outcome = decide(snapshot([checking()]), consenting(), NOW)
    assert outcome.shown is None and outcome.decisions == ()


def test_every_suppression_reason_applies_in_the_fixed_order():
    context = ProfileContext(
        consented=False,
        sentiment="negative",
        negative_turns=2,
        interactions=(Interaction(CID, "complaint", "open", NOW - timedelta(days=3)),),
        offer_history=(
            past_decision("card_balance_transfer", "shown", 2),
            past_decision("card_balance_transfer", "declined", 2),
        ),
    )
    outcome = decide(snapshot([card("4800.00")]), context, NOW)
    assert outcome.shown is None
    (decision,) = outcome.decisions
    assert decision.decision == "suppressed"
    assert decision.reasons == SUPPRESSION_ORDER
    assert "consents.personalised_offers" in decision.data_used
    assert "accounts.credit_limit" in decision.data_used


@pytest.mark.parametrize(
    ("context", "reason"),
    [
        (ProfileContext(consented=False), "no_consent"),
        (consenting(sentiment="negative"), "negative_sentiment"),
        (consenting(sentiment="neutral", negative_turns=1), "negative_sentiment"),
        (with_complaint("open", 29), "open_complaint"),
        (with_card_offer("shown", 13), "cooling_off"),
        (with_card_offer("declined", 89), "declined_before"),
    ],
)
def test_each_suppression_rule_on_its_own(context, reason):
    outcome = decide(snapshot([card("4800.00")]), context, NOW)
    assert outcome.shown is None
    assert outcome.decisions[0].reasons == (reason,)


@pytest.mark.parametrize(
    "context",
    [
        consenting(sentiment="positive", negative_turns=0),
        with_complaint("resolved", 1),
        with_complaint("open", 31),
        with_card_offer("shown", 15),
        with_card_offer("declined", 91),
        consenting(offer_history=(past_decision("savings_plan", "declined", 1),)),
    ],
)
def test_expired_or_unrelated_history_does_not_suppress(context):
    outcome = decide(snapshot([card("4800.00")]), context, NOW)
    assert outcome.shown is not None and outcome.shown.offer_code == "card_balance_transfer"


def test_a_suppressed_top_offer_lets_the_next_one_show():
    context = consenting(offer_history=(past_decision("finish_application", "declined", 5),))
    outcome = decide(eligible_for_everything(), context, NOW)
    assert outcome.shown is not None and outcome.shown.offer_code == "card_balance_transfer"
    assert outcome.decisions[0].reasons == ("declined_before",)


def test_decide_refuses_a_naive_time():
    with pytest.raises(ValueError, match="timezone-aware"):
        decide(snapshot(), consenting(), NOW.replace(tzinfo=None))


# -- replies ---------------------------------------------------------------------------


def test_offer_variables_format_money_with_the_currency():
    evidence = rules.card_balance_transfer(snapshot([card("4612.40")]), NOW)
    assert evidence is not None
    variables = offer_variables(evidence.terms)
    assert variables["amount"] == "$4,612.40"
    assert variables["fee"] == "$138.37"
    assert variables["utilisation_percent"] == "92"


def test_explanation_names_the_facts_the_rule_and_the_data_used():
    evidence = rules.card_balance_transfer(snapshot([card("4612.40")]), NOW)
    rule = rules.RULES_BY_CODE["card_balance_transfer"]
    text = explanation_text(rule, evidence, evidence.data_used if evidence else ())
    assert "92% of its $5,000.00 limit" in text
    assert "80% or more" in text
    assert "your credit limit" in text and "your account balances" in text
    assert "never use your age, gender, nationality" in text
