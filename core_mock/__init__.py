"""Simulated core-banking system for the bank assistant.

A FastAPI + SQLAlchemy service that behaves like a retail bank's core system:
customers, accounts, transactions, product applications, contact details,
one-time-code challenges with a notification outbox, and an account-event feed.
Build the app with :func:`core_mock.app.create_app`; fill it with
``python -m core_mock.seed``; serve it with ``python -m core_mock``.
"""

__version__ = "0.1.0"
