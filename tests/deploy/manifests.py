"""Render deploy/k8s with kubectl's built-in kustomize and validate it against the
Kubernetes JSON schemas shipped by the kubernetes-validate package (used for its schema
files only: its Python API needs a newer `referencing`/`attrs` than Rasa 3.6 allows, so the
schemas are checked with the jsonschema release Rasa pins)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
KUSTOMIZATIONS = ("base", "overlays/production")
PLAIN_MANIFESTS = tuple(sorted((K8S / "jobs").glob("*.yaml")))
# The oldest Kubernetes minor we support and the newest the pinned schemas cover.
KUBERNETES_VERSIONS = ("1.30.0", "1.33.0")
WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "Job"}

Manifest = dict[str, Any]


def kubectl() -> str:
    """kubectl (its `kustomize` subcommand renders the overlays, no cluster needed)."""
    found = shutil.which("kubectl")
    if found:
        return found
    message = (
        "kubectl is not installed: deploy/k8s cannot be rendered. kubectl >= 1.27 "
        "(kustomize v5) is needed; Debian bookworm's kubernetes-client (1.20) is too old."
    )
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@cache
def render(kustomization: str) -> tuple[Manifest, ...]:
    result = subprocess.run(
        [kubectl(), "kustomize", str(K8S / kustomization)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"kustomize {kustomization} failed:\n{result.stderr}"
    return tuple(doc for doc in yaml.safe_load_all(result.stdout) if doc)


def load_plain(path: Path) -> tuple[Manifest, ...]:
    return tuple(doc for doc in yaml.safe_load_all(path.read_text()) if doc)


def schema_dir(version: str) -> Path:
    spec = importlib.util.find_spec("kubernetes_validate")
    assert spec and spec.submodule_search_locations, "kubernetes-validate is not installed"
    package = Path(next(iter(spec.submodule_search_locations)))
    path = package / "kubernetes-json-schema" / f"v{version}-local-strict"
    assert path.is_dir(), f"no schemas for Kubernetes {version} in {package}"
    return path


@cache
def _definitions(version: str) -> dict[str, Any]:
    return json.loads((schema_dir(version) / "_definitions.json").read_text())


@cache
def _validator(schema_file: Path, version: str) -> jsonschema.Draft202012Validator | None:
    if not schema_file.is_file():
        return None
    schema = json.loads(schema_file.read_text())
    definitions = _definitions(version)
    resolver = jsonschema.RefResolver.from_schema(schema, store={definitions["$id"]: definitions})
    return jsonschema.Draft202012Validator(schema, resolver=resolver)


def schema_errors(manifest: Manifest, version: str) -> list[str]:
    """Strict-schema errors of one object (unknown fields are errors too)."""
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", manifest["apiVersion"])
    schema_file = schema_dir(version) / f"{manifest['kind'].lower()}-{group_version}.json"
    validator = _validator(schema_file, version)
    if validator is None:
        return [f"no schema for {manifest['apiVersion']} {manifest['kind']} in {version}"]
    return [
        f"{'.'.join(str(part) for part in error.absolute_path)}: {error.message}"
        for error in validator.iter_errors(manifest)
    ]


def name_of(manifest: Manifest) -> str:
    metadata = manifest["metadata"]
    return f"{manifest['kind']}/{metadata.get('name') or metadata.get('generateName')}"


def pod_spec(manifest: Manifest) -> dict[str, Any] | None:
    if manifest["kind"] not in WORKLOAD_KINDS:
        return None
    return manifest["spec"]["template"]["spec"]


def containers(manifests: tuple[Manifest, ...]) -> Iterator[tuple[Manifest, dict[str, Any]]]:
    """Every (workload, container) pair, init containers included."""
    for manifest in manifests:
        spec = pod_spec(manifest)
        if spec is None:
            continue
        for container in [*spec.get("initContainers", []), *spec["containers"]]:
            yield manifest, container


def find(manifests: tuple[Manifest, ...], kind: str, name: str) -> Manifest:
    for manifest in manifests:
        if manifest["kind"] == kind and manifest["metadata"]["name"] == name:
            return manifest
    raise AssertionError(f"no {kind}/{name} in the rendered manifests")


def config_map_data(manifests: tuple[Manifest, ...], name: str) -> dict[str, str]:
    return dict(find(manifests, "ConfigMap", name).get("data", {}))


def container_env(
    manifests: tuple[Manifest, ...], container: dict[str, Any]
) -> dict[str, str | dict[str, str]]:
    """The container's environment: plain values as strings, secret references as
    {"secret": name, "key": key}; envFrom ConfigMaps resolved from the rendered output."""
    env: dict[str, str | dict[str, str]] = {}
    for source in container.get("envFrom", []):
        assert "configMapRef" in source, f"envFrom {source} is not a ConfigMap"
        env.update(config_map_data(manifests, source["configMapRef"]["name"]))
    for variable in container.get("env", []):
        if "value" in variable:
            env[variable["name"]] = variable["value"]
        elif "secretKeyRef" in variable.get("valueFrom", {}):
            ref = variable["valueFrom"]["secretKeyRef"]
            env[variable["name"]] = {"secret": ref["name"], "key": ref["key"]}
        elif "configMapKeyRef" in variable.get("valueFrom", {}):
            ref = variable["valueFrom"]["configMapKeyRef"]
            env[variable["name"]] = config_map_data(manifests, ref["name"])[ref["key"]]
        else:
            env[variable["name"]] = ""
    return env


def referenced_env_vars(path: Path) -> set[str]:
    """The ${VAR} names a Rasa YAML file (credentials, endpoints) expands at start
    (in its values: comments do not count)."""
    names: set[str] = set()
    todo: list[Any] = [yaml.safe_load(path.read_text())]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)
        elif isinstance(node, str):
            names.update(re.findall(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}", node))
    return names
