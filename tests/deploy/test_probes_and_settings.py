"""The Deployments' probes hit routes our processes really serve, and each process accepts
the environment its Deployment gives it (secrets replaced by placeholders)."""

from __future__ import annotations

from typing import Any

import pytest
from sanic import Sanic

from deploy import rasa_ready
from tests.deploy.manifests import ROOT, container_env, containers, render

SECRET_PLACEHOLDERS = {
    "redis-url": "redis://:placeholder@redis.example.internal:6379/1",
    "rasa-tracker-store-url": "postgresql://rasa:placeholder@db.example.internal:5432/rasa",
    "profile-store-url": "postgresql://app:placeholder@db.example.internal:5432/profiles",
    "desk-database-url": "postgresql://desk:placeholder@db.example.internal:5432/handoff",
    "core-mock-database-url": "postgresql://core:placeholder@db.example.internal:5432/core",
}


def sanic_paths(app: Sanic) -> set[str]:
    return {"/" + route.path.strip("/") for route in app.router.routes}


def rasa_server_paths() -> set[str]:
    import rasa.server

    app = rasa.server.create_app(auth_token="placeholder")  # noqa: S106
    return sanic_paths(app)


def action_server_paths() -> set[str]:
    from rasa_sdk.endpoint import create_app

    return sanic_paths(create_app("actions"))


def core_mock_paths(tmp_path: Any) -> set[str]:
    from core_mock.app import create_app
    from core_mock.settings import load_settings

    app = create_app(load_settings(database_url=f"sqlite:///{tmp_path / 'core.sqlite3'}"))
    return {route.path for route in app.routes}


def agent_desk_paths(tmp_path: Any) -> set[str]:
    from connectors.agent_desk.app import create_app
    from connectors.agent_desk.settings import Settings

    settings = Settings(
        database_url=f"sqlite:///{tmp_path / 'desk.sqlite3'}",
        service_token="placeholder-service-token",  # noqa: S106
        session_secret="placeholder-session-secret-of-32-chars",  # noqa: S106
    )
    return {route.path for route in create_app(settings, sync=False).routes}


def workload_containers() -> dict[str, dict[str, Any]]:
    return {w["metadata"]["name"]: c for w, c in containers(render("overlays/production"))}


@pytest.fixture
def allow_duplicate_sanic_apps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Sanic, "test_mode", True)


@pytest.mark.usefixtures("allow_duplicate_sanic_apps")
def test_probes_point_at_routes_the_processes_serve(tmp_path: Any) -> None:
    served = {
        "rasa": rasa_server_paths(),
        "actions": action_server_paths(),
        "core-mock": core_mock_paths(tmp_path),
        "agent-desk": agent_desk_paths(tmp_path),
    }
    found = workload_containers()
    assert set(found) == set(served)
    for name, container in found.items():
        port_names = {port["name"] for port in container["ports"]}
        for kind in ("startupProbe", "readinessProbe", "livenessProbe"):
            probe = container.get(kind)
            if probe is None:
                assert kind == "startupProbe", f"{name} has no {kind}"
                continue
            if "httpGet" in probe:
                assert probe["httpGet"]["path"] in served[name], f"{name} {kind}"
                assert probe["httpGet"]["port"] in port_names, f"{name} {kind}"
            else:
                # Rasa's readiness: deploy/rasa_ready.py asks /status with the API token.
                command = probe["exec"]["command"]
                assert command[:2] == ["python", "deploy/rasa_ready.py"], f"{name} {kind}"
                assert (ROOT / command[1]).is_file()
                assert rasa_ready.STATUS_PATH in served[name]


def test_the_readiness_check_needs_a_loaded_model() -> None:
    assert rasa_ready.model_is_loaded(200, b'{"model_file": "bank-assistant.tar.gz"}')
    assert not rasa_ready.model_is_loaded(200, b'{"model_file": null}')
    assert not rasa_ready.model_is_loaded(409, b'{"model_file": "x"}')
    assert not rasa_ready.model_is_loaded(200, b"not json")
    url = rasa_ready.status_url("http://127.0.0.1:5005/", "a b")
    assert url == "http://127.0.0.1:5005/status?token=a+b"


def environment_of(name: str) -> dict[str, str]:
    manifests = render("overlays/production")
    container = workload_containers()[name]
    env = {}
    for variable, value in container_env(manifests, container).items():
        if isinstance(value, dict):
            value = SECRET_PLACEHOLDERS.get(value["key"], f"placeholder-{value['key']}-0123456789")
        env[variable] = value
    return env


def test_each_process_accepts_the_environment_its_deployment_sets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from actions.settings import Settings as ActionSettings
    from connectors.agent_desk.settings import load_settings as desk_settings
    from core_mock.settings import load_settings as core_settings

    actions = ActionSettings.from_env(environment_of("actions"))
    assert actions.core_banking_url == "http://core-mock:8800"
    assert actions.handoff_desk_url == "http://agent-desk:8900"

    for name, load in (("core-mock", core_settings), ("agent-desk", desk_settings)):
        with monkeypatch.context() as patch:
            for variable, value in environment_of(name).items():
                patch.setenv(variable, value)
            settings = load()
            assert settings.database_url.startswith("postgresql://"), name
    desk_env = environment_of("agent-desk")
    assert desk_env["RASA_URL"] == "http://rasa:5005"
    assert desk_env["DESK_DEMO_AGENTS"] == "false"
    assert environment_of("rasa")["BANK_DEMO_LOGIN"] == "false"
