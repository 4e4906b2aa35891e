"""Serve the agent desk, or add an agent.

python -m connectors.agent_desk --host 127.0.0.1 --port 8900
python -m connectors.agent_desk add-agent ava "Ava Smith"   # asks for the password
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import sys

import uvicorn

from connectors.agent_desk.agents import AgentStore
from connectors.agent_desk.app import create_app
from connectors.agent_desk.settings import ConfigurationError, load_settings
from privacy.log_filter import install as redact_logs


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m connectors.agent_desk", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8900, help="port to listen on (default 8900)")
    parser.add_argument(
        "--log-level", default="info", choices=["debug", "info", "warning", "error"]
    )
    commands = parser.add_subparsers(dest="command")
    add = commands.add_parser("add-agent", help="create an agent or reset its password")
    add.add_argument("agent_id", help="sign-in name: lowercase letters, digits, ._-")
    add.add_argument("display_name", help="the name customers see on agent replies")
    return parser.parse_args(argv)


def add_agent(database_url: str, agent_id: str, display_name: str) -> int:
    password = os.environ.get("DESK_NEW_AGENT_PASSWORD") or getpass.getpass("Password: ")
    store = AgentStore(database_url)
    try:
        asyncio.run(store.save(agent_id, display_name, password))
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    finally:
        store.dispose()
    print(f"agent {agent_id} saved")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        settings = load_settings()
    except ConfigurationError as exc:
        print(exc, file=sys.stderr)
        return 2
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    redact_logs()  # no message text or contact details in the desk's log (privacy/)
    if args.command == "add-agent":
        return add_agent(settings.database_url, args.agent_id, args.display_name)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level=args.log_level)
    return 0


if __name__ == "__main__":
    sys.exit(main())
