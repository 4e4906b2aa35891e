"""Developer commands behind the Makefile: seed, train, run, conversation tests.

python scripts/dev.py run                 # seed + train if needed, start everything
python scripts/dev.py train [--force]
python scripts/dev.py seed [--reset]
python scripts/dev.py conversation-tests
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts import channel_env, production, training  # noqa: E402
from scripts.stack import (  # noqa: E402
    Service,
    Stack,
    StackError,
    free_port,
    rasa_model_loaded,
)

ROOT = training.ROOT
VAR = ROOT / "var"
BIN = Path(sys.executable).parent
RASA = str(BIN / "rasa")
# Every process we start logs through privacy's redacting filter (bot/logging.yml);
# Rasa's tracker store masks personal data by bot/privacy.yml.
LOGGING_CONFIG = ROOT / "bot" / "logging.yml"
PRIVACY_POLICY = ROOT / "bot" / "privacy.yml"


@dataclass(frozen=True)
class StackConfig:
    """Where each service listens and keeps its data. Defaults: localhost, var/."""

    host: str = "127.0.0.1"
    core_port: int = 8800
    actions_port: int = 5055
    rasa_port: int = 5005
    core_database_url: str = f"sqlite:///{VAR / 'core_mock.sqlite3'}"
    core_api_key: str = "dev-core-banking-key"
    profile_store_url: str = f"sqlite:///{VAR / 'profile_store.sqlite3'}"
    run_dir: Path = VAR
    demo_login: bool = True
    desk_port: int = 8900
    desk_database_url: str = f"sqlite:///{VAR / 'handoff.sqlite3'}"
    tracker_store_db: Path = VAR / "rasa_tracker.sqlite3"
    # Development values; a deployment sets its own (HANDOFF_SERVICE_TOKEN, desk agents).
    handoff_service_token: str = "dev-handoff-service-token"  # noqa: S105
    # Rasa's HTTP API (trackers, events) answers only with this token (`?token=`).
    rasa_api_token: str = "dev-rasa-api-token"  # noqa: S105
    desk_demo_agent_password: str = "demo-agent-password"  # noqa: S105
    # STACK_PROFILE=production: PostgreSQL, Redis, RabbitMQ (scripts/production.py).
    profile: str = "development"
    tracker_store_url: str = ""
    lock_store_url: str = ""
    event_broker_url: str = ""
    event_broker_queue: str = "bank_assistant_events"

    @classmethod
    def from_env(cls) -> StackConfig:
        env = os.environ
        defaults = production.profile_defaults(env.get("STACK_PROFILE", "development"), cls())
        return cls(
            host=env.get("HOST", defaults.host),
            core_port=int(env.get("CORE_MOCK_PORT", defaults.core_port)),
            actions_port=int(env.get("ACTIONS_PORT", defaults.actions_port)),
            rasa_port=int(env.get("RASA_PORT", defaults.rasa_port)),
            core_database_url=env.get("CORE_MOCK_DATABASE_URL", defaults.core_database_url),
            core_api_key=env.get("CORE_MOCK_API_KEY", defaults.core_api_key),
            profile_store_url=env.get("PROFILE_STORE_URL", defaults.profile_store_url),
            demo_login=env.get("BANK_DEMO_LOGIN", "true").strip().lower() in {"1", "true", "yes"},
            desk_port=int(env.get("DESK_PORT", defaults.desk_port)),
            desk_database_url=env.get("DESK_DATABASE_URL", defaults.desk_database_url),
            handoff_service_token=env.get("HANDOFF_SERVICE_TOKEN", defaults.handoff_service_token),
            rasa_api_token=env.get("RASA_API_TOKEN", defaults.rasa_api_token),
            profile=defaults.profile,
            tracker_store_url=env.get("RASA_TRACKER_STORE_URL", defaults.tracker_store_url),
            lock_store_url=env.get("RASA_LOCK_STORE_URL", defaults.lock_store_url),
            event_broker_url=env.get("RASA_EVENT_BROKER_URL", defaults.event_broker_url),
            event_broker_queue=env.get("RASA_EVENT_BROKER_QUEUE", defaults.event_broker_queue),
        )

    @classmethod
    def isolated(cls, run_dir: Path, **overrides: Any) -> StackConfig:
        """A stack of its own: free ports, SQLite files and keys under ``run_dir`` (tests,
        benchmarks); ``overrides`` replace any field."""
        fields: dict[str, Any] = {
            "core_port": free_port(),
            "actions_port": free_port(),
            "rasa_port": free_port(),
            "desk_port": free_port(),
            "core_database_url": f"sqlite:///{run_dir / 'core_mock.sqlite3'}",
            "profile_store_url": f"sqlite:///{run_dir / 'profile_store.sqlite3'}",
            "desk_database_url": f"sqlite:///{run_dir / 'handoff.sqlite3'}",
            "tracker_store_db": run_dir / "rasa_tracker.sqlite3",
            "run_dir": run_dir,
        }
        return cls(**{**fields, **overrides})

    @property
    def core_url(self) -> str:
        return f"http://{self.host}:{self.core_port}"

    @property
    def rasa_url(self) -> str:
        return f"http://{self.host}:{self.rasa_port}"

    @property
    def desk_url(self) -> str:
        return f"http://{self.host}:{self.desk_port}"

    @property
    def web_url(self) -> str:
        """The web channel: widget, demo page, HTTP/JSON messages."""
        return f"{self.rasa_url}/webhooks/bank_web"


def write_endpoints(config: StackConfig) -> Path:
    """bot/endpoints.yml (or endpoints.production.yml) with this stack's action server URL."""
    if config.profile == "production":  # the rest comes from production.rasa_env
        endpoints = yaml.safe_load((ROOT / "bot" / "endpoints.production.yml").read_text())
        endpoints["action_endpoint"] = {
            "url": f"http://{config.host}:{config.actions_port}/webhook"
        }
        return _write(config, endpoints)
    endpoints = yaml.safe_load((ROOT / "bot" / "endpoints.yml").read_text())
    endpoints["action_endpoint"] = {"url": f"http://{config.host}:{config.actions_port}/webhook"}
    # Conversations survive a restart of Rasa (an agent's ticket points at them): the store
    # of bot/endpoints.yml (masking personal data, privacy/tracker_store.py) in this run's file.
    tracker_store = endpoints["tracker_store"]
    tracker_store["policy"] = str(PRIVACY_POLICY)
    tracker_store["store"] = {**tracker_store["store"], "db": str(config.tracker_store_db)}
    return _write(config, endpoints)


def _write(config: StackConfig, endpoints: dict) -> Path:
    path = config.run_dir / "endpoints.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(endpoints, sort_keys=False))
    return path


def rasa_threads() -> dict[str, str]:
    """One compute thread each for TensorFlow and torch (the sentence encoder)
    in a Rasa process, unless the environment says otherwise. Rasa handles one message at a
    time per process; under load their idle worker threads spun for 30 ms of CPU per turn
    (scripts/bench_load.py: 65.8 -> 35.7 ms of Rasa CPU per turn, 23.7 -> 25.9 turns/s).
    Scale with more processes (SANIC_WORKERS, instances), not threads."""
    names = (
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
        "TF_INTRA_OP_PARALLELISM_THREADS",
        "TF_INTER_OP_PARALLELISM_THREADS",
    )
    return {name: os.environ.get(name, "1") for name in names}


def services(config: StackConfig, model: Path) -> list[Service]:
    core_env = {
        "CORE_MOCK_DATABASE_URL": config.core_database_url,
        "CORE_MOCK_API_KEY": config.core_api_key,
    }
    actions_env = {
        "CORE_BANKING_URL": config.core_url,
        "PROFILE_STORE_URL": config.profile_store_url,
        "CORE_BANKING_API_KEY": config.core_api_key,
        "SANIC_HOST": config.host,  # rasa-sdk binds to 0.0.0.0 unless told otherwise
        "HANDOFF_DESK_URL": config.desk_url,
        "HANDOFF_SERVICE_TOKEN": config.handoff_service_token,
    }
    desk_env = {
        "DESK_DATABASE_URL": config.desk_database_url,
        "HANDOFF_SERVICE_TOKEN": config.handoff_service_token,
        "RASA_URL": config.rasa_url,
        "RASA_API_TOKEN": config.rasa_api_token,
        "DESK_SESSION_SECRET": "dev-desk-session-secret-change-me",
        "DESK_DEMO_AGENTS": "true" if config.demo_login else "false",
        "DESK_DEMO_AGENT_PASSWORD": config.desk_demo_agent_password,
    }
    host, python = config.host, sys.executable
    return [
        Service(
            name="core-banking",
            argv=[python, "-m", "core_mock", "--host", host, "--port", f"{config.core_port}"],
            health_url=f"{config.core_url}/health",
            env=core_env,
        ),
        Service(
            name="actions",
            argv=[RASA, "run", "actions", "--actions", "actions", "-p", f"{config.actions_port}",
                  "--logging-config-file", str(LOGGING_CONFIG)],
            health_url=f"http://{host}:{config.actions_port}/health",
            env=actions_env,
        ),
        Service(
            name="rasa",
            argv=[
                RASA, "run", "--enable-api", "--auth-token", config.rasa_api_token,
                "--interface", config.host, "--port", str(config.rasa_port),
                "--model", str(model),
                "--credentials", "bot/credentials.yml",
                "--endpoints", str(write_endpoints(config)),
                "--logging-config-file", str(LOGGING_CONFIG),
            ],
            health_url=f"{config.rasa_url}/status?token={config.rasa_api_token}",
            is_ready=rasa_model_loaded,
            startup_timeout=300.0,
            env={
                **rasa_threads(),
                **channel_env.web_channel_env(config.run_dir, config.demo_login),
                **channel_env.voice_channel_env(config.core_url, config.core_api_key),
                **production.rasa_env(config),
            },
        ),
        Service(
            name="agent-desk",
            argv=[python, "-m", "connectors.agent_desk",
                  "--host", host, "--port", f"{config.desk_port}"],
            health_url=f"{config.desk_url}/health",
            env=desk_env,
        ),
    ]  # fmt: skip


def warm_up(config: StackConfig) -> None:
    """One throw-away conversation, so the first customer does not pay for Rasa's
    cold start (TensorFlow builds its prediction graphs on the first message)."""
    started = time.monotonic()
    try:
        httpx.post(
            f"{config.web_url}/messages",
            json={"visitor_id": f"visitor-{uuid.uuid4()}", "message": "hello"},
            timeout=60,
        ).raise_for_status()
    except httpx.HTTPError as error:
        print(f"[stack] warm-up message failed ({error}); continuing", file=sys.stderr)
        return
    print(f"[stack] warm-up conversation took {time.monotonic() - started:.1f} s", flush=True)


def seed(config: StackConfig, reset: bool = False) -> None:
    database_file = config.core_database_url.removeprefix("sqlite:///")
    is_sqlite = config.core_database_url.startswith("sqlite:///")
    if is_sqlite and Path(database_file).exists() and not reset:
        print(f"[seed] using existing core-banking data in {database_file}")
        return
    print("[seed] creating and seeding the core-banking database")
    if is_sqlite:
        Path(database_file).parent.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "core_mock.seed", "--database-url", config.core_database_url]
    subprocess.run([*command, "--reset"] if reset else command, cwd=ROOT, check=True)


def banner(config: StackConfig, startup_seconds: float) -> str:
    return f"""
  The assistant is up ({startup_seconds:.0f} s from start to healthy). Ctrl-C stops everything.

  Chat on the demo bank page (demo login {"ON" if config.demo_login else "OFF"}):
    {config.web_url}/demo
  Agent desk (demo agents ava / sam, password {config.desk_demo_agent_password}):
    {config.desk_url}/


  Rasa HTTP API .......... {config.rasa_url}/status
  Core banking (OpenAPI) . {config.core_url}/docs   (X-API-Key: {config.core_api_key})
  Logs ................... {config.run_dir / 'log'}/
"""


def build_widget() -> None:
    """npm ci + build of widget/ when its sources changed; the chat still works without it."""
    built = subprocess.run([sys.executable, str(ROOT / "scripts" / "build_widget.py")], cwd=ROOT)
    if built.returncode != 0:
        print("[stack] the widget did not build: the demo page will not load", file=sys.stderr)


def _stop_on_sigterm(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run(config: StackConfig) -> int:
    # Ctrl-C and `kill` both stop the whole stack cleanly, even when this process
    # was started with SIGINT ignored (as background jobs of a script are).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    started = time.monotonic()
    if config.profile == "production":
        production.prepare(config, seed)  # missing databases, then seed a new core banking
    else:
        seed(config)
    build_widget()
    model = training.ensure_trained(RASA)
    stack = Stack(services(config, model), log_dir=config.run_dir / "log")
    try:
        stack.start()
        warm_up(config)
        print(banner(config, time.monotonic() - started), flush=True)
        stack.watch()
    except KeyboardInterrupt:
        print("\n[stack] stopping…", flush=True)
    except StackError as error:
        print(f"[stack] error: {error}", file=sys.stderr)
        return 1
    finally:
        stack.stop()
    print("[stack] stopped", flush=True)
    return 0


def conversation_tests() -> int:
    model = training.ensure_trained(RASA)
    command = [
        RASA, "test", "core",
        "--stories", "tests/conversations",
        "--model", str(model),
        "--out", "results/conversations",
        "--e2e",  # run the user text through NLU too, not just the intent labels
        "--fail-on-prediction-errors",
    ]  # fmt: skip
    print("[test] rasa conversation tests (tests/conversations)", flush=True)
    return subprocess.run(command, cwd=ROOT, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("run", help="seed and train if needed, then start every service")
    train_parser = commands.add_parser("train", help="train the Rasa model if its inputs changed")
    train_parser.add_argument("--force", action="store_true", help="train even if nothing changed")
    seed_parser = commands.add_parser("seed", help="create and seed the core-banking database")
    seed_parser.add_argument("--reset", action="store_true", help="drop and re-seed existing data")
    commands.add_parser("conversation-tests", help="run Rasa's end-to-end test stories")
    args = parser.parse_args()

    os.environ["PYTHONPATH"] = str(ROOT)
    config = StackConfig.from_env()
    if args.command == "run":
        return run(config)
    if args.command == "train":
        training.ensure_trained(RASA, force=args.force)
        return 0
    if args.command == "seed":
        seed(config, reset=args.reset)
        return 0
    return conversation_tests()


if __name__ == "__main__":
    sys.exit(main())
