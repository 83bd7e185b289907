"""Snippets of a text around matched spans, with the matches marked: search hits and alerts.

Highlighting happens in Python from the query's own match spans (``processors.text.query``), so what
is marked is exactly what matched, stems and folded diacritics included, on any Elasticsearch.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["snippets"]

_SPACE_RE = re.compile(r"\s+")


def snippets(
    text: str,
    spans: Sequence[tuple[int, int]],
    *,
    width: int = 160,
    limit: int = 3,
    mark: tuple[str, str] = ("«", "»"),
) -> list[str]:
    """Up to ``limit`` snippets of about ``width`` characters with matches wrapped in ``mark``.

    Spans close together share a snippet; whitespace is folded so a snippet is one line.
    """
    windows: list[tuple[int, int, list[tuple[int, int]]]] = []
    for start, end in sorted(spans):
        if windows and end - windows[-1][0] <= width:
            lo, _, inside = windows[-1]
            windows[-1] = (lo, end, [*inside, (start, end)])
        else:
            if len(windows) == limit:
                break
            windows.append((start, end, [(start, end)]))
    out = []
    for lo, hi, inside in windows:
        pad = max(0, (width - (hi - lo)) // 2)
        left, right = max(0, lo - pad), min(len(text), hi + pad)
        while left > 0 and not text[left - 1].isspace() and lo - left < pad + 20:
            left -= 1
        while right < len(text) and not text[right].isspace() and right - hi < pad + 20:
            right += 1
        pieces, cursor = [], left
        for start, end in inside:
            pieces.append(text[cursor:start])
            pieces.append(mark[0] + text[start:end] + mark[1])
            cursor = end
        pieces.append(text[cursor:right])
        snippet = _SPACE_RE.sub(" ", "".join(pieces)).strip()
        prefix = "…" if left > 0 else ""
        suffix = "…" if right < len(text) else ""
        out.append(prefix + snippet + suffix)
    return out
