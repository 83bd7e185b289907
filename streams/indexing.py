"""Writing to Elasticsearch: clients, the articles index behind its alias, bulk indexing,
marking the later copies of an article (``BulkIndexer.mark_duplicates``) and grouping articles
into stories (``BulkIndexer.assign_stories``).

Writes are idempotent (``_id`` = article id) and retried without end while Elasticsearch is down
or overloaded (connection errors, 5xx, 429), with doubling back-off capped by
``es_retry_max_backoff``: the agent simply does not acknowledge its Kafka messages until they
are written, so an outage delays articles and never loses them. Documents Elasticsearch refuses
for good (a 4xx on the item) are returned to the caller, which sends them to the dead-letter
topic with the status and reason.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar

from elasticsearch import ApiError, AsyncElasticsearch, Elasticsearch, TransportError
from elasticsearch.helpers import async_streaming_bulk

from config import DATA_DIR, Settings
from processors.articles.dedup import Copy, first_copy
from processors.articles.stories import STORY_WINDOW, Member, story_of, story_signature

__all__ = [
    "BulkIndexer",
    "ItemFailure",
    "articles_template",
    "async_client",
    "ensure_articles_index",
    "ensure_articles_index_sync",
    "retrying",
    "sync_client",
]

log = logging.getLogger(__name__)
T = TypeVar("T")


def _client_kwargs(settings: Settings) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"hosts": settings.es_hosts, "request_timeout": 30}
    if settings.es_username:
        password = settings.es_password.get_secret_value() if settings.es_password else ""
        kwargs["basic_auth"] = (settings.es_username, password)
    if settings.es_ca_certs is not None:  # ECK and other private CAs: verify, never skip
        kwargs["ca_certs"] = str(settings.es_ca_certs)
    return kwargs


def async_client(settings: Settings) -> AsyncElasticsearch:
    return AsyncElasticsearch(**_client_kwargs(settings))


def sync_client(settings: Settings) -> Elasticsearch:
    return Elasticsearch(**_client_kwargs(settings))


def _template(settings: Settings, filename: str) -> dict[str, Any]:
    raw = (DATA_DIR / filename).read_text().replace("{prefix}", settings.index_prefix)
    body = json.loads(raw)
    body.pop("_comment", None)
    body["template"]["settings"]["number_of_replicas"] = settings.es_replicas
    return body


def articles_template(settings: Settings) -> dict[str, Any]:
    """The articles index template (config/index-articles.json) for this prefix."""
    return _template(settings, "index-articles.json")


def _templates(settings: Settings) -> dict[str, dict[str, Any]]:
    return {
        f"{settings.index_prefix}-articles": articles_template(settings),
        f"{settings.index_prefix}-alerts": _template(settings, "index-alerts.json"),
    }


def ensure_articles_index_sync(settings: Settings, es: Elasticsearch | None = None) -> None:
    """Install the templates and create the first articles index with its write alias."""
    client = es or sync_client(settings)
    for name, body in _templates(settings).items():
        client.indices.put_index_template(name=name, **body)
    if not client.indices.exists_alias(name=settings.articles_alias):
        try:
            client.indices.create(
                index=settings.articles_index,
                aliases={settings.articles_alias: {"is_write_index": True}},
            )
        except ApiError as exc:
            if exc.meta.status != 400 or "already_exists" not in str(exc):
                raise
    for index, mapping in _mappings(settings):  # an older index gains the fields added since
        try:
            client.indices.put_mapping(index=index, **mapping)
        except ApiError as exc:
            _mapping_not_updated(exc)


async def ensure_articles_index(settings: Settings, es: AsyncElasticsearch) -> None:
    """Async twin of ``ensure_articles_index_sync`` for the worker."""
    for name, body in _templates(settings).items():
        await es.indices.put_index_template(name=name, **body)
    if not await es.indices.exists_alias(name=settings.articles_alias):
        try:
            await es.indices.create(
                index=settings.articles_index,
                aliases={settings.articles_alias: {"is_write_index": True}},
            )
        except ApiError as exc:
            if exc.meta.status != 400 or "already_exists" not in str(exc):
                raise
    for index, mapping in _mappings(settings):
        try:
            await es.indices.put_mapping(index=index, **mapping)
        except ApiError as exc:
            _mapping_not_updated(exc)


def _mappings(settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    """The articles alias and the alerts index (made at the first alert) with their fields."""
    articles = articles_template(settings)["template"]["mappings"]
    alerts = _template(settings, "index-alerts.json")["template"]["mappings"]
    return [
        (settings.articles_alias, {"properties": articles["properties"]}),
        (settings.alerts_index, {"properties": alerts["properties"]}),
    ]


def _mapping_not_updated(exc: ApiError) -> None:
    """A field whose type changed cannot be updated in place: say so, and carry on with the
    index as it is (new fields are added; a reindex is the fix for a changed one). An alerts
    index not made yet (404) is made from the template at the first alert."""
    if exc.meta.status == 404:
        return
    if exc.meta.status != 400:
        raise exc
    log.warning("index mapping not updated", extra={"error": str(exc)[:300]})


async def retrying(
    call: Callable[[], Awaitable[T]],
    what: str,
    *,
    max_backoff: float,
    on_retry: Callable[[], object] | None = None,
) -> T:
    """``await call()`` until Elasticsearch answers it: outages and 429/5xx are retried with
    exponential backoff, a 4xx other than 429 (a bug in the request) is raised."""
    backoff = 0.5
    attempt = 0
    while True:
        attempt += 1
        try:
            return await call()
        except (TimeoutError, TransportError, ApiError, OSError) as exc:
            if (
                isinstance(exc, ApiError)
                and 400 <= exc.meta.status < 500
                and exc.meta.status != 429
            ):
                raise
            log.warning(
                "elasticsearch unavailable, retrying",
                extra={
                    "call": what,
                    "attempt": attempt,
                    "retry_in_s": backoff,
                    "error": repr(exc)[:300],
                },
            )
            if on_retry is not None:
                on_retry()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, max_backoff)


def _copies_query(doc: dict[str, Any]) -> dict[str, Any]:
    """Articles sharing a fingerprint band with ``doc`` (its own stored version included),
    the first seen first."""
    return {
        "size": 20,
        "_source": ["enriched_at", "first_seen", "fingerprint.minhash"],
        "query": {
            "bool": {"filter": [{"terms": {"fingerprint.bands": doc["fingerprint"]["bands"]}}]}
        },
        "sort": [{"first_seen": {"order": "asc", "unmapped_type": "date"}}, {"id": "asc"}],
    }


def _story_query(doc_id: str, doc: dict[str, Any]) -> dict[str, Any]:
    """Articles that may be of ``doc``'s story: seen in the ``STORY_WINDOW`` before it and
    sharing a key (its event, a name), those sharing the most and the rarest first; and the
    stored version of ``doc`` itself and its original, whatever their age."""
    seen = doc["first_seen"]
    keys = doc["story_sig"]["keys"]
    should: list[dict[str, Any]] = [
        {"ids": {"values": [doc_id, *([doc["duplicate_of"]] if doc.get("duplicate_of") else [])]}}
    ]
    if keys:
        should.append(
            {
                "bool": {
                    "should": [{"term": {"story_sig.keys": key}} for key in keys],
                    "minimum_should_match": 1,
                    "filter": [
                        {
                            "range": {
                                "first_seen": {
                                    "gte": _iso(_parse_iso(seen) - STORY_WINDOW),
                                    "lte": seen,
                                }
                            }
                        }
                    ],
                }
            }
        )
    return {
        "size": 50,
        "_source": ["first_seen", "enriched_at", "story", "story_sig", "duplicate_of"],
        "query": {"bool": {"should": should, "minimum_should_match": 1}},
    }


def _parse_iso(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _member(doc_id: str, source: dict[str, Any]) -> Member:
    return Member(
        doc_id,
        str(source.get("first_seen") or source.get("enriched_at") or ""),
        source.get("story"),
        source.get("story_sig") or {},
        source.get("duplicate_of"),
    )


def _copy(doc_id: str, source: dict[str, Any]) -> Copy:
    return Copy(
        doc_id,
        str(source.get("first_seen") or source.get("enriched_at") or ""),
        (source.get("fingerprint") or {}).get("minhash") or [],
    )


@dataclass(frozen=True)
class ItemFailure:
    """One document Elasticsearch refused for good."""

    doc_id: str
    status: int
    reason: str


class BulkIndexer:
    """Bulk-index documents by id into one index or alias, retrying outages until they pass.

    ``create_only=True`` writes a document only if its id is new, and counts "already there" as
    done: for records that people change after they are written (an alert's acknowledgement),
    so that a replay of the topic after a crash cannot put the original back over the change.
    """

    def __init__(
        self,
        es: AsyncElasticsearch,
        index: str,
        *,
        chunk_size: int = 500,
        max_backoff: float = 30.0,
        on_retry: Any = None,
        create_only: bool = False,
    ) -> None:
        self.es = es
        self.index = index
        self.op_type = "create" if create_only else "index"
        self.chunk_size = chunk_size
        self.max_backoff = max_backoff
        self.on_retry = on_retry

    async def index_documents(
        self, docs: Sequence[tuple[str, dict[str, Any]]]
    ) -> list[ItemFailure]:
        """Write ``(id, document)`` pairs; return the refused ones. Blocks while ES is down."""
        return await retrying(
            lambda: self._bulk(docs), "bulk", max_backoff=self.max_backoff, on_retry=self.on_retry
        )

    async def mark_duplicates(self, docs: Sequence[tuple[str, dict[str, Any]]]) -> int:
        """Set ``first_seen`` and ``duplicate_of`` on documents about to be written: a document
        that nearly duplicates one seen before it (indexed, or earlier in this batch) is a
        copy of the earliest such (processors/articles/dedup.py). One ``msearch`` on the fingerprint
        bands finds the candidates. ``first_seen`` survives re-indexing, so a replay of the
        first copy stays the first. Blocks while ES is down. Returns how many were marked."""
        wanted = [(doc_id, doc) for doc_id, doc in docs if doc.get("fingerprint")]
        if not wanted:
            return 0
        searches: list[dict[str, Any]] = []
        for _, doc in wanted:
            searches += [{"index": self.index}, _copies_query(doc)]
        found = await retrying(
            lambda: self.es.msearch(searches=searches),
            "duplicate search",
            max_backoff=self.max_backoff,
            on_retry=self.on_retry,
        )
        earlier_by_doc = []
        for (doc_id, doc), response in zip(wanted, found["responses"], strict=True):
            hits = [] if "error" in response else response["hits"]["hits"]
            earlier = [_copy(hit["_id"], hit.get("_source") or {}) for hit in hits]
            stored = next((c for c in earlier if c.id == doc_id), None)  # a replay
            doc["first_seen"] = min(
                doc.get("enriched_at") or "", stored.first_seen if stored else "~"
            )
            earlier_by_doc.append(earlier)
        batch = [_copy(doc_id, doc) for doc_id, doc in wanted]
        marked = 0
        for (doc_id, doc), earlier in zip(wanted, earlier_by_doc, strict=True):
            first = first_copy(
                doc_id, doc["first_seen"], doc["fingerprint"]["minhash"], earlier + batch
            )
            doc["duplicate_of"] = first
            marked += first is not None
        return marked

    async def assign_stories(self, docs: Sequence[tuple[str, dict[str, Any]]]) -> int:
        """Set ``story_sig`` and ``story`` on documents about to be written (after
        ``mark_duplicates``): the story of the earliest article before each that is one story
        with it, indexed or earlier in this batch (processors/articles/stories.py). A document
        stored
        before keeps its story, so a replay changes none. One ``msearch`` finds the candidates;
        blocks while ES is down. Returns how many joined an earlier article's story."""
        if not docs:
            return 0
        searches: list[dict[str, Any]] = []
        for doc_id, doc in docs:
            doc["story_sig"] = story_signature(doc)
            doc.setdefault("first_seen", doc.get("enriched_at") or _iso(datetime.now(UTC)))
            searches += [{"index": self.index}, _story_query(doc_id, doc)]
        found = await retrying(
            lambda: self.es.msearch(searches=searches),
            "story search",
            max_backoff=self.max_backoff,
            on_retry=self.on_retry,
        )
        candidates: list[list[Member]] = []
        for (doc_id, doc), response in zip(docs, found["responses"], strict=True):
            hits = [] if "error" in response else response["hits"]["hits"]
            members = [_member(hit["_id"], hit.get("_source") or {}) for hit in hits]
            stored = next((m for m in members if m.id == doc_id), None)
            if stored is not None and stored.first_seen:  # a replay: seen when first seen
                doc["first_seen"] = min(doc["first_seen"], stored.first_seen)
            if stored is not None and stored.story:
                doc["story"] = stored.story
            candidates.append(members)
        joined = 0
        done: list[Member] = []  # this batch, earliest first, stories settled
        order = sorted(range(len(docs)), key=lambda i: (docs[i][1]["first_seen"], docs[i][0]))
        for i in order:
            doc_id, doc = docs[i]
            own = _member(doc_id, doc)
            if not doc.get("story"):
                doc["story"] = story_of(own, candidates[i] + done)
            joined += doc["story"] != doc_id
            done.append(_member(doc_id, doc))
        return joined

    async def _bulk(self, docs: Sequence[tuple[str, dict[str, Any]]]) -> list[ItemFailure]:
        actions = [
            {"_op_type": self.op_type, "_index": self.index, "_id": doc_id, "_source": doc}
            for doc_id, doc in docs
        ]
        failures: list[ItemFailure] = []
        async for ok, item in async_streaming_bulk(
            self.es,
            actions,
            chunk_size=self.chunk_size,
            max_retries=8,
            initial_backoff=0.5,
            max_backoff=self.max_backoff,
            raise_on_error=False,
            raise_on_exception=True,
        ):
            if not ok:
                result = next(iter(item.values()))
                status = int(result.get("status", 0))
                if status == 429 or status >= 500:
                    raise TransportError(f"bulk item {result.get('_id')} got {status}")
                if status == 409 and self.op_type == "create":
                    continue  # written before (a replay): the stored one stands
                error = result.get("error") or {}
                reason = f"{error.get('type', 'error')}: {error.get('reason', '')}".strip()
                failures.append(ItemFailure(str(result.get("_id")), status, reason))
        return failures
