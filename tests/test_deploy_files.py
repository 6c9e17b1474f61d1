"""compose.yaml, the Dockerfile and deploy/nginx/ agree: compose runs the nginx recipe the end-to-end test runs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml  # PyYAML: already here, a dependency of uvicorn[standard]

from tests.stack import RECIPE

ROOT = Path(__file__).resolve().parent.parent


def compose() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def test_compose_mounts_the_tested_nginx_recipe() -> None:
    nginx = compose()["services"]["nginx"]
    mounts = {m.split(":")[1]: (ROOT / m.split(":")[0]).resolve() for m in nginx["volumes"]}
    assert mounts["/etc/nginx/conf.d/default.conf"] == (RECIPE / "nn-playground.conf").resolve()
    # the recipe includes nn-playground/*.conf relative to nginx.conf's folder, /etc/nginx in the image
    assert mounts["/etc/nginx/nn-playground"] == (RECIPE / "nn-playground").resolve()
    recipe = (RECIPE / "nn-playground.conf").read_text()
    for include in re.findall(r"include\s+(\S+);", recipe):
        assert (RECIPE / include).is_file(), f"the recipe includes {include}, which deploy/nginx/ lacks"


def test_the_upstreams_are_the_compose_servers_each_with_its_own_file() -> None:
    services = compose()["services"]
    servers = {name: s for name, s in services.items() if s.get("image") == "nn-playground"}
    assert len(servers) == 2, f"two server replicas, not {sorted(servers)}"
    lines = (RECIPE / "nn-playground" / "upstreams.conf").read_text()
    upstreams = re.findall(r"^server\s+([\w.-]+):(\d+)\s+max_fails=0;", lines, flags=re.M)
    # 8000: NNP_PORT in the Dockerfile
    assert sorted(upstreams) == sorted((name, "8000") for name in servers)
    assert 'NNP_PORT=8000' in (ROOT / "Dockerfile").read_text()
    dbs = [s["environment"]["NNP_DB_PATH"] for s in servers.values()]
    assert len(set(dbs)) == len(dbs), "each process its own SQLite file (a session is one process's)"
    for name, s in servers.items():
        assert s["environment"]["NNP_REDIS_URL"].startswith("redis://redis:"), name
        assert any(v.endswith(":/data") for v in s["volumes"]) and all(d.startswith("/data/") for d in dbs), name
    assert "redis" in services


def test_cpu_torch_by_default_and_a_build_argument_for_cuda() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert "ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu" in dockerfile
    assert '--index-url "$TORCH_INDEX" torch' in dockerfile
    args = compose()["x-server"]["build"]["args"]
    assert args["TORCH_INDEX"] == "${TORCH_INDEX:-https://download.pytorch.org/whl/cpu}"
