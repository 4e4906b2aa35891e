"""Write a dataset with bulk INSERTs (executemany), one database transaction."""

import time
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlalchemy.engine import Engine

from core_mock.db import ensure_sqlite_directory
from core_mock.models import (
    Account,
    AccountEvent,
    Application,
    ApplicationEvent,
    Base,
    Contact,
    Customer,
    Transaction,
)
from core_mock.seed.generator import Dataset

CHUNK = 5000


class SeedError(RuntimeError):
    """The database cannot be seeded as asked (e.g. it already holds customers)."""


@dataclass(frozen=True)
class SeedSummary:
    counts: dict[str, int]
    seconds: float


def write_dataset(engine: Engine, dataset: Dataset, *, reset: bool = False) -> SeedSummary:
    """Insert every row of ``dataset``; ``reset`` drops and recreates all tables first."""
    started = time.perf_counter()
    ensure_sqlite_directory(engine)
    if reset:
        Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    tables = (
        (Customer, dataset.customers),
        (Contact, dataset.contacts),
        (Account, dataset.accounts),
        (Transaction, dataset.transactions),
        (Application, dataset.applications),
        (ApplicationEvent, dataset.timeline),
        (AccountEvent, dataset.events),
    )
    with engine.begin() as connection:
        if connection.execute(select(func.count()).select_from(Customer)).scalar_one():
            raise SeedError(
                "the database already holds customers; pass --reset to replace all data"
            )
        for model, rows in tables:
            for start in range(0, len(rows), CHUNK):
                connection.execute(insert(model.__table__), rows[start : start + CHUNK])
    return SeedSummary(counts=dataset.counts(), seconds=time.perf_counter() - started)
