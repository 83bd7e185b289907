"""The one query language of search and alert rules: parse once, run on Elasticsearch or in Python.

Syntax (operators in capitals; a bare space means AND):

    clash AND (prison OR jail) NOT football
    "security council" -draft              phrases; '-' is NOT
    terror*                                prefix (at least two letters before the *)
    prison NEAR/5 escape                   both within 5 words of each other, either order

Terms and phrases are normalised by ``processors.text.normalise`` (case, diacritics, English
stems), so
``clash`` matches ``clashes`` and ``Hasakah`` matches ``Ḩasakah``. A term that splits into several
words (``al-Hasakah``) is a phrase. The same parsed ``Query`` becomes an Elasticsearch query on
the ``text_norm`` field (``to_es``) and a Python matcher over an article's tokens (``match``) that
says where each term matched, which search uses for highlights and alerts for their evidence.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from processors.errors import QuerySyntaxError
from processors.text.normalise import Token, fold, norm_terms, tokens

__all__ = [
    "And",
    "Proximity",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Prefix",
    "Query",
    "TextIndex",
    "Term",
    "MAX_DEPTH",
    "MAX_QUERY_CHARS",
    "MAX_TERMS",
    "parse_query",
]

NORM_FIELD = "text_norm"
DEFAULT_NEAR = 5


# --- AST --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Term:
    """One word, matched by its stem."""

    text: str
    norm: str


@dataclass(frozen=True)
class Phrase:
    """Words in this order, adjacent."""

    text: str
    norms: tuple[str, ...]


@dataclass(frozen=True)
class Prefix:
    """Any word whose folded form starts with ``norm``."""

    text: str
    norm: str


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class Proximity:
    """``left`` and ``right`` with at most ``distance`` words between them, in either order."""

    left: Node
    right: Node
    distance: int


Node = Term | Phrase | Prefix | And | Or | Not | Proximity
_SPAN_NODES = (Term, Phrase, Prefix, Proximity, Or)


# --- Parsing ------------------------------------------------------------------------------------
_NEAR_RE = re.compile(r"NEAR(?:/(\d+))?$")


@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PHRASE LPAR RPAR AND OR NOT NEAR END
    text: str
    pos: int
    value: int = 0


def _lex(query: str) -> list[_Tok]:
    out: list[_Tok] = []
    i, n = 0, len(query)
    while i < n:
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            out.append(_Tok("LPAR" if ch == "(" else "RPAR", ch, i))
            i += 1
        elif ch in '"“”':
            end = min((j for j in (query.find(q, i + 1) for q in '"“”') if j != -1), default=-1)
            if end == -1:
                raise QuerySyntaxError('unclosed quote: add the closing "', query, i)
            out.append(_Tok("PHRASE", query[i + 1 : end], i))
            i = end + 1
        elif (
            ch == "-"
            and i + 1 < n
            and not query[i + 1].isspace()
            and (i == 0 or query[i - 1].isspace() or query[i - 1] == "(")
        ):
            out.append(_Tok("NOT", "-", i))
            i += 1
        else:
            j = i
            while j < n and not query[j].isspace() and query[j] not in '()"“”':
                j += 1
            word = query[i:j]
            near = _NEAR_RE.match(word)
            if word in ("AND", "&&"):
                out.append(_Tok("AND", word, i))
            elif word in ("OR", "||"):
                out.append(_Tok("OR", word, i))
            elif word == "NOT":
                out.append(_Tok("NOT", word, i))
            elif near:
                out.append(_Tok("NEAR", word, i, int(near.group(1) or DEFAULT_NEAR)))
            else:
                out.append(_Tok("WORD", word, i))
            i = j
    out.append(_Tok("END", "", n))
    return out


class _Parser:
    def __init__(self, query: str, toks: list[_Tok]) -> None:
        self.query = query
        self.toks = toks
        self.i = 0

    def peek(self) -> _Tok:
        return self.toks[self.i]

    def take(self) -> _Tok:
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def error(self, message: str, tok: _Tok) -> QuerySyntaxError:
        return QuerySyntaxError(message, self.query, tok.pos)

    def parse(self) -> Node:
        if self.peek().kind == "END":
            raise self.error("the query is empty: give at least one word or phrase", self.peek())
        node = self.parse_or()
        tok = self.peek()
        if tok.kind == "RPAR":
            raise self.error("unmatched ')': remove it or add a '(' before it", tok)
        if tok.kind != "END":
            raise self.error(f"unexpected {tok.text!r}", tok)
        return node

    def parse_or(self) -> Node:
        children = [self.parse_and()]
        while self.peek().kind == "OR":
            self.take()
            children.append(self.parse_and())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def parse_and(self) -> Node:
        children = [self.parse_unary()]
        while self.peek().kind in ("AND", "NOT", "WORD", "PHRASE", "LPAR"):
            if self.peek().kind == "AND":
                self.take()
            children.append(self.parse_unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def parse_unary(self) -> Node:
        if self.peek().kind == "NOT":
            self.take()
            return Not(self.parse_unary())
        return self.parse_near()

    def parse_near(self) -> Node:
        left = self.parse_atom()
        while self.peek().kind == "NEAR":
            op = self.take()
            right = self.parse_atom()
            for side in (left, right):
                if not _is_span(side):
                    raise self.error(
                        f"{op.text} joins words, phrases, prefixes or (a OR b) groups only", op
                    )
            left = Proximity(left, right, op.value)
        return left

    def parse_atom(self) -> Node:
        tok = self.take()
        if tok.kind == "LPAR":
            if self.peek().kind == "RPAR":
                raise self.error("empty parentheses", self.peek())
            node = self.parse_or()
            if self.peek().kind != "RPAR":
                raise self.error("missing ')': close the group opened here", tok)
            self.take()
            return node
        if tok.kind == "PHRASE":
            norms = tuple(norm_terms(tok.text))
            if not norms:
                raise self.error("the phrase has no words in it", tok)
            return Term(tok.text, norms[0]) if len(norms) == 1 else Phrase(tok.text, norms)
        if tok.kind == "WORD":
            return self.word(tok)
        if tok.kind == "END":
            raise self.error("the query ends where a word, phrase or '(' was expected", tok)
        raise self.error(f"{tok.text!r} cannot stand here; a word, phrase or '(' must", tok)

    def word(self, tok: _Tok) -> Node:
        text = tok.text
        if text.endswith("*"):
            stem = text.rstrip("*")
            parts = norm_terms(stem)
            if len(parts) != 1 or len(fold(stem).strip()) < 2 or "*" in stem:
                raise self.error(
                    "a prefix needs at least two letters and no spaces or punctuation "
                    "before the '*' (like terror*)",
                    tok,
                )
            return Prefix(text, fold(re.sub(r"[\W_]+", "", stem)))
        norms = tuple(norm_terms(text))
        if not norms:
            raise self.error(f"{text!r} has no letters or digits", tok)
        return Term(text, norms[0]) if len(norms) == 1 else Phrase(text, norms)


def _is_span(node: Node) -> bool:
    if isinstance(node, Or):
        return all(_is_span(child) for child in node.children)
    return isinstance(node, _SPAN_NODES)


# --- Matching in Python ------------------------------------------------------------------------
class TextIndex:
    """An article's tokens with a position index: built once, shared by every query and rule."""

    __slots__ = ("tokens", "positions", "_sorted_terms")

    def __init__(self, text: str) -> None:
        self.tokens: list[Token] = list(tokens(text))
        self.positions: dict[str, list[int]] = {}
        for i, tok in enumerate(self.tokens):
            self.positions.setdefault(tok.norm, []).append(i)
        self._sorted_terms: list[str] | None = None

    def terms_with_prefix(self, prefix: str) -> Iterable[str]:
        if self._sorted_terms is None:
            self._sorted_terms = sorted(self.positions)
        terms = self._sorted_terms
        i = bisect.bisect_left(terms, prefix)
        while i < len(terms) and terms[i].startswith(prefix):
            yield terms[i]
            i += 1


Span = tuple[int, int]  # token positions [first, last]


def _spans(node: Node, index: TextIndex) -> list[Span]:
    """Token spans where a span node matches, in text order."""
    if isinstance(node, Term):
        return [(p, p) for p in index.positions.get(node.norm, ())]
    if isinstance(node, Prefix):
        found = [p for term in index.terms_with_prefix(node.norm) for p in index.positions[term]]
        return [(p, p) for p in sorted(found)]
    if isinstance(node, Phrase):
        first, rest = node.norms[0], node.norms[1:]
        out = []
        for p in index.positions.get(first, ()):
            end = p + len(rest)
            if end < len(index.tokens) and all(
                index.tokens[p + k + 1].norm == norm for k, norm in enumerate(rest)
            ):
                out.append((p, end))
        return out
    if isinstance(node, Or):
        return sorted({s for child in node.children for s in _spans(child, index)})
    if isinstance(node, Proximity):
        left, right = _spans(node.left, index), _spans(node.right, index)
        out = set()
        for a in left:
            for b in right:
                gap = b[0] - a[1] - 1 if a[0] <= b[0] else a[0] - b[1] - 1
                if 0 <= gap <= node.distance:
                    out.add((min(a[0], b[0]), max(a[1], b[1])))
        return sorted(out)
    raise TypeError(f"not a span node: {node!r}")


def _evaluate(node: Node, index: TextIndex, hits: list[Span]) -> bool:
    """Does ``node`` hold? Positive matches are appended to ``hits``."""
    if isinstance(node, And):
        found: list[Span] = []
        for child in node.children:
            if not _evaluate(child, index, found):
                return False
        hits.extend(found)
        return True
    if isinstance(node, Or):
        any_true = False
        for child in node.children:
            any_true = _evaluate(child, index, hits) or any_true
        return any_true
    if isinstance(node, Not):
        return not _evaluate(node.child, index, [])
    spans = _spans(node, index)
    hits.extend(spans)
    return bool(spans)


# --- Elasticsearch ------------------------------------------------------------------------------
def _span_es(node: Node, field_name: str) -> dict[str, Any]:
    if isinstance(node, Term):
        return {"span_term": {field_name: node.norm}}
    if isinstance(node, Prefix):
        return {"span_multi": {"match": {"prefix": {field_name: {"value": node.norm}}}}}
    if isinstance(node, Phrase):
        clauses = [{"span_term": {field_name: n}} for n in node.norms]
        return {"span_near": {"clauses": clauses, "slop": 0, "in_order": True}}
    if isinstance(node, Or):
        return {"span_or": {"clauses": [_span_es(c, field_name) for c in node.children]}}
    if isinstance(node, Proximity):
        return {
            "span_near": {
                "clauses": [_span_es(node.left, field_name), _span_es(node.right, field_name)],
                "slop": node.distance,
                "in_order": False,
            }
        }
    raise TypeError(f"not a span node: {node!r}")


def _to_es(node: Node, field_name: str) -> dict[str, Any]:
    if isinstance(node, Term):
        return {"term": {field_name: node.norm}}
    if isinstance(node, Phrase):
        return {"match_phrase": {field_name: " ".join(node.norms)}}
    if isinstance(node, Prefix):
        return {"prefix": {field_name: node.norm}}
    if isinstance(node, Proximity):
        return _span_es(node, field_name)
    if isinstance(node, Not):
        return {"bool": {"must_not": [_to_es(node.child, field_name)]}}
    if isinstance(node, Or):
        return {
            "bool": {
                "should": [_to_es(c, field_name) for c in node.children],
                "minimum_should_match": 1,
            }
        }
    must = [_to_es(c, field_name) for c in node.children if not isinstance(c, Not)]
    must_not = [_to_es(c.child, field_name) for c in node.children if isinstance(c, Not)]
    clause: dict[str, Any] = {}
    if must:
        clause["must"] = must
    if must_not:
        clause["must_not"] = must_not
    return {"bool": clause}


# --- The public object --------------------------------------------------------------------------
@dataclass(frozen=True)
class Match:
    """Where a query matched: character spans in the text, in order, overlapping ones merged."""

    spans: tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Query:
    """A parsed query: run it on Elasticsearch (``to_es``) or on one text (``match``)."""

    source: str
    root: Node

    def to_es(self, field_name: str = NORM_FIELD) -> dict[str, Any]:
        return _to_es(self.root, field_name)

    def match(self, text_or_index: str | TextIndex) -> Match | None:
        """``None`` when the query does not hold; else the character spans of its matches."""
        index = text_or_index if isinstance(text_or_index, TextIndex) else TextIndex(text_or_index)
        hits: list[Span] = []
        if not _evaluate(self.root, index, hits):
            return None
        chars = sorted(
            (index.tokens[first].start, index.tokens[last].end) for first, last in set(hits)
        )
        merged: list[tuple[int, int]] = []
        for start, end in chars:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return Match(tuple(merged))

    def positive_terms(self) -> Sequence[str]:
        """Stems and prefixes the query needs present somewhere (for candidate selection)."""
        return sorted(_positive_words(self.root))


def _positive_words(node: Node) -> set[str]:
    if isinstance(node, Term):
        return {node.norm}
    if isinstance(node, Phrase):
        return set(node.norms)
    if isinstance(node, Prefix):
        return {node.norm + "*"}
    if isinstance(node, Not):
        return set()
    if isinstance(node, Proximity):
        return _positive_words(node.left) | _positive_words(node.right)
    words: set[str] = set()
    for child in node.children:
        words |= _positive_words(child)
    return words


# Limits, checked before any recursion: a query from a search box, a rule file or a record on
# the rules topic cannot exhaust the parser's stack or Elasticsearch's clause budget.
MAX_QUERY_CHARS = 20_000
MAX_TERMS = 1_000  # words and phrases (a prefix counts one; Elasticsearch expands it)
MAX_DEPTH = 32  # nested groups and NOTs


def parse_query(query: str) -> Query:
    """Parse ``query``; raises ``QuerySyntaxError`` with the position of the first problem
    (and for a query over ``MAX_QUERY_CHARS``, ``MAX_TERMS`` or ``MAX_DEPTH``, the limit)."""
    if len(query) > MAX_QUERY_CHARS:
        raise _over(f"the query is {len(query)} characters long; the limit is {MAX_QUERY_CHARS}")
    toks = _lex(query)
    terms = sum(1 for t in toks if t.kind in ("WORD", "PHRASE"))
    if terms > MAX_TERMS:
        raise _over(f"the query has {terms} words and phrases; the limit is {MAX_TERMS}")
    depth = nots = 0
    for tok in toks:
        depth += {"LPAR": 1, "RPAR": -1}.get(tok.kind, 0)
        nots = nots + 1 if tok.kind == "NOT" else 0
        if depth + nots > MAX_DEPTH:
            raise QuerySyntaxError(
                f"groups and NOTs nest deeper than {MAX_DEPTH}: simplify the query",
                query[: tok.pos + 1][-60:],
                min(tok.pos, 59),
            )
    return Query(query, _Parser(query, toks).parse())


def _over(message: str) -> QuerySyntaxError:
    return QuerySyntaxError(message + ": shorten it or split it into several rules", "", 0)
