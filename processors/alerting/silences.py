"""Silences: a rule (or every rule) kept quiet for one value of a key until a time.

A desk that has seen enough about one country, place or source for now silences it: matches of
the rule with that value make no alert until the silence ends, and the next alert after it says
how many were silenced. A silence is a record of its own on the rules topic (key
``silence/<id>``), so every worker and every API holds the same silences the way they hold the
rules; lifting one writes it again with who lifted it and when. Like the throttle, a silence
is checked where the worker decides, so a silenced match is counted and never half-sent.

    {"id": "s-1", "rule_id": "deadly-violence", "key": "country", "value": "NG",
     "until": 1765000000, "by": "maria", "note": "covered by the Lagos desk"}

``rule_id`` ``*`` silences every rule for the value.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from processors.alerting.decisions import key_value
from processors.alerting.rules import ENTITY_LABELS, THROTTLE_KEYS
from processors.errors import FieldError, InvalidRule

__all__ = [
    "ANY_RULE",
    "SILENCE_PREFIX",
    "Silence",
    "silence_for",
    "validate_silence",
]

SILENCE_PREFIX = "silence/"
ANY_RULE = "*"
_ID_RE = re.compile(r"[A-Za-z0-9._:-]{1,100}")


class Silence(BaseModel):
    """One silence; ``until`` is Unix time."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    rule_id: str = Field(min_length=1, max_length=200)
    key: str
    value: str = Field(min_length=1, max_length=300)
    until: float
    by: str = ""
    note: str | None = Field(None, max_length=2000)
    created_at: float | None = None
    lifted_by: str | None = None
    lifted_at: float | None = None

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID_RE.fullmatch(value):
            raise ValueError("an id is 1 to 100 letters, digits and ._:-")
        return value

    @field_validator("key")
    @classmethod
    def _key(cls, value: str) -> str:
        if value in THROTTLE_KEYS or (value.startswith("entity:") and value[7:] in ENTITY_LABELS):
            return value
        raise ValueError(
            f"{value!r} is not a key; use one of {', '.join(THROTTLE_KEYS)} or entity:LABEL"
        )

    def active(self, now: float) -> bool:
        return now < self.until and self.lifted_at is None

    def lifted(self, *, by: str, now: float) -> Silence:
        """This silence ended now by ``by``: kept on the topic, so who lifted it is known."""
        return self.model_copy(update={"lifted_by": by, "lifted_at": now})

    def covers(self, rule_id: str, record: dict[str, Any], now: float) -> bool:
        """This silence holds now for ``rule_id`` and the match ``record``'s value of its key
        (compared without case: "ng" silences NG)."""
        if not self.active(now) or self.rule_id not in (rule_id, ANY_RULE):
            return False
        return key_value(self.key, record).casefold() == self.value.casefold()

    @property
    def record_key(self) -> bytes:
        return f"{SILENCE_PREFIX}{self.id}".encode()

    def to_bytes(self) -> bytes:
        return json.dumps(self.model_dump(mode="json"), ensure_ascii=False).encode()


def validate_silence(obj: Any) -> Silence:
    """A silence from JSON, or ``InvalidRule`` listing every bad field (as rules do)."""
    try:
        return Silence.model_validate(obj)
    except ValidationError as exc:
        errors = tuple(
            FieldError(".".join(str(p) for p in e["loc"]) or "(silence)", e["msg"])
            for e in exc.errors()
        )
        fields = "; ".join(f"{e.field}: {e.message}" for e in errors)
        raise InvalidRule(f"the silence is not valid: {fields}", errors=errors) from None


def silence_for(
    silences: Iterable[Silence], rule_id: str, record: dict[str, Any], now: float | None = None
) -> Silence | None:
    """The first silence that holds for this rule's match now, if any."""
    moment = time.time() if now is None else now
    return next((s for s in silences if s.covers(rule_id, record, moment)), None)
