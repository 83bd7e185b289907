"""An OpenSearch node with the percolator, assembled from Maven Central: the stock alternative
that ``newsmon bench percolator`` measures newsmon's rule matcher against.

The node is OpenSearch's own minimal distribution (``org.opensearch.distribution.integ-test-zip``,
which ships only the transport module) with the percolator module added from its Maven jar
(``org.opensearch.plugin:percolator-client``) and a plugin descriptor written here, as the full
distribution would lay it out. Both are checked against the SHA-512 pinned below (the digests
Maven Central publishes) and kept in the per-user cache. It runs on 127.0.0.1 with a small heap,
its data in a temporary folder, for the length of a benchmark; as root it runs in a user
namespace, like the local Elasticsearch (``deploy.stack.user_namespace_prefix``).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
import zipfile
from pathlib import Path
from typing import Any

from deploy.artifacts import MAVEN_CENTRAL, _download, _sha
from deploy.stack import user_namespace_prefix
from processors.errors import StackError

__all__ = ["OS_VERSION", "PercolatorNode", "fetch_opensearch"]

OS_VERSION = "2.19.6"  # the newest 2.19 served; 3.x needs Java 21
_ZIP_SHA512 = (
    "8adbfaa13162b8d42b388ece6b39bfb7f1a349ab9c128d4eced78ba1dd43b5a1"
    "0850b43b8aac19fa5ab11f4d5c355ddf6f6617514d6112b0936a1903005d1d36"
)
_PERCOLATOR_SHA512 = (
    "079e6fa3062dcf70fa3faee2bb527e6479d0e2988218c64112c9fd7669e42e15"
    "907602947e47a5c507b0b3a4fb8bb0e62c8a8116ad0e3eed58e3450467f958f1"
)
_DESCRIPTOR = """description=Percolator module (added by newsmon from its Maven jar)
version={version}
name=percolator
classname=org.opensearch.percolator.PercolatorPlugin
java.version=11
opensearch.version={version}
"""


def _fetched(url: str, dest: Path, sha512: str) -> Path:
    if dest.is_file() and _sha(dest, "sha512") == sha512:
        return dest
    _download(url, dest)
    actual = _sha(dest, "sha512")
    if actual != sha512:
        dest.unlink()
        raise StackError(f"{url} has SHA-512 {actual[:16]}..., not the pinned {sha512[:16]}...")
    return dest


def fetch_opensearch(cache: Path) -> Path:
    """OPENSEARCH_HOME with the percolator module in place, fetched and verified if needed."""
    home = cache / f"opensearch-{OS_VERSION}"
    marker = home / ".newsmon-verified"
    stamp = hashlib.sha256((_ZIP_SHA512 + _PERCOLATOR_SHA512).encode()).hexdigest()
    if marker.is_file() and marker.read_text().strip() == stamp:
        return home
    downloads = cache / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    archive = _fetched(
        f"{MAVEN_CENTRAL}/org/opensearch/distribution/integ-test-zip/opensearch/{OS_VERSION}/"
        f"opensearch-{OS_VERSION}.zip",
        downloads / f"opensearch-{OS_VERSION}.zip",
        _ZIP_SHA512,
    )
    jar = _fetched(
        f"{MAVEN_CENTRAL}/org/opensearch/plugin/percolator-client/{OS_VERSION}/"
        f"percolator-client-{OS_VERSION}.jar",
        downloads / f"percolator-client-{OS_VERSION}.jar",
        _PERCOLATOR_SHA512,
    )
    staging = cache / f"opensearch-{OS_VERSION}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(staging)
    inner = staging / f"opensearch-{OS_VERSION}"
    for folder in ("bin", "jdk/bin"):
        for script in (inner / folder).glob("*") if (inner / folder).is_dir() else []:
            script.chmod(0o755)
    module = inner / "modules" / "percolator"
    module.mkdir(parents=True)
    shutil.copy2(jar, module / jar.name)
    (module / "plugin-descriptor.properties").write_text(_DESCRIPTOR.format(version=OS_VERSION))
    shutil.rmtree(home, ignore_errors=True)
    inner.rename(home)
    shutil.rmtree(staging, ignore_errors=True)
    marker.write_text(stamp + "\n")
    return home


class PercolatorNode:
    """A single OpenSearch node on 127.0.0.1:``port`` for as long as the ``with`` block lasts."""

    def __init__(self, cache: Path, *, port: int, heap_mb: int = 512) -> None:
        self.cache = cache
        self.port = port
        self.heap_mb = heap_mb
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None
        self.workdir: Path | None = None
        self.log = cache / "stack" / "logs" / "opensearch-percolator.log"

    def __enter__(self) -> PercolatorNode:
        home = fetch_opensearch(self.cache)
        self.workdir = Path(tempfile.mkdtemp(prefix="newsmon-opensearch-"))
        config = self.workdir / "config"
        shutil.copytree(home / "config", config)
        (config / "jvm.options.d").mkdir(exist_ok=True)
        (config / "jvm.options.d" / "heap.options").write_text(
            f"-Xms{self.heap_mb}m\n-Xmx{self.heap_mb}m\n"
        )
        (config / "opensearch.yml").write_text(
            "\n".join(
                [
                    "cluster.name: newsmon-percolator-bench",
                    "node.name: percolator",
                    "network.host: 127.0.0.1",
                    f"http.port: {self.port}",
                    "transport.port: 0",  # any free one: nothing joins this node
                    "discovery.type: single-node",
                    f"path.data: {self.workdir / 'data'}",
                    f"path.logs: {self.workdir / 'logs'}",
                    "cluster.routing.allocation.disk.threshold_enabled: false",
                ]
            )
            + "\n"
        )
        env = {
            **os.environ,
            "OPENSEARCH_PATH_CONF": str(config),
            "OPENSEARCH_JAVA_HOME": os.environ.get("JAVA_HOME") or _java_home(),
        }
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [*user_namespace_prefix(), str(home / "bin" / "opensearch")],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
            )
        self._wait_ready(timeout=180)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None
            if self.proc.poll() is not None:
                raise StackError(f"OpenSearch exited at start; see {self.log}")
            try:
                health = self.request("GET", "/_cluster/health?wait_for_status=yellow&timeout=2s")
                if health.get("status") in ("yellow", "green"):
                    return
            except OSError:
                pass
            time.sleep(1)
        raise StackError(f"OpenSearch was not ready within {timeout:.0f} s; see {self.log}")

    def request(self, method: str, path: str, body: Any = None, *, ndjson: bool = False) -> Any:
        data = None
        headers = {"Content-Type": "application/x-ndjson" if ndjson else "application/json"}
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
        request = urllib.request.Request(self.url + path, data=data, method=method, headers=headers)
        with urllib.request.urlopen(request, timeout=300) as response:
            return json.loads(response.read() or b"{}")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)


def _java_home() -> str:
    java = shutil.which("java")
    if java is None:
        raise StackError("OpenSearch needs Java 17 (`java` on PATH or JAVA_HOME)")
    return str(Path(os.path.realpath(java)).parents[1])
