"""The outbound policy and the guarded client, attacked: every spelling of an internal address
is refused at save time and at connection time, redirects and sizes are bounded, and what is
refused is never requested (servers on 127.0.0.1 and 127.0.0.2 count what reaches them)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from aiohttp import web

from config import Settings
from processors.alerting.rules import validate_rule
from processors.errors import ConfigurationError, InvalidRule, OutboundRefused
from processors.outbound import OutboundPolicy
from streams.outbound import MAX_REDIRECTS, GuardedClient

NONE = OutboundPolicy()

INTERNAL = [
    "http://127.0.0.1:9200/_search",
    "http://[::1]:9200/",
    "http://localhost:6066/metrics",
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.5/hook",
    "http://192.168.1.1/",
    "http://172.16.0.9/",
    "http://100.64.0.1/",  # shared address space (carrier-grade NAT)
    "http://[fd12:3456::1]/",  # unique-local
    "http://[fe80::1]/",  # link-local
    "http://[::ffff:127.0.0.1]/",  # IPv4-mapped
    "http://[::ffff:a9fe:a9fe]/",  # IPv4-mapped 169.254.169.254, in hex
    "http://2130706433/",  # 127.0.0.1 in decimal
    "http://0177.0.0.1/",  # ... in octal
    "http://0x7f.1/",  # ... in hex, shortened
    "http://0.0.0.0:9200/",
    "http://[::]/",
    "http://224.0.0.251/",  # multicast
    "http://metadata.internal/",
    "http://printer.local/",
]


@pytest.mark.parametrize("url", INTERNAL)
def test_every_spelling_of_an_internal_address_is_refused(url: str) -> None:
    with pytest.raises(OutboundRefused):
        NONE.check_url(url, resolve=True)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://x/", "http:///x", "http://a:b/"])
def test_only_http_urls_with_a_host_are_requested(url: str) -> None:
    with pytest.raises(OutboundRefused):
        NONE.check_url(url)


def test_public_addresses_pass_and_an_allowed_range_opens_only_itself() -> None:
    NONE.check_url("https://93.184.215.14/hook")
    NONE.check_url("https://[2606:2800:220:1::1]/hook")
    local = OutboundPolicy.parse("127.0.0.1/32, fd00::/8")
    local.check_url("http://127.0.0.1:8080/")
    local.check_url("http://[fd00::5]/")
    for still_refused in ("http://127.0.0.2/", "http://10.0.0.1/", "http://[::1]/"):
        with pytest.raises(OutboundRefused):
            local.check_url(still_refused)


def test_a_bad_allowance_is_a_clear_configuration_error() -> None:
    with pytest.raises(ConfigurationError, match="NEWSMON_OUTBOUND_ALLOW"):
        OutboundPolicy.parse("127.0.0.1/33")
    with pytest.raises(ValueError, match="address range"):
        Settings(outbound_allow="localhost")


@pytest.mark.parametrize("url", INTERNAL[:6])
def test_a_rule_with_an_internal_webhook_is_refused_when_saved(url: str) -> None:
    rule = {"id": "r", "name": "r", "query": "flood", "channels": [{"type": "webhook", "url": url}]}
    with pytest.raises(InvalidRule) as refused:
        validate_rule(rule, outbound=NONE)
    [error] = refused.value.errors
    assert error.field.startswith("channels") and "refused" in error.message
    allowed = OutboundPolicy.parse("127.0.0.0/8, ::1, 10.0.0.0/8, 169.254.0.0/16, 192.168.0.0/16")
    if "localhost" not in url:
        assert validate_rule(rule, outbound=allowed).channels[0].url == url


# --- the client, against real servers -------------------------------------------------------


class _Servers:
    """An HTTP server on 127.0.0.1 and one on 127.0.0.2, counting the requests they get."""

    def __init__(self) -> None:
        self.hits: dict[str, int] = {}
        self.runners: list[web.AppRunner] = []
        self.ports: dict[str, int] = {}

    async def start(self) -> None:
        for host in ("127.0.0.1", "127.0.0.2"):
            app = web.Application()
            app.router.add_route("*", "/{tail:.*}", self._handle)
            runner = web.AppRunner(app)
            await runner.setup()
            site = web.TCPSite(runner, host, 0)
            await site.start()
            self.ports[host] = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
            self.runners.append(runner)

    async def stop(self) -> None:
        for runner in self.runners:
            await runner.cleanup()

    def url(self, host: str, path: str) -> str:
        return f"http://{host}:{self.ports[host]}{path}"

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        key = f"{request.host.split(':')[0]}{request.path}"
        self.hits[key] = self.hits.get(key, 0) + 1
        if request.path.startswith("/to/"):  # /to/<host>/<path>: a redirect there
            host, _, rest = request.path.removeprefix("/to/").partition("/")
            raise web.HTTPFound(self.url(host, "/" + rest))
        if request.path.startswith("/loop/"):
            n = int(request.path.removeprefix("/loop/"))
            raise web.HTTPFound(f"/loop/{n + 1}")
        if request.path == "/big":
            return web.Response(body=b"x" * 300_000)
        if request.path == "/stream":  # no length given: counted while read
            response = web.StreamResponse()
            await response.prepare(request)
            for _ in range(40):
                await response.write(b"y" * 10_000)
            return response
        return web.Response(text="ok")


@pytest.fixture
def servers() -> Iterator[_Servers]:
    yield _Servers()


def _run(servers: _Servers, allow: str, work) -> object:  # type: ignore[no-untyped-def]
    async def go() -> object:
        await servers.start()
        try:
            settings = Settings(outbound_allow=allow, outbound_max_bytes=100_000)
            async with GuardedClient(settings) as client:
                return await work(client)
        finally:
            await servers.stop()

    return asyncio.run(go())


def test_the_client_refuses_internal_addresses_before_sending(servers: _Servers) -> None:
    async def work(client: GuardedClient) -> list[str]:
        refused = []
        for url in (
            servers.url("127.0.0.1", "/a"),
            f"http://localhost:{servers.ports['127.0.0.1']}/b",
        ):
            try:
                await client.post(url, data=b"{}")
            except OutboundRefused as exc:
                refused.append(str(exc))
        return refused

    # an allowance elsewhere lets "localhost" past the name check: its resolved address is
    # what the client's resolver refuses
    refused = _run(servers, "10.9.0.0/16", work)
    assert len(refused) == 2 and "loopback" in refused[1]
    assert servers.hits == {}  # nothing reached either server


def test_redirects_are_followed_only_to_allowed_addresses_and_at_most_five(
    servers: _Servers,
) -> None:
    async def work(client: GuardedClient) -> tuple[int, str, str]:
        ok = await client.get(servers.url("127.0.0.1", "/to/127.0.0.1/page"))
        with pytest.raises(OutboundRefused) as inward:
            await client.get(servers.url("127.0.0.1", "/to/127.0.0.2/secret"))
        with pytest.raises(OutboundRefused) as looping:
            await client.get(servers.url("127.0.0.1", "/loop/0"))
        return ok.status, str(inward.value), str(looping.value)

    status, inward, looping = _run(servers, "127.0.0.1/32", work)
    assert status == 200 and servers.hits["127.0.0.1/page"] == 1
    assert "127.0.0.2" in inward and "127.0.0.2/secret" not in servers.hits
    assert f"more than {MAX_REDIRECTS} redirects" in looping
    assert servers.hits.get(f"127.0.0.1/loop/{MAX_REDIRECTS + 1}") is None


def test_a_body_over_the_limit_is_refused_whether_or_not_its_size_is_declared(
    servers: _Servers,
) -> None:
    async def work(client: GuardedClient) -> list[str]:
        reasons = []
        for path in ("/big", "/stream"):
            with pytest.raises(OutboundRefused) as over:
                await client.get(servers.url("127.0.0.1", path))
            reasons.append(str(over.value))
        return reasons

    reasons = _run(servers, "127.0.0.1/32", work)
    assert all("NEWSMON_OUTBOUND_MAX_BYTES" in r for r in reasons)


def test_a_webhook_delivery_to_a_forbidden_address_is_refused_for_good_and_never_sent(
    servers: _Servers,
) -> None:
    # a rule that reached the worker some other way (an old record, another allowance): the
    # delivery is a permanent refusal, logged as such and never retried, and nothing is sent
    from streams.channels import PermanentFailure, WebhookChannel

    alert = {"id": "a1", "rule_id": "r"}

    async def work(client: GuardedClient) -> tuple[int, str]:
        webhook = WebhookChannel(Settings(), client)
        delivered = await webhook.send(alert, {"url": servers.url("127.0.0.1", "/ok")}, 1)
        with pytest.raises(PermanentFailure) as refused:
            await webhook.send(alert, {"url": servers.url("127.0.0.2", "/in")}, 1)
        return delivered, str(refused.value)

    delivered, refused = _run(servers, "127.0.0.1/32", work)
    assert delivered == 200 and servers.hits["127.0.0.1/ok"] == 1
    assert "refused" in refused and "127.0.0.2/in" not in servers.hits
