"""Which addresses newsmon may send requests to: the policy of every outbound request.

A rule's webhook URL and a feed item's link are chosen by users and by feeds, not by the
operator. Left alone, ``http://127.0.0.1:9200/`` or ``http://169.254.169.254/`` would make the
worker or the feed poller send requests to the inside of the deployment (server-side request
forgery) and, for a feed, index the answer where every desk user can read it. So every
outbound address is checked here: loopback, link-local, private, unique-local, shared (CGNAT),
multicast, reserved and unspecified ranges are refused, in IPv4 and IPv6, IPv4-mapped IPv6
included, unless the operator allows a range (``NEWSMON_OUTBOUND_ALLOW``, e.g. ``127.0.0.1/32``
for the local sample feed and tests).

The check is made on the address actually connected to (``streams.outbound`` resolves the
name, checks every address, then connects to the checked one: no window for DNS rebinding),
and at save time on what a URL shows by itself (a literal address in any spelling, decimal
``2130706433`` and octal ``0177.0.0.1`` included, ``localhost``) and on what its name resolves
to, when it resolves quickly.
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import socket
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urlsplit

from processors.errors import ConfigurationError, OutboundRefused

__all__ = ["OutboundPolicy", "OutboundRefused", "default_policy", "literal_address"]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_KINDS = (  # the first that holds names the refusal
    ("unspecified", lambda ip: ip.is_unspecified),
    ("loopback", lambda ip: ip.is_loopback),
    ("link-local", lambda ip: ip.is_link_local),
    ("multicast", lambda ip: ip.is_multicast),
    ("private", lambda ip: ip.is_private),
    ("reserved", lambda ip: ip.is_reserved),
    ("non-public", lambda ip: not ip.is_global),  # 100.64.0.0/10 and other special ranges
)
_LOCAL_NAMES = (".localhost", ".local", ".internal", ".localdomain")
_RESOLVE_TIMEOUT_S = 1.5
_resolver = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="resolve")


@dataclass(frozen=True)
class OutboundPolicy:
    """The address ranges an operator allows on top of the public internet."""

    allow: tuple[IPNetwork, ...] = ()

    @classmethod
    def parse(cls, text: str) -> OutboundPolicy:
        """``"127.0.0.1/32, ::1"`` -> a policy allowing those ranges."""
        networks = []
        for part in (p.strip() for p in text.split(",")):
            if not part:
                continue
            try:
                networks.append(ipaddress.ip_network(part, strict=False))
            except ValueError:
                raise ConfigurationError(
                    f"NEWSMON_OUTBOUND_ALLOW: {part!r} is not an address range "
                    "(write it as 127.0.0.1/32 or fd00::/8, comma-separated)"
                ) from None
        return cls(tuple(networks))

    def refusal(self, address: str | IPAddress) -> str | None:
        """Why a request may not go to ``address`` (``None``: it may)."""
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
        if any(ip.version == net.version and ip in net for net in self.allow):
            return None
        for kind, holds in _KINDS:
            if holds(ip):
                article = "an" if kind[0] in "aeiou" else "a"
                return (
                    f"{ip} is {article} {kind} address "
                    "(allow its range with NEWSMON_OUTBOUND_ALLOW)"
                )
        return None

    def check_addresses(self, host: str, addresses: list[str]) -> None:
        """Raise ``OutboundRefused`` unless every address ``host`` resolved to is allowed."""
        for address in addresses:
            reason = self.refusal(address)
            if reason is not None:
                raise OutboundRefused(f"{host}: {reason}")

    def check_url(self, url: str, *, resolve: bool = False) -> None:
        """Raise ``OutboundRefused`` for a URL that is not http(s), names no host, or whose
        host is a forbidden address by itself; with ``resolve``, also for a name that resolves
        (within a short time) to a forbidden address."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError as exc:
            raise OutboundRefused(f"{url!r} is not a valid URL ({exc})") from None
        if parts.scheme not in ("http", "https"):
            raise OutboundRefused(f"{url!r}: only http and https are allowed")
        if not host:
            raise OutboundRefused(f"{url!r} names no host")
        literal = literal_address(host)
        if literal is not None:
            reason = self.refusal(literal)
            if reason is not None:
                raise OutboundRefused(f"{host}: {reason}")
            return
        name = host.lower().rstrip(".")
        if (name == "localhost" or name.endswith(_LOCAL_NAMES)) and not self.allow:
            raise OutboundRefused(f"{host} is a name of this machine or its local network")
        if resolve:
            self.check_addresses(host, _resolve_quickly(host.lower()))


def literal_address(host: str) -> IPAddress | None:
    """The address a host written as one stands for, in any spelling the C library accepts
    ("127.0.0.1", "2130706433", "0177.0.0.1", "0x7f.1", "[::1]" as "::1"), else ``None``."""
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if host and all(c in "0123456789abcdefxABCDEFX." for c in host) and host[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


@lru_cache(maxsize=4096)
def _resolve_quickly(host: str) -> list[str]:
    """The addresses of ``host``, or none when it does not resolve within a short time (the
    check at connection time still applies then)."""
    future = _resolver.submit(socket.getaddrinfo, host, None, proto=socket.IPPROTO_TCP)
    try:
        infos = future.result(timeout=_RESOLVE_TIMEOUT_S)
    except (OSError, concurrent.futures.TimeoutError, UnicodeError):
        return []
    return sorted({str(info[4][0]).split("%")[0] for info in infos})


@lru_cache(maxsize=1)
def default_policy() -> OutboundPolicy:
    """This process's policy, from ``NEWSMON_OUTBOUND_ALLOW`` (read once)."""
    from config import Settings

    return OutboundPolicy.parse(Settings().outbound_allow)
