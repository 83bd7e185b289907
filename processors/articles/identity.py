"""Stable article identity: the same story from the same URL always gets the same id.

The id is the Elasticsearch document id and the Kafka key, so a replay or a second copy of a
message overwrites the first instead of adding a duplicate. URLs are canonicalised first, so
tracking parameters, fragments, case of the host and default ports do not make new ids.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

__all__ = ["article_id", "canonical_url"]

_TRACKING_PREFIXES = ("utm_", "mc_", "pk_")
_TRACKING_NAMES = frozenset({"fbclid", "gclid", "dclid", "msclkid", "yclid", "igshid", "ref_src"})
_DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop default port, fragment and tracking parameters.

    Query parameters that remain are sorted, since their order never changes the page.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(_TRACKING_PREFIXES) and key.lower() not in _TRACKING_NAMES
    ]
    path = parts.path or "/"
    return urlunsplit((scheme, host, path, urlencode(sorted(query)), ""))


def article_id(*, url: str | None = None, title: str = "", body: str = "") -> str:
    """Id from the canonical URL when there is one, else from the text itself.

    24 hex digits of SHA-256: short enough to read in a log, 96 bits against collisions.
    """
    if url and url.strip():
        material = "url:" + canonical_url(url)
    else:
        material = "text:" + title.strip() + "\n" + body.strip()
    return hashlib.sha256(material.encode("utf-8")).hexdigest()[:24]
