"""Closed vocabularies shared by the database models and the API schemas."""

from enum import Enum


class Language(str, Enum):
    en = "en"
    es = "es"


class Segment(str, Enum):
    retail = "retail"
    premier = "premier"
    student = "student"
    small_business = "small_business"


class AccountType(str, Enum):
    checking = "checking"
    savings = "savings"
    credit_card = "credit_card"


class AccountStatus(str, Enum):
    open = "open"
    frozen = "frozen"
    closed = "closed"


class TransactionStatus(str, Enum):
    pending = "pending"
    posted = "posted"


class TransactionCategory(str, Enum):
    salary = "salary"
    groceries = "groceries"
    dining = "dining"
    transport = "transport"
    utilities = "utilities"
    housing = "housing"
    shopping = "shopping"
    entertainment = "entertainment"
    health = "health"
    travel = "travel"
    education = "education"
    transfer = "transfer"
    card_payment = "card_payment"
    interest = "interest"
    fees = "fees"
    cash = "cash"
    refund = "refund"
    other = "other"


class Product(str, Enum):
    personal_loan = "personal_loan"
    credit_card = "credit_card"
    mortgage = "mortgage"


class ApplicationStatus(str, Enum):
    submitted = "submitted"
    in_review = "in_review"
    documents_required = "documents_required"
    approved = "approved"
    declined = "declined"
    withdrawn = "withdrawn"
    completed = "completed"


class ContactField(str, Enum):
    email = "email"
    phone = "phone"
    postal_address = "postal_address"


class ChallengePurpose(str, Enum):
    contact_change = "contact_change"
    login = "login"


class ChallengeChannel(str, Enum):
    sms = "sms"
    email = "email"


class NotificationChannel(str, Enum):
    sms = "sms"
    email = "email"
    post = "post"


class EventType(str, Enum):
    salary_credited = "salary_credited"
    large_purchase = "large_purchase"
    overdraft = "overdraft"
    application_status_changed = "application_status_changed"
