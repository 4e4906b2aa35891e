"""Serve the core-banking mock: ``python -m core_mock --host 127.0.0.1 --port 8800``."""

import argparse
import logging
import sys

import uvicorn

from core_mock.app import create_app
from core_mock.settings import ConfigurationError, load_settings


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m core_mock", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8800, help="port to listen on (default 8800)")
    parser.add_argument("--database-url", help="overrides CORE_MOCK_DATABASE_URL")
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    overrides = {"database_url": args.database_url} if args.database_url else {}
    try:
        settings = load_settings(**overrides)
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
