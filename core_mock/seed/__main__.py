"""Command line of the seed.

``python -m core_mock.seed [--customers N] [--months M] [--seed S] [--as-of DATE]
[--database-url URL] [--reset]``
"""

import argparse
import sys
import time
from datetime import date

from core_mock.db import create_engine
from core_mock.seed import SeedError, SeedOptions, build_dataset, write_dataset
from core_mock.settings import ConfigurationError, load_settings


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m core_mock.seed",
        description="Fill the core-banking mock with deterministic data.",
    )
    parser.add_argument(
        "--customers", type=int, default=50, help="number of customers (default 50)"
    )
    parser.add_argument(
        "--months", type=int, default=6, help="months of transaction history (default 6)"
    )
    parser.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    parser.add_argument(
        "--as-of",
        type=date.fromisoformat,
        default=None,
        help="last day of history, YYYY-MM-DD (default: today, UTC)",
    )
    parser.add_argument("--database-url", help="overrides CORE_MOCK_DATABASE_URL")
    parser.add_argument("--reset", action="store_true", help="drop and recreate all tables first")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings(
            **({"database_url": args.database_url} if args.database_url else {})
        )
        options = SeedOptions(
            customers=args.customers,
            months=args.months,
            seed=args.seed,
            **({"as_of": args.as_of} if args.as_of else {}),
        )
    except (ConfigurationError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    dataset = build_dataset(options)
    engine = create_engine(settings.database_url)
    try:
        summary = write_dataset(engine, dataset, reset=args.reset)
    except SeedError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    counts = ", ".join(f"{count} {name}" for name, count in summary.counts.items())
    print(
        f"seeded {engine.url.render_as_string(hide_password=True)} as of {options.as_of}: {counts} "
        f"in {time.perf_counter() - started:.2f}s (insert {summary.seconds:.2f}s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
