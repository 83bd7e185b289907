"""The one HTTP client of outbound requests: webhook deliveries, feeds and the pages they link.

Every request goes through ``GuardedClient``, which applies ``processors.outbound``'s policy
where it counts: a literal address is checked before connecting; a name is resolved by the
client's own resolver, which checks every address it returns, so the connection is made to an
address that was checked (no window for DNS rebinding between check and connect). Redirects
are followed by hand, at most ``MAX_REDIRECTS``, each target checked the same way. A body
larger than ``NEWSMON_OUTBOUND_MAX_BYTES`` is refused while it is read, and each request is
bounded by ``NEWSMON_OUTBOUND_TIMEOUT`` seconds.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from multidict import CIMultiDictProxy

from config import Settings
from processors.errors import OutboundRefused
from processors.outbound import OutboundPolicy

__all__ = ["MAX_REDIRECTS", "Fetched", "GuardedClient", "OutboundRefused"]

MAX_REDIRECTS = 5
_REDIRECTS = (301, 302, 303, 307, 308)


class _CheckedResolver(AbstractResolver):
    """Resolves as aiohttp would, then refuses the name unless every address is allowed."""

    def __init__(self, policy: OutboundPolicy) -> None:
        self._policy = policy
        self._inner = aiohttp.ThreadedResolver()

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        self._policy.check_addresses(host, [str(r["host"]) for r in found])
        return found

    async def close(self) -> None:
        await self._inner.close()


@dataclass(frozen=True)
class Fetched:
    """A response read in full (within the size limit)."""

    status: int
    headers: CIMultiDictProxy[str]
    content: bytes
    url: str

    @property
    def text(self) -> str:
        charset = "utf-8"
        for part in self.headers.get("content-type", "").split(";"):
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                charset = value.strip("\"'")
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:  # a charset Python does not know
            return self.content.decode("utf-8", errors="replace")


class GuardedClient:
    """An aiohttp session whose every request obeys the outbound policy (use ``async with``)."""

    def __init__(
        self,
        settings: Settings,
        *,
        policy: OutboundPolicy | None = None,
        user_agent: str = "newsmon",
    ) -> None:
        self.policy = policy or OutboundPolicy.parse(settings.outbound_allow)
        self.max_bytes = settings.outbound_max_bytes
        self.timeout = aiohttp.ClientTimeout(total=settings.outbound_timeout)
        self.user_agent = user_agent
        self._session: aiohttp.ClientSession | None = None

    async def open(self) -> GuardedClient:
        """Start the session (``async with`` does it too); ``close`` ends it."""
        connector = aiohttp.TCPConnector(
            resolver=_CheckedResolver(self.policy), use_dns_cache=False
        )
        self._session = aiohttp.ClientSession(connector=connector, timeout=self.timeout)
        return self

    async def __aenter__(self) -> GuardedClient:
        return await self.open()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def get(self, url: str, *, headers: dict[str, str] | None = None) -> Fetched:
        """GET ``url``, following allowed redirects."""
        return await self.request("GET", url, headers=headers)

    async def post(
        self, url: str, *, data: bytes, headers: dict[str, str] | None = None
    ) -> Fetched:
        """POST ``data`` to ``url``; a redirect is not followed but returned (a webhook
        answers itself)."""
        return await self.request("POST", url, data=data, headers=headers, redirects=0)

    async def request(
        self,
        method: str,
        url: str,
        *,
        data: bytes | None = None,
        headers: dict[str, str] | None = None,
        redirects: int = MAX_REDIRECTS,
    ) -> Fetched:
        """One request, and up to ``redirects`` more to where it is sent on. Raises
        ``OutboundRefused`` for a forbidden address or an oversize body, ``aiohttp.ClientError``
        or ``TimeoutError`` for a network failure."""
        if self._session is None:
            raise RuntimeError("use GuardedClient inside `async with`")
        sent = {"User-Agent": self.user_agent, **(headers or {})}
        for hop in range(redirects + 1):
            self.policy.check_url(url)  # a literal address is never resolved: check it here
            async with self._session.request(
                method, url, data=data, headers=sent, allow_redirects=False
            ) as response:
                location = response.headers.get("location")
                if response.status in _REDIRECTS and location and redirects:
                    if hop == redirects:
                        break
                    url = urljoin(url, location)
                    if response.status == 303 or (
                        response.status in (301, 302) and method == "POST"
                    ):
                        method, data = "GET", None
                    continue
                return Fetched(response.status, response.headers, await self._read(response), url)
        raise OutboundRefused(f"{url}: more than {redirects} redirects")

    async def _read(self, response: Any) -> bytes:
        declared = response.content_length
        if declared is not None and declared > self.max_bytes:
            raise OutboundRefused(
                f"{response.url}: {declared} bytes is over NEWSMON_OUTBOUND_MAX_BYTES "
                f"({self.max_bytes})"
            )
        chunks, size = [], 0
        async for chunk in response.content.iter_chunked(65536):
            size += len(chunk)
            if size > self.max_bytes:
                raise OutboundRefused(
                    f"{response.url}: over NEWSMON_OUTBOUND_MAX_BYTES ({self.max_bytes} bytes)"
                )
            chunks.append(chunk)
        return b"".join(chunks)
