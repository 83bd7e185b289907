"""Where a worker runs spaCy: in a child process of its own (the default) or in a thread.

In one process, spaCy shares the interpreter lock with everything else the worker does (the
Kafka clients, the index agent's bulk requests, decoding and matching enriched articles):
measured with py-spy on a worker under a backlog, the event loop held the lock a tenth of the
time, and the pipeline ran at about 0.72 of the same enrichment offline. In a child process
spaCy has a lock, and a core, of its own; the worker sends it the raw messages of a part and
gets back ``Outcome``s (both pickle small next to the parse).

A child that dies (killed, out of memory, or an input that crashes the parser) breaks its pool:
a new child is started and the part enriched again, article by article, so that an article
that kills a child again goes to the dead-letter topic alone (``enrichment_crashed``) and the
others go on. A child whose worker died (SIGKILL leaves no time to stop it) notices within a
second and exits.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from config import Settings
from processors.enrich import Enricher, Outcome
from processors.errors import InvalidArticle

__all__ = ["EnrichmentRunner"]

log = logging.getLogger(__name__)

_CHILD: Enricher | None = None  # in the child: the enricher it loaded


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)  # the worker is gone: nobody will read what this process makes


def _child_start(parent: int, model: str, exclude: tuple[str, ...], max_body_chars: int,
                 log_level: str, log_format: str) -> None:  # fmt: skip
    global _CHILD
    from config.logs import configure_logging

    configure_logging(log_level, log_format)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    _CHILD = Enricher(model=model, exclude=exclude, max_body_chars=max_body_chars)


def _child_ready() -> str:
    assert _CHILD is not None
    return str(_CHILD.pipeline_info["model"])


def _child_process(values: list[bytes | None]) -> list[Outcome]:
    assert _CHILD is not None
    return _CHILD.process_messages(values)


class EnrichmentRunner:
    """Runs ``Enricher.process_messages`` for the enrich agent, off its event loop.

    ``in_child`` (the setting ``enrich_in_child``) puts the enricher in a child process;
    else it is loaded in this process and run in a thread. ``load()`` blocks until the model
    is loaded, so a worker can call it before it joins its consumer group."""

    def __init__(self, settings: Settings, *, in_child: bool | None = None) -> None:
        self.settings = settings
        self.in_child = settings.enrich_in_child if in_child is None else in_child
        self.enricher: Enricher | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nlp")

    @property
    def loaded(self) -> bool:
        return self._pool is not None if self.in_child else self.enricher is not None

    def load(self) -> None:
        """Load the model (in the child, or here); blocks until it is ready."""
        if self.loaded:
            return
        if not self.in_child:
            self.enricher = Enricher.from_settings(self.settings)
            return
        s = self.settings
        pool = ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_child_start,
            initargs=(os.getpid(), s.spacy_model, tuple(s.spacy_exclude), s.max_body_chars,
                      s.log_level, s.log_format),
        )  # fmt: skip
        model = pool.submit(_child_ready).result()
        log.info("enrichment process ready", extra={"model": model})
        self._pool = pool

    async def process(self, values: Sequence[bytes | None]) -> list[Outcome]:
        """The outcomes of raw message values, in order."""
        loop = asyncio.get_running_loop()
        if not self.loaded:
            await loop.run_in_executor(self._thread, self.load)
        if self._pool is None:
            assert self.enricher is not None
            return await loop.run_in_executor(
                self._thread, self.enricher.process_messages, list(values)
            )
        try:
            return await asyncio.wrap_future(self._pool.submit(_child_process, list(values)))
        except BrokenProcessPool:
            log.warning("the enrichment process died; starting another", extra={"n": len(values)})
            await loop.run_in_executor(self._thread, self._restart)
            if len(values) == 1:
                return [_crashed()]
            return [outcome for value in values for outcome in await self.process([value])]

    def _restart(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None
        self.load()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._thread.shutdown(wait=False)

    def child_pids(self) -> list[int]:
        """The child's process id, if it runs (for memory figures)."""
        processes: dict[int, Any] = getattr(self._pool, "_processes", None) or {}
        return list(processes)


def _crashed() -> Outcome:
    return Outcome(
        error=InvalidArticle(
            "enrichment_crashed",
            "enriching this article killed the enrichment process twice (the second time "
            "alone); it is set aside so that the articles after it go on",
        )
    )
