"""From an article's title and body (text or HTML) to the one clean ``text`` everything indexes.

Offsets of entities, places and alert matches index ``text``, so it is built once, here, and
plain-text bodies pass through untouched: for an article with a plain body and no title,
``text == body`` exactly. HTML bodies lose tags, scripts and styles; block elements become line
breaks and entities are decoded, so the text reads as the page did.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

__all__ = ["article_text", "html_to_text", "looks_like_html"]

_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form h1 h2 h3 "
    "h4 h5 h6 header hr li main nav ol p pre section table tbody td tfoot th thead tr ul".split()
)
_SKIP_TAGS = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe"})
_KNOWN_TAGS = (
    _BLOCK_TAGS
    | _SKIP_TAGS
    | frozenset(
        [
            "a",
            "abbr",
            "b",
            "body",
            "cite",
            "code",
            "em",
            "font",
            "html",
            "i",
            "img",
            "span",
            "strong",
            "sub",
            "sup",
            "time",
            "u",
            "meta",
            "link",
        ]
    )
)
_TAG_RE = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")
_ENTITY_RE = re.compile(r"&(?:[a-zA-Z]{2,8}|#[0-9]{1,6}|#x[0-9a-fA-F]{1,6});")
_SPACE_RE = re.compile(r"[ \t\r\f\v\u00a0]+")


def looks_like_html(body: str) -> bool:
    """True when the body holds real HTML tags or character entities.

    Only known tag names count, so plain text such as ``a <3 b`` or ``x<y>z`` stays plain.
    """
    for match in _TAG_RE.finditer(body):
        if match.group(1).lower() in _KNOWN_TAGS:
            return True
    return bool(_ENTITY_RE.search(body))


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth += 1
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self.skip_depth:
            self.current.append(data)

    def _break(self) -> None:
        line = _SPACE_RE.sub(" ", " ".join("".join(self.current).split("\n"))).strip()
        if line:
            self.lines.append(line)
        self.current = []

    def text(self) -> str:
        self._break()
        return "\n".join(self.lines)


def html_to_text(html: str) -> str:
    """Visible text of an HTML fragment or page, one line per block element."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    return parser.text()


# Unicode's line and paragraph separators (and a lone vertical tab or form feed) break lines
# as "\n" does; one character for one keeps every offset.
_LINE_BREAKS = str.maketrans({"\u2028": "\n", "\u2029": "\n", "\x0b": "\n", "\x0c": "\n"})


def article_text(title: str | None, body: str | None) -> tuple[str, int]:
    """The article's ``text`` and the offset at which the body starts within it.

    ``text`` is the title, a blank line, then the body (cleaned when it is HTML). The title is
    part of the text so one field carries every searchable word and every offset.
    """
    title = (title or "").strip().translate(_LINE_BREAKS)
    body = (body or "").translate(_LINE_BREAKS)
    if looks_like_html(body):
        body = html_to_text(body)
    if title and looks_like_html(title):
        title = html_to_text(title)
    if not title:
        return body, 0
    if not body.strip():
        return title, len(title)
    head = title + "\n\n"
    return head + body, len(head)
