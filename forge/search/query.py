"""The query language and the search itself.

    words              every word must occur (title, text, labels or fields)
    "a phrase"         the words in this order (title or text)
    word*              any word starting so (title or text)
    field:value        title: text: label: author: type: tool: project:, and any
                       custom or tool field (severity:high, _severity:high,
                       status:open, plugin.field:value); field:"two words"
    -anything          excludes what follows the minus

The text is read by the forge's one field syntax (``forge.field_syntax``),
which the tracker's ticket queries share: ``severity:high`` or
``-label:"won't fix"`` mean the same in both.

Results are trimmed by the searcher's principals inside the query
(``forge.search.acl.read_filter``): counts, facets and pages only ever see
readable documents.  A query that cannot be understood raises ``QueryError``
with a message for the page.
"""
import re
from dataclasses import dataclass, field
from functools import partial

import tantivy
from markupsafe import Markup, escape

from ..field_syntax import QueryError, lex
from .acl import read_filter
from .index import tokens

Query, Occur = tantivy.Query, tantivy.Occur

MAX_QUERY = 500
MAX_TERMS = 20
FIELD_ALIASES = {"title": "title", "text": "text", "label": "labels", "labels": "labels",
                 "author": "author", "by": "author", "type": "type", "tool": "tool",
                 "project": "project"}
RAW = ("labels", "author", "type", "tool", "project")
SORTS = ("relevance", "date")


__all__ = ["QueryError", "Term", "parse", "search"]


@dataclass
class Term:
    negated: bool
    field: str          # "" for free words
    value: str
    phrase: bool = False


def parse(text):
    """Terms of a query string; raises ``QueryError``."""
    terms = [Term(token.negated, token.field or "", token.value, token.quoted)
             for token in lex(text, MAX_QUERY, MAX_TERMS)]
    if not terms:
        raise QueryError("Type some words to search for.")
    return terms


def _text_query(schema, field_name, words, prefix=False):
    if prefix:
        return Query.regex_query(schema, field_name, re.escape(words[0]) + ".*")
    if len(words) == 1:
        return Query.term_query(schema, field_name, words[0])
    return Query.phrase_query(schema, field_name, words)


def _any(queries):
    queries = [q for q in queries if q is not None]
    if len(queries) == 1:
        return queries[0]
    return Query.boolean_query([(Occur.Should, q) for q in queries])


def term_query(schema, term):
    """One term as a tantivy query, or None when it has no searchable words."""
    name = term.field
    if not name:
        prefix = term.value.endswith("*") and not term.phrase
        words = tokens(term.value)
        if not words:
            return None
        if prefix and len(words) == 1:
            return _any([_text_query(schema, "title", words, True),
                         _text_query(schema, "text", words, True)])
        if term.phrase or len(words) > 1:
            return _any([Query.boost_query(_text_query(schema, "title", words), 2.0),
                         _text_query(schema, "text", words)])
        word = words[0]
        return _any([Query.boost_query(Query.term_query(schema, "title", word), 2.0),
                     Query.term_query(schema, "text", word),
                     Query.term_query(schema, "labels", word)])
    target = FIELD_ALIASES.get(name)
    if target in RAW:
        return Query.term_query(schema, target, term.value.strip().lower())
    if target in ("title", "text"):
        words = tokens(term.value)
        return _text_query(schema, target, words) if words else None
    # a custom or tool field: a path in the ``fields`` JSON
    path = name.lstrip("_")
    if not path:
        raise QueryError("%s: is not a field name." % name)
    words = tokens(term.value)
    if not words:
        return None
    return _text_query(schema, "fields." + path, words)


def build_query(schema, terms):
    parts = []
    for term in terms:
        query = term_query(schema, term)
        if query is None:
            if term.negated:
                continue
            query = Query.empty_query()
        parts.append((Occur.MustNot if term.negated else Occur.Must, query))
    if not any(occur == Occur.Must for occur, _ in parts):
        parts.insert(0, (Occur.Must, Query.all_query()))
    return Query.boolean_query(parts)


@dataclass
class Hit:
    id: str
    title: str
    url: str
    where: str
    type: str
    modified: float
    snippet: Markup
    labels: list = field(default_factory=list)
    author: str = ""
    score: float = 0.0
    # (segment, document) in the commit the results were read from
    address: tuple = field(default=None, compare=False, repr=False)


@dataclass
class Results:
    hits: list
    count: int
    page: int
    size: int
    facets: dict
    text: str = ""
    state: object = field(default=None, compare=False, repr=False)

    @property
    def pages(self):
        return max(1, -(-self.count // self.size))

    def kept(self, name, hit, load):
        """``load()`` once per result shown for this text on this commit (a
        page's row for ``hit``, say: ``name`` says what it is and anything
        else it depends on, the text and the document are added here)."""
        if self.state is None or hit.address is None:
            return load()
        return self.state.kept((name, hit.address, self.text), load)


def highlight(snippet):
    """The snippet's fragment HTML-escaped, its highlights in ``<mark>``
    (joined as plain text, one ``Markup`` at the end: a page shows twenty)."""
    fragment = snippet.fragment()
    data = fragment.encode("utf-8")
    out, last = [], 0
    for span in sorted(snippet.highlighted(), key=lambda s: s.start):
        if span.start < last:
            continue
        out.append(escape(data[last:span.start].decode("utf-8", "replace")))
        out.append("<mark>")
        out.append(escape(data[span.start:span.end].decode("utf-8", "replace")))
        out.append("</mark>")
        last = span.end
    out.append(escape(data[last:].decode("utf-8", "replace")))
    return Markup("".join(out))


def trimmed(schema, user_query, alternatives, scope=None):
    """``user_query`` AND scope AND (one of the read ``alternatives``)."""
    base = [(Occur.Must, user_query)]
    if scope is not None:
        base.append((Occur.Must, Query.term_query(schema, scope[0], scope[1])))
    if alternatives is None:
        return Query.boolean_query(base)
    if not alternatives:
        return Query.empty_query()
    branches = [Query.boolean_query(base + [(occur, Query.const_score_query(q, 0.0))
                                            for occur, q in parts])
                for parts in alternatives]
    if len(branches) == 1:
        return branches[0]
    # a document with several read clauses matches several branches: keep one score
    return Query.disjunction_max_query(branches)


def search(index, text, principals, scope=None, sort="relevance", page=1, size=20, at=None):
    """Run a query for ``principals``; ``scope`` = ("projects"|"tool_id", id) or None;
    ``at``: an index signature read before, which the searcher is at least as new as."""
    if sort not in SORTS:
        raise QueryError("Sort by relevance or date.")
    terms = parse(text)
    schema = index.schema
    searcher, state = index.view(at)
    user_query = build_query(schema, terms)
    query = trimmed(schema, user_query,
                    read_filter(tantivy, schema, state.shapes, principals, state), scope)
    page = max(1, int(page))
    kw = {"limit": size, "offset": (page - 1) * size, "count": True}
    if sort == "date":
        kw["order_by_field"] = "modified"
    result = searcher.search(query, **kw)
    snippets = []

    def shown(address):
        # what a result shows is the same for every reader and every search
        # of this text on this commit: made once (which results a reader gets
        # is the trimmed query's answer above, every time)
        if not snippets:
            generator = tantivy.SnippetGenerator.create(searcher, user_query, schema, "text")
            generator.set_max_num_chars(240)
            snippets.append(generator)
        return _shown(searcher.doc(address), snippets[0])

    relevance = sort == "relevance"
    hits = []
    for key, address in result.hits:
        fields = state.kept(("hit", address.segment_ord, address.doc, text),
                            partial(shown, address))
        hits.append(Hit(*fields[:7], labels=list(fields[7]), author=fields[8],
                        score=float(key) if relevance else 0.0,
                        address=(address.segment_ord, address.doc)))
    # per artifact type ("wiki.page"; the short aliases are left out), trimmed like the count
    facets = {"type": [(term, n) for term, n in searcher.terms_with_prefix(
        "type", "", filter_query=query, limit=40) if "." in term]}
    return Results(hits=hits, count=result.count, page=page, size=size, facets=facets,
                   text=text, state=state)


def _shown(stored, snippets):
    """A result's ``Hit`` fields but its score, from its stored document."""
    get = stored.get_first
    snippet = snippets.snippet_from_doc(stored)
    text_snippet = highlight(snippet) if snippet.fragment() else escape(
        (get("text") or "")[:240])
    return (get("id"), get("title") or "(untitled)", get("url") or "", get("where") or "",
            (stored.get_all("type") or [""])[-1], get("modified") or 0.0, text_snippet,
            tuple(stored.get_all("labels") or ()), get("author") or "")
