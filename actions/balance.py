"""Balance flow: ``action_check_balance``.

The action gathers what it needs (who is asking, which accounts, from core banking)
and hands it to pure functions that build the reply, so the wording is unit-testable
without a tracker or a server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.balance_memory import (
    BalanceMemory,
    greeting_name,
    recall,
    remember_account_type,
    remembered_first,
)
from actions.clients.core_banking import CoreBankingClient, shared_core_banking_client
from actions.clients.customer_calls import UnknownCustomer, with_customer
from actions.clients.errors import CoreBankingError, NotFound
from actions.clients.models import Account, Customer
from actions.identity import customer_id_for
from actions.money import DEFAULT_LOCALE, format_money, locale_for
from actions.settings import Settings, get_settings
from actions.stores.profile_store import ProfileStore, shared_profile_store

logger = logging.getLogger(__name__)

ACCOUNT_ID_PATTERN = re.compile(r"ACC-\d{1,32}")
TYPE_ORDER = {"checking": 0, "savings": 1, "credit_card": 2}
ACCOUNT_TYPE_LABELS = {
    "checking": "checking account",
    "savings": "savings account",
    "credit_card": "credit card",
}
UNKNOWN_ACCOUNT_LABEL = "matching account"

UTTER_UNAUTHENTICATED = "utter_balance_unauthenticated"
UTTER_NO_ACCOUNT = "utter_balance_no_account"
UTTER_WHICH_ACCOUNT = "utter_balance_which_account"
UTTER_UNAVAILABLE = "utter_core_banking_unavailable"


@dataclass(frozen=True)
class BalanceRequest:
    customer_id: str | None
    account_type: str | None = None
    account_id: str | None = None


@dataclass(frozen=True)
class Reply:
    """What to say: a domain response (with template variables) or text built here."""

    log_event: str
    response: str | None = None
    text: str | None = None
    buttons: list[dict[str, str]] = field(default_factory=list)
    variables: dict[str, str] = field(default_factory=dict)
    account_count: int = 0  # for the log line
    log_detail: str = ""
    answered_type: str | None = None  # one account type answered: remembered for next time


# -- reading the request from the tracker --------------------------------------------


def balance_request_from(tracker: Tracker, settings: Settings) -> BalanceRequest:
    return BalanceRequest(
        customer_id=customer_id_for(tracker, settings),
        account_type=requested_account_type(tracker),
        account_id=_clean(tracker.get_slot("account_id")),
    )


def requested_account_type(tracker: Tracker) -> str | None:
    """The type named in this message; else, unless this is a fresh "what's my balance",
    the type asked earlier (kept in the ``account_type`` slot, e.g. while choosing)."""
    named = next(tracker.get_latest_entity_values("account_type"), None)
    if _clean(named):
        return normalise_account_type(named)
    intent = (tracker.latest_message or {}).get("intent") or {}
    if intent.get("name") == "check_balance":
        return None
    return normalise_account_type(tracker.get_slot("account_type"))


def normalise_account_type(value: Any) -> str | None:
    text = _clean(value)
    if text is None:
        return None
    return re.sub(r"[\s\-]+", "_", text.lower())


def _clean(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


# -- pure reply builders -------------------------------------------------------------


def account_type_label(account_type: str | None) -> str:
    if not account_type:
        return "account"
    return ACCOUNT_TYPE_LABELS.get(account_type, f"{account_type.replace('_', ' ')} account")


def account_title(account: Account) -> str:
    frozen = " (frozen)" if account.status == "frozen" else ""
    return f"{account.nickname} {account.masked_number}{frozen}"


def describe_account(account: Account, locale: str = DEFAULT_LOCALE) -> str:
    """One line for one account; ledger shown only where it differs from available."""
    if account.type == "credit_card":
        return f"{account_title(account)}: {_describe_credit(account, locale)}"
    available = format_money(account.available_balance, locale)
    if account.available_balance == account.ledger_balance:
        return f"{account_title(account)}: {available} available"
    ledger = format_money(account.ledger_balance, locale)
    return (
        f"{account_title(account)}: {available} available "
        f"(ledger balance {ledger}; the difference is pending transactions)"
    )


def _describe_credit(account: Account, locale: str) -> str:
    owed = account.ledger_balance
    if owed.amount > 0:
        balance = f"you owe {format_money(owed, locale)}"
    elif owed.amount < 0:
        credit = owed.copy(update={"amount": -owed.amount})
        balance = f"you have a credit balance of {format_money(credit, locale)}"
    else:
        balance = "nothing owed"
    available = f"available credit {format_money(account.available_balance, locale)}"
    if account.credit_limit is None:
        return f"{balance}; {available}"
    return f"{balance}; {available} of your {format_money(account.credit_limit, locale)} limit"


def balance_text(
    accounts: Sequence[Account], locale: str = DEFAULT_LOCALE, name: str | None = None
) -> str:
    lines = [describe_account(account, locale) for account in accounts]
    if len(lines) == 1:
        return f"Here you go, {name}: {lines[0]}." if name else f"{lines[0]}."
    heading = f"Here are your balances, {name}:" if name else "Here are your balances:"
    return heading + "\n" + "\n".join(f"- {line}" for line in lines)


def select_account_payload(account_id: str) -> str:
    return "/select_account" + json.dumps({"account_id": account_id}, separators=(",", ":"))


def which_account_buttons(accounts: Sequence[Account]) -> list[dict[str, str]]:
    return [
        {"title": account_title(account), "payload": select_account_payload(account.id)}
        for account in accounts
    ]


def visible_accounts(accounts: Sequence[Account], account_type: str | None) -> list[Account]:
    """Accounts worth showing (not closed), of the asked type, in a stable order."""
    shown = [a for a in accounts if not a.is_closed]
    if account_type:
        shown = [a for a in shown if a.type == account_type]
    return sorted(shown, key=lambda a: (TYPE_ORDER.get(a.type, 9), a.nickname, a.id))


def compose_reply(
    request: BalanceRequest,
    customer: Customer,
    accounts: Sequence[Account],
    memory: BalanceMemory | None = None,
) -> Reply:
    """Decide the answer from what core banking returned for this request.

    With ``memory`` the answer greets the customer by name and, for a plain "my
    balance", lists the account type they asked about last time first.
    """
    if request.account_id:
        shown = visible_accounts(accounts, None)
        if not shown:
            return _refused()
    else:
        shown = visible_accounts(accounts, request.account_type)
        if not shown:
            return not_found_reply(account_type_label(request.account_type))
        if request.account_type and len(shown) > 1:
            return Reply(
                log_event="balance.which_account",
                response=UTTER_WHICH_ACCOUNT,
                buttons=which_account_buttons(shown),
                variables={"account_type_label": account_type_label(request.account_type)},
            )
        if not request.account_type and memory is not None:
            shown = remembered_first(shown, memory.last_account_type)
    name = greeting_name(memory, customer) if memory is not None else None
    return Reply(
        log_event="balance.answered",
        text=balance_text(shown, locale_for(customer.language), name),
        account_count=len(shown),
        answered_type=shown[0].type if len({a.type for a in shown}) == 1 else None,
    )


def not_found_reply(label: str, log_event: str = "balance.no_account") -> Reply:
    return Reply(
        log_event=log_event,
        response=UTTER_NO_ACCOUNT,
        variables={"account_type_label": label},
    )


# -- the action ------------------------------------------------------------------------


class ActionCheckBalance(Action):
    """Answers "what's my balance" for all, one type, or one chosen account."""

    def __init__(
        self,
        client: CoreBankingClient | None = None,
        settings: Settings | None = None,
        store: ProfileStore | None = None,
    ) -> None:
        self._client = client
        self._settings = settings
        self._store = store

    def name(self) -> str:
        return "action_check_balance"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        request = balance_request_from(tracker, self._settings or get_settings())
        reply = await self._reply_for(request)
        _log(reply, request)
        dispatcher.utter_message(
            text=reply.text, response=reply.response, buttons=reply.buttons, **reply.variables
        )
        if request.customer_id and reply.answered_type:
            await remember_account_type(self._profiles(), request.customer_id, reply.answered_type)
        return [SlotSet("account_id", None)]

    def _profiles(self) -> ProfileStore:
        return self._store or shared_profile_store()

    async def _reply_for(self, request: BalanceRequest) -> Reply:
        if request.customer_id is None:
            return Reply(log_event="balance.unauthenticated", response=UTTER_UNAUTHENTICATED)
        if request.account_id and not ACCOUNT_ID_PATTERN.fullmatch(request.account_id):
            return _refused()
        # The profile store is read while core banking answers; recall() never raises.
        remembered = asyncio.ensure_future(recall(self._profiles(), request.customer_id))
        try:
            customer, accounts = await self._fetch(request.customer_id, request.account_id)
        except UnknownCustomer:
            return Reply(log_event="balance.customer_unknown", response=UTTER_UNAUTHENTICATED)
        except NotFound:
            return _refused()
        except CoreBankingError as exc:
            return Reply(
                log_event="balance.core_unavailable",
                response=UTTER_UNAVAILABLE,
                log_detail=f"error={type(exc).__name__}",
            )
        return compose_reply(request, customer, accounts, await remembered)

    async def _fetch(
        self, customer_id: str, account_id: str | None
    ) -> tuple[Customer, list[Account]]:
        """Customer (for the locale) and accounts, fetched concurrently: one deadline."""
        client = self._client or shared_core_banking_client()
        accounts_call = (
            _single(client.get_account(customer_id, account_id))
            if account_id
            else client.list_accounts(customer_id)
        )
        return await with_customer(client, customer_id, accounts_call)


def _refused() -> Reply:
    """The chosen account is not one of this customer's: say "not found", show nothing."""
    return not_found_reply(UNKNOWN_ACCOUNT_LABEL, log_event="balance.account_refused")


async def _single(call: Any) -> list[Account]:
    return [await call]


def _log(reply: Reply, request: BalanceRequest) -> None:
    """Event name and ids only: never balances, account numbers or message text."""
    details = [
        f"customer={request.customer_id or '-'}",
        f"type={request.account_type or '-'}",
    ]
    if reply.account_count:
        details.append(f"accounts={reply.account_count}")
    if reply.log_detail:
        details.append(reply.log_detail)
    level = logging.WARNING if reply.response == UTTER_UNAVAILABLE else logging.INFO
    logger.log(level, "%s %s", reply.log_event, " ".join(details))
