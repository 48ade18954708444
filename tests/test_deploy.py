"""The deployment in deploy/: what an operator relies on when applying it to a cluster.

Every manifest is checked against the Kubernetes schemas (kubernetes-validate ships them: no cluster, no
network), strictly, for the oldest Kubernetes version the manifests claim to support. Beyond the schemas:
the probes point at routes the servers really answer (the apps in process, and the real servers started
from a trained model), secrets come from the Secret and never from a manifest, every setting production
refuses to start without is provided, images are pinned, containers run as a non-root user, Services and
the Ingress reach the pods they name, and the HorizontalPodAutoscaler scales the Rasa server.
"""

from __future__ import annotations

import asyncio
import importlib.util
import os
import re
import subprocess
import sys
import time
import uuid
from dataclasses import replace
from itertools import pairwise
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator, Optional

import httpx
import pytest
import yaml
from kubernetes_validate import utils as k8s_schemas

from bot import cli
from bot.settings import ConfigError, Settings, settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
K8S = DEPLOY / "k8s"
CONTAINERFILE = DEPLOY / "Containerfile"
KUBERNETES_VERSION = "1.28"  # the oldest version the manifests are written for (docs/deployment.md)
SECRET = "iop-intake"
CONFIG_MAP = "iop-intake-config"
SECRET_NAME = re.compile(r"(KEY|TOKEN|PASSWORD|SECRET|_SID)$")


def from_file(name: str, path: Path) -> ModuleType:
    """A module of deploy/ (not a package: the image runs its files as scripts)."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


probe = from_file("deploy_probe", DEPLOY / "probe.py")


def load(path: Path) -> list[dict]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]


def manifest_files() -> list[Path]:
    return sorted(p for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml")


def documents() -> list[tuple[Path, dict]]:
    return [(path, doc) for path in manifest_files() for doc in load(path)]


def applied() -> list[dict]:
    """What `kubectl apply -k deploy/k8s` creates."""
    kustomization = yaml.safe_load((K8S / "kustomization.yaml").read_text())
    return [doc for name in kustomization["resources"] for doc in load(K8S / name)]


def of_kind(kind: str, docs: Optional[list[dict]] = None) -> list[dict]:
    return [doc for doc in (applied() if docs is None else docs) if doc["kind"] == kind]


def deployment(component: str) -> dict:
    [found] = [d for d in of_kind("Deployment") if d["metadata"]["labels"]["app.kubernetes.io/component"] == component]
    return found


def workloads() -> list[dict]:
    """Every pod template: the Deployments and the migration Job."""
    return of_kind("Deployment") + of_kind("Job", load(K8S / "jobs" / "db-upgrade.yaml"))


def containers(workload: dict) -> list[dict]:
    spec = workload["spec"]["template"]["spec"]
    return spec["containers"] + spec.get("initContainers", [])


def config_map() -> dict[str, str]:
    [found] = [d for d in of_kind("ConfigMap") if d["metadata"]["name"] == CONFIG_MAP]
    return found["data"]


def example_secret() -> dict[str, str]:
    [secret] = load(K8S / "secrets.example.yaml")
    assert secret["kind"] == "Secret" and secret["metadata"]["name"] == SECRET
    return secret["stringData"]


# --- the manifests are valid Kubernetes objects ------------------------------------------------------------


@pytest.mark.parametrize(
    "path,doc", documents(), ids=lambda v: v.name if isinstance(v, Path) else f"{v['kind']}/{v['metadata']['name']}"
)
def test_every_manifest_is_valid_for_the_stated_kubernetes_version(path: Path, doc: dict) -> None:
    # strict: a misspelt or misplaced field (`readinesProbe`, a probe under the pod) is an error, not ignored
    assert k8s_schemas.validate(doc, KUBERNETES_VERSION, strict=True) == KUBERNETES_VERSION


def test_the_validator_rejects_what_a_cluster_would() -> None:
    broken = deployment("rasa")
    broken["spec"]["template"]["spec"]["containers"][0]["readinesProbe"] = {"httpGet": {"path": "/"}}
    with pytest.raises(k8s_schemas.ValidationError, match="readinesProbe"):
        k8s_schemas.validate(broken, KUBERNETES_VERSION, strict=True)
    mistyped = deployment("rasa")
    mistyped["spec"]["replicas"] = "two"
    with pytest.raises(k8s_schemas.ValidationError):
        k8s_schemas.validate(mistyped, KUBERNETES_VERSION, strict=True)


def test_kustomization_applies_every_manifest_but_the_example_secret_and_the_job() -> None:
    listed = {K8S / name for name in yaml.safe_load((K8S / "kustomization.yaml").read_text())["resources"]}
    assert all(path.exists() for path in listed)
    assert listed == set(manifest_files()) - {K8S / "secrets.example.yaml", K8S / "jobs" / "db-upgrade.yaml"}


def test_four_processes_each_with_a_deployment() -> None:
    commands = {d["metadata"]["name"]: containers(d)[0]["command"] for d in of_kind("Deployment")}
    assert commands == {
        "iop-rasa": ["rasa", "run"],
        "iop-actions": ["iop-intake", "actions", "--quiet"],
        "iop-console": ["iop-intake", "console"],
        "iop-worker": ["iop-intake", "worker", "--interval", "30"],
    }
    assert deployment("worker")["spec"]["replicas"] == 1  # two workers would page twice
    assert deployment("worker")["spec"]["strategy"]["type"] == "Recreate"


def test_rasa_runs_the_model_the_image_trains_with_the_api_and_the_projects_config() -> None:
    args = containers(deployment("rasa"))[0]["args"]
    option = {flag: value for flag, value in pairwise(args) if flag.startswith("--")}
    assert "--enable-api" in args
    built = re.search(r"--out (\S+).*?--fixed-model-name (\S+)", CONTAINERFILE.read_text(), re.S)
    assert built and option["--model"] == f"{built.group(1)}/{built.group(2)}.tar.gz"
    assert (ROOT / option["--credentials"]).is_file()
    assert option["--endpoints"] == "/etc/iop-intake/endpoints.yml"  # rasa_endpoints() reads it from the mount
    assert option["--auth-token"] == "$(RASA_AUTH_TOKEN)"  # expanded by the kubelet from the Secret


def rasa_endpoints() -> str:
    """The endpoints.yml the Rasa pods run with: a key of the ConfigMap mounted where --endpoints points."""
    container = containers(deployment("rasa"))[0]
    args = container["args"]
    path = Path(args[args.index("--endpoints") + 1])
    [mount] = [m for m in container["volumeMounts"] if m["mountPath"] == str(path.parent)]
    [volume] = [v for v in deployment("rasa")["spec"]["template"]["spec"]["volumes"] if v["name"] == mount["name"]]
    [config] = [d for d in of_kind("ConfigMap") if d["metadata"]["name"] == volume["configMap"]["name"]]
    return config["data"][path.name]


def test_rasa_pods_share_a_redis_lock_store_and_otherwise_the_projects_endpoints() -> None:
    cluster = yaml.safe_load(rasa_endpoints())
    lock_store = cluster.pop("lock_store")
    assert lock_store["type"] == "redis"  # in memory (the default), two pods could answer one conversation at once
    assert cluster == yaml.safe_load((ROOT / "endpoints.yml").read_text())  # nothing else drifts from one machine
    # Rasa refuses to start while a variable its endpoints name is unset.
    needed = set(re.findall(r"\$\{(\w+)\}", rasa_endpoints()))
    assert needed <= set(config_map()) | set(example_secret())
    assert "REDIS_PASSWORD" in example_secret() and "REDIS_PASSWORD" not in config_map()


# --- secrets ------------------------------------------------------------------------------------------------


def test_no_secret_is_written_into_a_manifest() -> None:
    for workload in workloads():
        for container in containers(workload):
            for var in container.get("env", []):
                if SECRET_NAME.search(var["name"]):
                    assert "value" not in var, f"{var['name']} inlined in {workload['metadata']['name']}"
                    assert var["valueFrom"]["secretKeyRef"]["name"] == SECRET
                assert not re.search(r"://[^/@\s]+:[^/@\s]*@", var.get("value", "")), var["name"]
            assert "$(" not in " ".join(container["command"])  # only args may expand variables
    for key, value in config_map().items():
        assert not SECRET_NAME.search(key), f"{key} belongs in the Secret"
        assert not re.search(r"://[^/@\s]+:[^/@\s]*@", value), f"{key} carries credentials"
    assert of_kind("Secret") == []  # the Secret is created by the operator, never applied from here


def test_every_process_gets_the_secret_and_the_config_map() -> None:
    for workload in workloads():
        for container in containers(workload):
            sources = container["envFrom"]
            assert {"secretRef": {"name": SECRET}} in sources, workload["metadata"]["name"]
            assert {"configMapRef": {"name": CONFIG_MAP}} in sources, workload["metadata"]["name"]


def production_env() -> dict[str, str]:
    """A complete, valid production environment (fake values of the right shapes)."""
    return {
        **config_map(),
        "RASA_AUTH_TOKEN": "r" * 32,
        "ACTION_SERVER_TOKEN": "a" * 32,
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": "t" * 32,
        "TWILIO_FROM_NUMBER": "+15555550100",
        "ESCALATION_ON_CALL_NUMBERS": "+15555550101",
        "ESCALATION_BACKUP_NUMBER": "+15555550102",
        "SMS_ID_KEY": "i" * 40,
        "SMS_NUMBER_KEY": "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=",
        "DATABASE_URL": "postgresql://iop@db/iop",
        "TRACKER_STORE_URL": "postgresql://rasa@db/tracker",
    }


def settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    for name in list(os.environ):
        if re.match(
            r"(IOP|RASA|ACTION|TWILIO|ESCALATION|SMS|WIDGET|CONSOLE|STAFF|REST|RATE)_|DATABASE_URL|TRACKER", name
        ):
            monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return settings()


def test_every_setting_production_refuses_to_start_without_is_provided(monkeypatch: pytest.MonkeyPatch) -> None:
    env = production_env()
    settings_from(env, monkeypatch).check()  # the whole set is accepted...
    required = []
    for name in env:
        missing = {k: v for k, v in env.items() if k != name}
        try:
            settings_from(missing, monkeypatch).check()
        except ConfigError:
            required.append(name)
    # ...and these are the ones it refuses to go without (the check that found them is the app's own)
    assert {
        "RASA_AUTH_TOKEN",
        "ACTION_SERVER_TOKEN",
        "TWILIO_AUTH_TOKEN",
        "SMS_ID_KEY",
        "SMS_NUMBER_KEY",
        "WIDGET_ALLOWED_ORIGINS",
        "CONSOLE_PUBLIC_URL",
    } <= set(required)
    assert config_map()["IOP_ENV"] == "production"  # without it, none of these checks run
    provided = set(example_secret()) | set(config_map())
    assert set(required) <= provided
    for name in required:
        if SECRET_NAME.search(name):
            assert name in example_secret() and name not in config_map(), name
    # The databases are not refused (SQLite is the default) but a cluster needs them shared, with passwords.
    assert {"DATABASE_URL", "TRACKER_STORE_URL"} <= set(example_secret())


def test_the_example_secret_cannot_go_to_production_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError):
        settings_from({**config_map(), **example_secret()}, monkeypatch).check()
    for name, value in example_secret().items():
        assert value == "" or "EXAMPLE" in value or re.fullmatch(r"[+0-9, ]+|AC0{32}", value), name


def test_every_variable_given_is_one_the_project_reads() -> None:
    """A misspelt name (CONSOLE_PROXY_COUNT) would silently leave a default in place."""
    sources = "\n".join(
        p.read_text()
        for p in [
            *ROOT.joinpath("bot").rglob("*.py"),
            ROOT / "endpoints.yml",
            ROOT / "scripts" / "env.sh",
            DEPLOY / "probe.py",
        ]
    )
    sources += rasa_endpoints()
    given = set(config_map()) | set(example_secret())
    given |= {v["name"] for w in workloads() for c in containers(w) for v in c.get("env", [])}
    unread = {name for name in given if not re.search(rf"\b{name}\b", sources)}
    assert not unread, unread


# --- images and users ---------------------------------------------------------------------------------------


def test_images_are_pinned_and_the_same_for_every_process() -> None:
    images = {c["image"] for w in workloads() for c in containers(w)}
    assert len(images) == 1
    [image] = images
    name, _, tag = image.rpartition(":")
    assert name and "/" not in tag and tag not in ("", "latest")
    [override] = yaml.safe_load((K8S / "kustomization.yaml").read_text())["images"]
    assert override["name"] == name and override["newTag"] not in ("", "latest")


def test_containers_run_as_a_non_root_user_that_the_image_has() -> None:
    user = re.findall(r"^USER (\d+)$", CONTAINERFILE.read_text(), re.M)
    assert user and user[-1] != "0"
    for workload in workloads():
        pod = workload["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert str(pod["securityContext"]["runAsUser"]) == user[-1]
        assert pod["automountServiceAccountToken"] is False
        for container in containers(workload):
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert container["securityContext"]["capabilities"]["drop"] == ["ALL"]
            assert "memory" in container["resources"]["limits"] and "cpu" in container["resources"]["requests"]


def test_the_image_build_installs_the_locks_and_bakes_in_no_secret() -> None:
    text = CONTAINERFILE.read_text()
    assert re.search(r"^FROM python:3\.10-slim\b", text, re.M)
    assert "-r requirements.lock" in text and "--no-deps --require-hashes -r requirements.nodeps.lock" in text
    assert "npm ci" in text and "package-lock.json" in text
    assert not re.search(r"^(ENV|ARG)\b.*(KEY|TOKEN|PASSWORD|SECRET)", text, re.M)
    for copied in re.findall(r"^COPY (?!--from)(.+) \S+$", text, re.M):
        for name in copied.split():
            assert (ROOT / name).exists(), f"{name} copied by the Containerfile does not exist"


# --- Services, Ingress, autoscaling --------------------------------------------------------------------------


def port_names(workload: dict) -> dict[str, int]:
    return {p["name"]: p["containerPort"] for c in containers(workload) for p in c.get("ports", [])}


def test_services_select_a_deployment_and_name_its_ports() -> None:
    for service in of_kind("Service"):
        [target] = [
            d
            for d in of_kind("Deployment")
            if service["spec"]["selector"].items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in port_names(target)


def test_the_ingress_sends_channels_to_rasa_and_the_rest_to_the_console_with_sticky_sessions() -> None:
    routes = {}
    for ingress in of_kind("Ingress"):
        for rule in ingress["spec"]["rules"]:
            for path in rule["http"]["paths"]:
                routes[path["path"]] = (path["backend"]["service"]["name"], ingress)
    assert {path: name for path, (name, _) in routes.items()} == {
        "/socket.io": "iop-rasa",
        "/webhooks": "iop-rasa",
        "/": "iop-console",
    }  # Rasa's HTTP API stays inside
    rasa_ingress = routes["/socket.io"][1]["metadata"]["annotations"]
    assert rasa_ingress["nginx.ingress.kubernetes.io/affinity"] == "cookie"
    assert int(rasa_ingress["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 600  # open widget sockets
    [rasa_service] = [s for s in of_kind("Service") if s["metadata"]["name"] == "iop-rasa"]
    assert rasa_service["spec"]["sessionAffinity"] == "ClientIP"


def test_the_autoscaler_scales_the_rasa_deployment_on_cpu() -> None:
    [hpa] = of_kind("HorizontalPodAutoscaler")
    assert hpa["apiVersion"] == "autoscaling/v2"
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["kind"], target["name"]) == ("Deployment", deployment("rasa")["metadata"]["name"])
    assert hpa["spec"]["minReplicas"] >= 2
    assert "replicas" not in deployment("rasa")["spec"]  # else each `kubectl apply` would undo the scaling
    # Utilisation is measured against the request: without one the autoscaler does nothing.
    assert containers(deployment("rasa"))[0]["resources"]["requests"]["cpu"]


def test_only_rasa_may_call_the_action_server() -> None:
    [policy] = of_kind("NetworkPolicy")
    assert policy["spec"]["podSelector"]["matchLabels"] == deployment("actions")["spec"]["selector"]["matchLabels"]
    [allowed] = policy["spec"]["ingress"]
    assert allowed["from"] == [{"podSelector": {"matchLabels": deployment("rasa")["spec"]["selector"]["matchLabels"]}}]
    assert allowed["ports"][0]["port"] == int(config_map()["ACTIONS_PORT"])


# --- probes point at routes that exist ----------------------------------------------------------------------


def probes(workload: dict) -> dict[str, dict]:
    container = containers(workload)[0]
    return {kind: container[kind] for kind in ("startupProbe", "livenessProbe", "readinessProbe") if kind in container}


def http_probe_paths(component: str) -> set[str]:
    workload = deployment(component)
    return {p["httpGet"]["path"] for p in probes(workload).values() if "httpGet" in p}


def test_every_deployment_has_readiness_and_liveness_probes_on_its_own_port() -> None:
    listen = {"rasa": 5005, "actions": int(config_map()["ACTIONS_PORT"]), "console": int(config_map()["CONSOLE_PORT"])}
    for workload in of_kind("Deployment"):
        component = workload["metadata"]["labels"]["app.kubernetes.io/component"]
        found = probes(workload)
        assert {"livenessProbe", "readinessProbe"} <= set(found), component
        for probe in found.values():
            if "httpGet" in probe:
                assert port_names(workload)[probe["httpGet"]["port"]] == listen[component]
            else:
                command = probe["exec"]["command"]
                assert command[:2] == ["python", "/app/deploy/probe.py"], command
                assert "COPY deploy/probe.py" in CONTAINERFILE.read_text()
    assert port_names(deployment("rasa"))["http"] == int(config_map()["RASA_PORT"])


def serve_once(app: Any, paths: list[str], headers: Optional[dict] = None) -> dict[str, httpx.Response]:
    """GET each path from a Sanic app in process over ASGI, its start-up listeners run as a server would."""

    async def run() -> dict[str, httpx.Response]:
        inbox: asyncio.Queue = asyncio.Queue()
        outbox: asyncio.Queue = asyncio.Queue()
        lifespan = asyncio.ensure_future(app({"type": "lifespan", "asgi": {"version": "3.0"}}, inbox.get, outbox.put))
        await inbox.put({"type": "lifespan.startup"})
        assert (await asyncio.wait_for(outbox.get(), 60))["type"] == "lifespan.startup.complete"
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://pod") as client:
            replies = {path: await client.get(path, headers=headers or {}) for path in paths}
        await inbox.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(outbox.get(), 30)
        lifespan.cancel()
        return replies

    loop = asyncio.new_event_loop()
    try:
        return loop.run_until_complete(run())
    finally:
        loop.close()


@pytest.fixture
def sanic_test_mode() -> Iterator[None]:
    from sanic import Sanic

    Sanic.test_mode = True  # several apps in one process
    yield


def test_action_server_probe_path_is_its_open_health_route(sanic_test_mode: None) -> None:
    from rasa_edge.actions_server import create_app

    paths = sorted(http_probe_paths("actions"))
    assert paths == ["/health"]
    replies = serve_once(create_app("a-token-for-this-test-only"), [*paths, "/actions"])
    assert replies["/health"].status_code == 200
    assert replies["/actions"].status_code == 401  # the probe needs no token because /health is the open one


def test_console_probe_paths_are_served(sanic_test_mode: None, database: str, tmp_path: Path) -> None:
    from bot.console.app import SOCKET_IO_CLIENT, create_app

    if not SOCKET_IO_CLIENT.exists():
        pytest.skip("node_modules missing (npm not installed): the console's readiness path answers 503 without it")
    config = replace(
        settings(), env="test", database_url=database, tracker_store_url=f"sqlite:///{tmp_path / 'tracker.db'}"
    )
    paths = sorted(http_probe_paths("console"))
    assert paths == ["/vendor/socket.io.min.js", "/widget.js"]
    replies = serve_once(create_app(config, name=f"console_{uuid.uuid4().hex}"), paths)
    for path in paths:
        assert replies[path].status_code == 200, path
        assert "javascript" in replies[path].headers["content-type"]


def test_rasa_probe_routes_exist_and_status_needs_the_token(sanic_test_mode: None) -> None:
    from rasa.core.run import configure_app  # what `rasa run --enable-api --auth-token` builds

    token = "a-rasa-token-for-this-test-only"
    assert http_probe_paths("rasa") == {"/"}
    replies = serve_once(configure_app(auth_token=token, enable_api=True), ["/", "/status", f"/status?token={token}"])
    assert replies["/"].status_code == 200 and replies["/"].text.startswith("Hello from Rasa")
    assert replies["/status"].status_code == 401  # why readiness is an exec probe with the token
    # With the token but no model loaded: not ready (409), which is what the readiness probe must see.
    assert replies[f"/status?token={token}"].status_code == 409


# --- the worker's heartbeat -----------------------------------------------------------------------------------


def test_the_worker_beats_after_each_pass_and_the_probe_reads_it(
    database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    beat = tmp_path / "beat" / "worker.heartbeat"
    monkeypatch.setenv("IOP_HEARTBEAT_FILE", str(beat))  # the pod's env: read by the worker and the probe
    monkeypatch.setenv("TRACKER_STORE_URL", f"sqlite:///{tmp_path / 'tracker.db'}")
    assert probe.heartbeat_file() == beat
    assert probe.main(["worker"]) == 1  # no pass yet

    passes = []

    def stop_after_two(seconds: float) -> None:
        passes.append(beat.stat().st_mtime)  # the beat comes before the sleep
        if len(passes) == 2:
            raise KeyboardInterrupt  # how the loop ends

    # `iop-intake worker` itself (escalation paging, booking jobs, retention) on SQLite, two passes.
    with monkeypatch.context() as patched:
        patched.setattr(time, "sleep", stop_after_two)
        assert cli.main(["worker", "--interval", "1"]) == 0
    assert len(passes) == 2
    assert probe.main(["worker", "--max-age", "60"]) == 0
    old = time.time() - 301
    os.utime(beat, (old, old))
    assert probe.main(["worker"]) == 1  # a pass stuck for five minutes: the kubelet restarts the pod
    assert probe.worker_alive(beat, 300, now=old + 299) is None


def test_worker_probe_windows_allow_a_slow_first_pass() -> None:
    found = probes(deployment("worker"))
    startup = found["startupProbe"]
    assert startup["periodSeconds"] * startup["failureThreshold"] >= 300
    max_age = float(found["livenessProbe"]["exec"]["command"][-1])
    interval = float(containers(deployment("worker"))[0]["command"][-1])
    assert max_age >= 5 * interval


# --- against the real servers --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The Rasa server with a trained model, the action server and the console, started as `make run` does."""
    from harness.servers import module_servers

    with module_servers(tmp_path_factory, "deploy-servers", console=True) as running:
        yield running


@pytest.mark.e2e
def test_probes_pass_against_the_real_servers(servers: Any) -> None:
    """Each Deployment's probes, as the kubelet would run them, succeed against the real servers."""
    bases = {"rasa": servers.rasa_url, "actions": servers.actions_url, "console": servers.console_url}
    for component, base in bases.items():
        for path in http_probe_paths(component):
            assert 200 <= httpx.get(f"{base}{path}", timeout=10).status_code < 400, (component, path)
    command = [sys.executable, str(DEPLOY / "probe.py"), "rasa", "--url", servers.rasa_url]
    ready = subprocess.run(
        command, env={**os.environ, "RASA_AUTH_TOKEN": servers.token}, capture_output=True, text=True, timeout=30
    )
    assert ready.returncode == 0, ready.stderr
    wrong = subprocess.run(
        command, env={**os.environ, "RASA_AUTH_TOKEN": "not-the-token"}, capture_output=True, text=True, timeout=30
    )
    assert wrong.returncode == 1 and "401" in wrong.stderr and "not-the-token" not in wrong.stderr


REDIS_DB_FOR_TEST = "13"  # a database of the local Redis no other test uses, so its clients are this test's


def local_redis() -> Any:
    import redis

    client = redis.Redis(host="127.0.0.1", port=6379, db=int(REDIS_DB_FOR_TEST), socket_timeout=2)
    try:
        client.client_setname("deploy-test")
    except redis.RedisError:
        pytest.skip("no Redis server on 127.0.0.1:6379: the Rasa pods' lock store cannot be tried")
    return client


@pytest.mark.e2e
def test_a_rasa_pod_runs_with_the_cluster_endpoints_and_locks_in_redis(
    servers: Any, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The Rasa server started as the Deployment starts it (its arguments, the endpoints file from the
    ConfigMap) against the local Redis, beside the action server: ready by the probe, answers a message,
    and took its conversation lock in Redis."""
    from harness.servers import BIN, free_port, newest_model

    redis_client = local_redis()
    tmp_path = tmp_path_factory.mktemp("deploy-pod")
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(rasa_endpoints())
    args = containers(deployment("rasa"))[0]["args"]
    port = str(free_port())
    env = {
        **servers.env,
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6379",
        "REDIS_DB": REDIS_DB_FOR_TEST,
        "REDIS_PASSWORD": "",
    }
    pod_args = [
        {
            "/app/models/iop-intake.tar.gz": str(newest_model()),
            "/etc/iop-intake/endpoints.yml": str(endpoints),
            "5005": port,
            "0.0.0.0": "127.0.0.1",
            "$(RASA_AUTH_TOKEN)": servers.token,
        }.get(a, a)
        for a in args
    ]
    log = tmp_path / "pod.log"
    pod = subprocess.Popen(
        [str(BIN / "rasa"), "run", *pod_args],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        probe_command = [sys.executable, str(DEPLOY / "probe.py"), "rasa", "--url", f"http://127.0.0.1:{port}"]
        deadline = time.monotonic() + 240
        while subprocess.run(probe_command, env=env, capture_output=True).returncode != 0:
            assert pod.poll() is None and time.monotonic() < deadline, log.read_text()[-3000:]
            time.sleep(1)
        reply = httpx.post(
            f"http://127.0.0.1:{port}/webhooks/rest/webhook",
            timeout=60,
            json={"sender": "deploy-pod-1", "message": "hi"},
        )
        assert reply.status_code == 200 and reply.json(), log.read_text()[-3000:]
        # The pod's connection to Redis, on the lock store's database, used for the conversation's lock.
        ours = [
            c
            for c in redis_client.client_list()
            if str(c.get("db")) == REDIS_DB_FOR_TEST and c.get("name") != "deploy-test"
        ]
        assert any(c.get("cmd") not in ("ping", "client|list", "client") for c in ours), ours
    finally:
        os.killpg(pod.pid, 15)
        pod.wait(30)
