"""Deterministic seed data: ``python -m core_mock.seed --customers 50 --months 6 --seed 42``.

The same options (including ``--as-of``) always produce identical rows. The
named demo customers CUST-0001..CUST-0004 are always present (see README.md).
"""

from sqlalchemy.engine import Engine

from core_mock.seed.generator import Dataset, SeedOptions, build_dataset
from core_mock.seed.writer import SeedError, SeedSummary, write_dataset


def seed_database(engine: Engine, options: SeedOptions, *, reset: bool = False) -> SeedSummary:
    """Build the dataset for ``options`` and bulk-insert it."""
    return write_dataset(engine, build_dataset(options), reset=reset)


__all__ = [
    "Dataset",
    "SeedError",
    "SeedOptions",
    "SeedSummary",
    "build_dataset",
    "seed_database",
    "write_dataset",
]
