"""``newsmon run`` (what ``make run`` calls): the whole system on one machine, in one command.

Starts the local stack, creates topics and the index, starts a worker, produces the sample
articles (the project's own, plus ../shared/fixtures when that folder is there), waits until
they are searchable, says where to look, and keeps the worker running until Ctrl-C.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from config import Settings

__all__ = ["REPO_ROOT", "WorkerProcess", "run_everything"]

REPO_ROOT = Path(__file__).resolve().parents[1]


class WorkerProcess:
    """A ``newsmon worker`` child process, with its log in the cache; used by run and bench."""

    def __init__(
        self, settings: Settings, *, env: dict[str, str] | None = None, name: str = "worker"
    ):
        self.settings = settings
        self.log = settings.cache_dir / "stack" / "logs" / f"{name}.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.pidfile = self.log.parent.parent / f"{name}.pid"
        self.env = {**os.environ, **(env or {})}
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, *, timeout: float = 120.0) -> None:
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "newsmon", "worker"],
                stdout=out,
                stderr=subprocess.STDOUT,
                env=self.env,
                start_new_session=True,
            )
        self.pidfile.write_text(f"{self.proc.pid}\n")
        url = f"http://{self.settings.worker_host}:{self.settings.worker_port}/healthz"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the worker exited at start; see {self.log}")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"the worker was not ready within {timeout:.0f}s; see {self.log}")

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def stop(self, *, grace: float = 30.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.pidfile.unlink(missing_ok=True)
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(grace)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _sample_sources(settings: Settings, samples: str | None) -> list[Path]:
    if samples:
        return [Path(samples)]
    sources = [REPO_ROOT / "samples" / "articles.jsonl"]
    shared = settings.shared_dir / "fixtures" / "hasakah-prison.json"
    if shared.is_file():
        sources.append(shared)
    return sources


def run_everything(settings: Settings, *, samples: str | None = None, wait: bool = True) -> int:
    from deploy import stack
    from streams.indexing import ensure_articles_index_sync, sync_client
    from streams.producer import iter_messages, produce_messages
    from streams.topics import ensure_topics

    print("1/4 starting Kafka and Elasticsearch (the first run downloads them)...", flush=True)
    for row in stack.up(settings):
        print("    " + row.line())
    ensure_topics(settings)
    es = sync_client(settings)
    ensure_articles_index_sync(settings, es)

    print("2/4 starting the worker (loads the spaCy model)...", flush=True)
    worker = WorkerProcess(settings)
    worker.start()
    print(f"    worker pid {worker.pid}, log {worker.log}")
    try:
        print("3/4 producing sample articles...", flush=True)
        messages = [
            m for source in _sample_sources(settings, samples) for m in iter_messages(str(source))
        ]
        keys = {key.decode() for key, _ in messages if key}
        report = produce_messages(settings, iter(messages), progress=False)
        print(f"    sent {report.sent}, failed {report.failed}")

        print("4/4 waiting until they are searchable...", flush=True)
        deadline = time.monotonic() + 60
        found = 0
        while time.monotonic() < deadline:
            es.indices.refresh(index=settings.articles_alias)
            found = es.count(index=settings.articles_alias, query={"ids": {"values": list(keys)}})[
                "count"
            ]
            if found >= len(keys):
                break
            time.sleep(1)
        print(f"    {found} of {len(keys)} sample articles indexed\n")
        print(
            "newsmon is running.\n"
            f"  search:         .venv/bin/newsmon search 'clash AND prison' --since 7d\n"
            f"  more articles:  .venv/bin/newsmon produce FILE.jsonl\n"
            f"  dead letters:   .venv/bin/newsmon dlq\n"
            f"  worker health:  http://{settings.worker_host}:{settings.worker_port}/healthz\n"
            f"  metrics:        http://{settings.worker_host}:{settings.worker_port}/metrics\n"
            f"  Elasticsearch:  {settings.es_url}/{settings.articles_alias}/_search\n"
            f"  logs:           {worker.log.parent}\n"
            "Ctrl-C stops the worker; `make stop` stops Kafka and Elasticsearch too."
        )
        if wait:
            assert worker.proc is not None
            worker.proc.wait()
            print(f"the worker exited ({worker.proc.returncode}); see {worker.log}")
            return 1
        return 0
    except KeyboardInterrupt:
        print("\nstopping the worker...")
        return 0
    finally:
        if wait:
            worker.stop()
        else:
            print(f"(the worker keeps running as pid {worker.pid}; `make stop` stops everything)")
