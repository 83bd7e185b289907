"""Fetching the local stack's servers from Maven Central into the per-user cache, verified.

- Kafka: ``org.apache.kafka:kafka_2.13`` and its runtime dependencies, plus a log4j2 binding,
  resolved by Maven (``mvn -C``: every jar is checked against Central's checksums) into
  ``<cache>/kafka-<version>/lib``. A SHA-256 manifest of the jars is written beside them and
  checked on every start, so a damaged cache is noticed and fetched again.
- Elasticsearch: the server distribution ``org.elasticsearch.distribution.integ-test-zip``,
  checked against the SHA-512 pinned below, then unpacked into ``<cache>/elasticsearch-<version>``.

Downloads go to ``*.partial`` names and are renamed when complete, so an interrupted fetch is
redone rather than half-used. Nothing is written inside the project checkout.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import urllib.request
import zipfile
from pathlib import Path

from processors.errors import StackError

__all__ = [
    "ES_SHA512",
    "ES_VERSION",
    "KAFKA_VERSION",
    "fetch_elasticsearch",
    "fetch_kafka",
]

MAVEN_CENTRAL = "https://repo1.maven.org/maven2"
KAFKA_VERSION = "4.1.1"
SLF4J_VERSION = "2.0.17"
LOG4J_VERSION = "2.25.3"
ES_VERSION = "8.19.21"
ES_SHA512 = (
    "cf6b0a93860d329937ae7f913ec5073b0c726c77639764b93fc83a304aa1dd9d"
    "4defcfa2849948eea3b0b47c2065f994908603939fc2a4774c9c4d868c5ec1dd"
)
_MANIFEST = "lib.sha256"

_KAFKA_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.newsmon</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>{kafka}</version>
  <packaging>pom</packaging>
  <description>Runtime class path of the newsmon local Kafka broker (generated).</description>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId>
      <version>{kafka}</version>
    </dependency>
    <dependency>
      <groupId>org.slf4j</groupId><artifactId>slf4j-api</artifactId>
      <version>{slf4j}</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j2-impl</artifactId>
      <version>{log4j}</version>
    </dependency>
  </dependencies>
</project>
"""


def _sha(path: Path, algorithm: str) -> str:
    digest = hashlib.new(algorithm)
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest_ok(lib: Path) -> bool:
    manifest = lib.parent / _MANIFEST
    if not lib.is_dir() or not manifest.is_file():
        return False
    expected = {}
    for line in manifest.read_text().splitlines():
        digest, _, name = line.partition("  ")
        expected[name] = digest
    present = {p.name for p in lib.glob("*.jar")}
    if present != set(expected) or not expected:
        return False
    return all(_sha(lib / name, "sha256") == digest for name, digest in expected.items())


def fetch_kafka(cache: Path, *, log: Path) -> Path:
    """The folder of Kafka broker jars, fetched unless the cache already holds a verified set."""
    home = cache / f"kafka-{KAFKA_VERSION}"
    lib = home / "lib"
    if _manifest_ok(lib):
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise StackError(
            "Maven (`mvn`) is needed once to fetch the Kafka broker jars from Maven Central; "
            "install it (apt-get install maven) and run `newsmon stack up` again"
        )
    home.mkdir(parents=True, exist_ok=True)
    (home / "pom.xml").write_text(
        _KAFKA_POM.format(kafka=KAFKA_VERSION, slf4j=SLF4J_VERSION, log4j=LOG4J_VERSION)
    )
    partial = home / "lib.partial"
    shutil.rmtree(partial, ignore_errors=True)
    command = [
        mvn, "-B", "-q", "-C", "-f", str(home / "pom.xml"),
        "dependency:copy-dependencies",
        f"-DoutputDirectory={partial}", "-DincludeScope=runtime",
    ]  # fmt: skip
    with log.open("ab") as out:
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, check=False)
    if done.returncode != 0 or not any(partial.glob("kafka_2.13-*.jar")):
        raise StackError(
            f"Maven could not fetch Kafka {KAFKA_VERSION} (exit {done.returncode}); see {log}. "
            "Check that Maven Central (repo1.maven.org) is reachable."
        )
    shutil.rmtree(lib, ignore_errors=True)
    partial.rename(lib)
    lines = [f"{_sha(jar, 'sha256')}  {jar.name}" for jar in sorted(lib.glob("*.jar"))]
    (home / _MANIFEST).write_text("\n".join(lines) + "\n")
    return lib


def _download(url: str, dest: Path) -> None:
    partial = dest.with_name(dest.name + ".partial")
    try:
        with urllib.request.urlopen(url, timeout=60) as response, partial.open("wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StackError(f"could not download {url}: {exc}") from exc
    partial.rename(dest)


def fetch_elasticsearch(cache: Path) -> Path:
    """ES_HOME of the unpacked distribution, downloaded and verified unless already cached."""
    home = cache / f"elasticsearch-{ES_VERSION}"
    marker = home / ".newsmon-verified"
    if marker.is_file() and marker.read_text().strip() == ES_SHA512:
        return home
    downloads = cache / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    archive = downloads / f"elasticsearch-{ES_VERSION}.zip"
    if not archive.is_file() or _sha(archive, "sha512") != ES_SHA512:
        url = (
            f"{MAVEN_CENTRAL}/org/elasticsearch/distribution/integ-test-zip/elasticsearch/"
            f"{ES_VERSION}/elasticsearch-{ES_VERSION}.zip"
        )
        _download(url, archive)
        actual = _sha(archive, "sha512")
        if actual != ES_SHA512:
            archive.unlink()
            raise StackError(
                f"{url} has SHA-512 {actual[:16]}..., not the pinned {ES_SHA512[:16]}...; "
                "the download is damaged or was altered: run `newsmon stack up` again"
            )
    staging = cache / f"elasticsearch-{ES_VERSION}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    with zipfile.ZipFile(archive) as zf:
        zf.extractall(staging)
    inner = staging / f"elasticsearch-{ES_VERSION}"
    for script in (inner / "bin").iterdir():
        script.chmod(0o755)
    shutil.rmtree(home, ignore_errors=True)
    inner.rename(home)
    shutil.rmtree(staging, ignore_errors=True)
    marker.write_text(ES_SHA512 + "\n")
    return home
