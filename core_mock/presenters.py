"""Pure translations from database rows to API schemas (callable directly in tests)."""

from core_mock.enums import AccountType
from core_mock.models import (
    Account,
    AccountEvent,
    Application,
    Challenge,
    Contact,
    ContactChange,
    Customer,
    Notification,
    Transaction,
)
from core_mock.money import format_amount
from core_mock.schemas import (
    AccountPublic,
    ApplicationPublic,
    ChallengePublic,
    ContactChangePublic,
    ContactPublic,
    CustomerPublic,
    EventPublic,
    MoneyPublic,
    NotificationPublic,
    PostalAddress,
    TimelineEntry,
    TransactionPublic,
)


def money(minor: int, currency: str) -> MoneyPublic:
    return MoneyPublic(amount=format_amount(minor, currency), currency=currency)


def balances(account: Account) -> tuple[int, int]:
    """(ledger, available) in minor units, as the customer sees them.

    Deposit accounts: ledger = sum of posted movements; available = ledger - pending debits.
    Credit cards: ledger = amount owed (positive = owed); available = limit - owed - pending.
    """
    if account.type == AccountType.credit_card.value:
        owed = -account.ledger_minor
        return owed, (account.credit_limit_minor or 0) - owed - account.pending_debit_minor
    return account.ledger_minor, account.ledger_minor - account.pending_debit_minor


def mask_account_number(number: str) -> str:
    return "••••" + number[-4:]


def customer_public(customer: Customer) -> CustomerPublic:
    return CustomerPublic(
        id=customer.id,
        first_name=customer.first_name,
        last_name=customer.last_name,
        preferred_name=customer.preferred_name,
        language=customer.language,
        date_of_birth=customer.date_of_birth,
        segment=customer.segment,
        created_at=customer.created_at,
    )


def account_public(account: Account) -> AccountPublic:
    ledger, available = balances(account)
    limit = account.credit_limit_minor
    return AccountPublic(
        id=account.id,
        customer_id=account.customer_id,
        type=account.type,
        nickname=account.nickname,
        masked_number=mask_account_number(account.account_number),
        currency=account.currency,
        available_balance=money(available, account.currency),
        ledger_balance=money(ledger, account.currency),
        credit_limit=None if limit is None else money(limit, account.currency),
        status=account.status,
        opened_at=account.opened_at,
    )


def transaction_public(transaction: Transaction) -> TransactionPublic:
    return TransactionPublic(
        id=transaction.id,
        account_id=transaction.account_id,
        merchant=transaction.merchant,
        category=transaction.category,
        amount=money(transaction.amount_minor, transaction.currency),
        status=transaction.status,
        booked_at=transaction.booked_at,
        created_at=transaction.created_at,
        description=transaction.description,
    )


def application_public(application: Application) -> ApplicationPublic:
    amount = application.amount_minor
    return ApplicationPublic(
        reference=application.reference,
        customer_id=application.customer_id,
        product=application.product,
        amount_requested=None if amount is None else money(amount, application.currency),
        status=application.status,
        current_stage=application.current_stage,
        next_step=application.next_step,
        missing_documents=list(application.missing_documents or []),
        expected_decision_date=application.expected_decision_date,
        submitted_at=application.submitted_at,
        updated_at=application.updated_at,
        timeline=[
            TimelineEntry(
                status=step.status, stage=step.stage, note=step.note, occurred_at=step.occurred_at
            )
            for step in application.timeline
        ],
    )


def postal_address(contact: Contact) -> PostalAddress:
    return PostalAddress(
        line1=contact.line1,
        line2=contact.line2,
        city=contact.city,
        region=contact.region,
        postal_code=contact.postal_code,
        country=contact.country,
    )


def contact_public(contact: Contact) -> ContactPublic:
    return ContactPublic(
        email=contact.email,
        phone=contact.phone,
        postal_address=postal_address(contact),
        updated_at=contact.updated_at,
    )


def contact_change_public(change: ContactChange) -> ContactChangePublic:
    return ContactChangePublic(
        field=change.field,
        old_value=change.old_value,
        new_value=change.new_value,
        changed_at=change.changed_at,
        challenge_id=change.challenge_id,
        idempotency_key=change.idempotency_key,
    )


def challenge_public(challenge: Challenge) -> ChallengePublic:
    return ChallengePublic(
        id=challenge.id,
        purpose=challenge.purpose,
        channel=challenge.channel,
        sent_to=challenge.sent_to,
        expires_at=challenge.expires_at,
        attempts_remaining=challenge.attempts_remaining,
        verified=challenge.verified_at is not None,
        verified_at=challenge.verified_at,
    )


def notification_public(notification: Notification) -> NotificationPublic:
    return NotificationPublic(
        id=notification.id,
        customer_id=notification.customer_id,
        channel=notification.channel,
        to=notification.to,
        subject=notification.subject,
        body=notification.body,
        created_at=notification.created_at,
    )


def event_public(event: AccountEvent) -> EventPublic:
    return EventPublic(
        id=event.id,
        customer_id=event.customer_id,
        account_id=event.account_id,
        type=event.type,
        payload=event.payload,
        occurred_at=event.occurred_at,
    )
