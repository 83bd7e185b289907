"""A local HTTP server for feeds and their pages: what ``make run`` polls, and the tests too.

It serves a folder (``samples/feed`` by default) on 127.0.0.1 the way a well-behaved news site
does: each answer carries an ``ETag`` and ``Last-Modified``, and a conditional GET that matches
gets ``304 Not Modified``. ``{{BASE}}`` in a served file becomes the server's own URL, so feed
items can link to pages on whatever port the server got. With ``ago``, every date the files
write is moved by one amount fixed at start, so that the newest is ``ago`` before the server
started (``deploy.sample_dates``): ``make run``'s sample items are recent whenever it runs, and
a file's ETag stays the same for the server's life. Requests are counted per path and status,
which lets tests check that the poller really asked conditionally.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from email.utils import formatdate, parsedate_to_datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

from deploy.sample_dates import newest, redate_text, shift_to_now

__all__ = ["SAMPLE_FEED_DIR", "FeedServer"]

SAMPLE_FEED_DIR = Path(__file__).resolve().parents[1] / "samples" / "feed"

_TYPES = {
    ".xml": "application/rss+xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".atom": "application/atom+xml; charset=utf-8",
    ".json": "application/feed+json; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}


class FeedServer:
    """Serves ``directory`` on ``host:port`` (0: any free port) from a background thread."""

    def __init__(
        self,
        directory: Path = SAMPLE_FEED_DIR,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ago: timedelta | None = None,
    ) -> None:
        self.directory = directory.resolve()
        self.shift = timedelta(0)
        if ago is not None:
            texts = [
                p.read_text(errors="replace") for p in self.directory.rglob("*") if p.is_file()
            ]
            self.shift = shift_to_now(newest(texts), now=datetime.now(UTC), ago=ago)
        self.requests: Counter[tuple[str, int]] = Counter()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - the http.server API
                status = server._answer(self)
                server.requests[(urlsplit(self.path).path, status)] += 1

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass  # quiet: the poller logs what matters

        self.httpd = ThreadingHTTPServer((host, port), Handler)
        self.httpd.daemon_threads = True
        self.thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def count(self, path: str, status: int | None = None) -> int:
        """How many requests for ``path`` (with ``status``, if given) the server answered."""
        return sum(n for (p, s), n in self.requests.items() if p == path and status in (None, s))

    def start(self) -> FeedServer:
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, name="feed-server", daemon=True
        )
        self.thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> FeedServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _answer(self, request: BaseHTTPRequestHandler) -> int:
        relative = unquote(urlsplit(request.path).path).lstrip("/")
        path = (self.directory / relative).resolve()
        if not path.is_relative_to(self.directory) or not path.is_file():
            request.send_error(HTTPStatus.NOT_FOUND)
            return 404
        body = path.read_bytes().replace(b"{{BASE}}", self.url.encode())
        if self.shift:
            body = redate_text(body.decode("utf-8", "replace"), self.shift).encode()
        etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'  # noqa: S324 - not security
        modified = int(path.stat().st_mtime)
        if self._not_modified(request, etag, modified):
            request.send_response(HTTPStatus.NOT_MODIFIED)
            request.send_header("ETag", etag)
            request.end_headers()
            return 304
        request.send_response(HTTPStatus.OK)
        request.send_header("Content-Type", _TYPES.get(path.suffix, "application/octet-stream"))
        request.send_header("Content-Length", str(len(body)))
        request.send_header("ETag", etag)
        request.send_header("Last-Modified", formatdate(modified, usegmt=True))
        request.end_headers()
        request.wfile.write(body)
        return 200

    @staticmethod
    def _not_modified(request: BaseHTTPRequestHandler, etag: str, modified: int) -> bool:
        if match := request.headers.get("If-None-Match"):
            return etag in [tag.strip() for tag in match.split(",")]  # RFC 9110: ETag wins
        if since := request.headers.get("If-Modified-Since"):
            try:
                return modified <= parsedate_to_datetime(since).timestamp()
            except (TypeError, ValueError):
                return False
        return False
