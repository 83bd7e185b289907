"""The enrichment step: message bytes in, enriched articles (or rejections) out, in batches.

This is the one code path both the ``enrich`` agent and the offline ``newsmon enrich`` command
run, so what the evaluation measures is what production does. It validates each message, builds
the clean text, runs every English text of the batch through one ``nlp.pipe`` call and assembles
the enriched article of the data contract (see DESIGN.md).
"""

from __future__ import annotations

import functools
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from spacy.language import Language

from processors.articles.dedup import fingerprint
from processors.articles.validation import decode_article, validate_article
from processors.errors import InvalidArticle
from processors.events.extractor import finalize_events
from processors.nlp.entities import entity_dicts
from processors.nlp.pipeline import cached_pipeline, model_label
from processors.nlp.spans import keep_text
from processors.text.clean import article_text
from processors.text.language import detect_language
from processors.text.truecase import truecase

__all__ = ["Enricher", "Outcome", "newsmon_version", "pipeline_version"]

log = logging.getLogger(__name__)


def newsmon_version() -> str:
    try:
        return version("newsmon")
    except PackageNotFoundError:  # running from a source tree that is not installed
        return "0+unknown"


@functools.cache
def pipeline_version() -> str:
    """Which enrichment made an article: the package version and a digest of the data that
    steers it (config/: vocabularies, taxonomy, pipeline composition), so a change of rules
    without a release still tells old enrichments from new (``newsmon reprocess``)."""
    folder = Path(__file__).resolve().parent.parent / "config"
    digest = hashlib.sha256()
    for path in sorted([*folder.glob("*.yaml"), *folder.glob("*.toml")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return f"{newsmon_version()}+{digest.hexdigest()[:10]}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of one input: an enriched ``article``, or the ``error`` that rejected it."""

    article: dict[str, Any] | None = None
    error: InvalidArticle | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def _as_written(items: list[dict[str, Any]], text: str, key: str) -> list[dict[str, Any]]:
    """Names as the article writes them (the NER may have read a recased copy)."""
    for item in items:
        item[key] = text[item["start"] : item["end"]]
    return items


def _events(doc: Any, text: str, published_at: str | None) -> list[dict[str, Any]]:
    events = _ext(doc, "events", [])
    finalize_events(events, text, published_at)
    return events


def _ext(doc: Any, name: str, default: Any) -> Any:
    """A Doc extension's value when the pipeline has the component that sets it."""
    if doc is None or not doc.has_extension(name):
        return default
    value = getattr(doc._, name)
    return default if value is None else value


class Enricher:
    """Holds the loaded pipeline; turns batches of messages into ``Outcome``s, order kept."""

    def __init__(
        self,
        *,
        model: str,
        exclude: Sequence[str] = (),
        max_body_chars: int,
        nlp: Language | None = None,
    ) -> None:
        self.nlp = nlp if nlp is not None else cached_pipeline(model, tuple(exclude))
        self.max_body_chars = max_body_chars
        self.pipeline_info = {"version": pipeline_version(), "model": model_label(self.nlp)}
        places = (
            self.nlp.get_pipe("newsmon_places") if "newsmon_places" in self.nlp.pipe_names else None
        )
        self._known = places.gazetteer.has_name if places is not None else (lambda _: False)

    @classmethod
    def from_settings(cls, settings: Any) -> Enricher:
        return cls(
            model=settings.spacy_model,
            exclude=settings.spacy_exclude,
            max_body_chars=settings.max_body_chars,
        )

    def process_messages(self, values: Sequence[bytes | None]) -> list[Outcome]:
        """Decode, validate and enrich raw message values; bad ones become rejections."""
        return self._process([self._decode(value) for value in values])

    def process_objects(self, objects: Sequence[Any]) -> list[Outcome]:
        """The same for already-parsed JSON values (tests, tools)."""
        return self._process([self._validate(obj) for obj in objects])

    def _decode(self, value: bytes | None) -> dict[str, Any] | InvalidArticle:
        try:
            return decode_article(value, max_body_chars=self.max_body_chars)
        except InvalidArticle as exc:
            return exc

    def _validate(self, obj: Any) -> dict[str, Any] | InvalidArticle:
        try:
            return validate_article(obj, max_body_chars=self.max_body_chars)
        except InvalidArticle as exc:
            return exc

    def _process(self, items: list[dict[str, Any] | InvalidArticle]) -> list[Outcome]:
        good = [item for item in items if isinstance(item, dict)]
        try:
            enriched: list[dict[str, Any] | InvalidArticle] = list(self.enrich(good))
        except Exception:  # a bug or a pathological text: find the culprit, keep the rest
            log.exception("batch enrichment failed; retrying its articles one by one")
            enriched = [self._enrich_one(article) for article in good]
        results = iter(enriched)
        outcomes = []
        for item in items:
            result = item if isinstance(item, InvalidArticle) else next(results)
            if isinstance(result, InvalidArticle):
                outcomes.append(Outcome(error=result))
            else:
                outcomes.append(Outcome(article=result))
        return outcomes

    def _enrich_one(self, article: dict[str, Any]) -> dict[str, Any] | InvalidArticle:
        try:
            return self.enrich([article])[0]
        except Exception as exc:
            log.exception("enrichment failed", extra={"article_id": article.get("id")})
            return InvalidArticle(
                "enrich_failed",
                f"enrichment raised {type(exc).__name__}: {exc}; this is a newsmon bug, please "
                "report it with the dead-letter record",
            )

    def enrich(self, articles: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        """Enrich validated articles (``id`` set); one ``nlp.pipe`` call for the batch."""
        now = datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
        prepared = []
        for article in articles:
            text, body_at = article_text(article.get("title"), article.get("body"))
            lang = detect_language(text, article.get("language"))
            prepared.append((article, text, body_at, lang))
        # the NER reads a copy with shouted lines recased; offsets are unchanged
        english = []
        for article, text, body_at, lang in prepared:
            if lang == "en":
                recased = truecase(text, self._known)
                doc = self.nlp.make_doc(recased)
                keep_text(doc, recased)
                doc._.title_end = body_at  # the headline summarises; events read it so
                doc._.published = article.get("published_at")  # a year before it is past
                english.append(doc)
        docs = iter(self.nlp.pipe(english, batch_size=max(1, len(english))))
        out = []
        for article, text, body_at, lang in prepared:
            doc = next(docs) if lang == "en" else None
            out.append(
                {
                    **article,
                    "text": text,
                    "lang": lang,
                    "entities": _as_written(entity_dicts(doc), text, "text") if doc else [],
                    "places": _as_written(_ext(doc, "places", []), text, "name"),
                    "countries": _ext(doc, "countries", []),
                    "regions": _ext(doc, "regions", []),
                    "location": _ext(doc, "location", None),
                    "events": _events(doc, text, article.get("published_at")),
                    # of the body: the same story under another headline is still a copy
                    "fingerprint": fingerprint(text[body_at:] if body_at < len(text) else text),
                    "duplicate_of": None,  # decided at indexing, against the articles indexed
                    "enriched_at": now,
                    "pipeline": self.pipeline_info,
                }
            )
        return out
