"""A ``field:value`` query language for lists of artifacts, as text.

``QueryLanguage(fields, aliases, sortable).parse(text)`` reads a string into a
``ParsedQuery`` (``Term``s, free ``Word``s and a sort); ``unparse`` writes one
back.  ``field:value`` terms, ``a,b`` (unquoted) = either, ``-field:v``
negates, quotes keep spaces and commas, ``_name:`` is a custom field,
``sort:field`` / ``sort:-field`` orders; the words are read by the forge's
one field syntax (``forge.field_syntax``, shared with the site search), and a
language with ``bare_custom`` takes ``severity:high`` for ``_severity:high``
when ``severity`` is none of its fields (the tool's compile step refuses a
name that is no custom field either).  The language knows no tool: a tool
checks the values against its own data when it compiles the query (see
``forge.queries.custom_fields`` for the custom-field terms).  Every refusal is
a ``QueryError`` whose message the list page shows::

    TICKETS = QueryLanguage(fields=("status", "label"), aliases={"labels": "label"},
                            sortable=("number", "status"))
    TICKETS.parse('status:open -label:wontfix sort:-number crash')
"""
from dataclasses import dataclass, field

from ..field_syntax import QueryError, lex
from ..names import single_line

MAX_QUERY = 500
MAX_TERMS = 30
MAX_VALUE = 200
__all__ = ["ParsedQuery", "QueryError", "QueryLanguage", "Term", "Word", "unparse"]


@dataclass(frozen=True)
class Term:
    field: str            # "status", "label", "_severity", ...
    values: tuple         # alternatives (a OR b)
    negated: bool = False
    quoted: bool = False
    bare: bool = False    # written without its "_" (severity:high for _severity:high)


@dataclass(frozen=True)
class Word:
    text: str
    negated: bool = False


@dataclass
class ParsedQuery:
    terms: list = field(default_factory=list)
    words: list = field(default_factory=list)
    sort: tuple = None    # (field, descending)

    def __str__(self):
        return unparse(self)


@dataclass(frozen=True)
class QueryLanguage:
    """The field names a tool's queries take (besides ``sort`` and ``_custom``),
    their aliases, and the keys ``sort:`` takes; ``bare_custom``: any other
    name is a custom field's."""
    fields: tuple
    aliases: dict
    sortable: tuple
    bare_custom: bool = False

    def parse(self, text):
        """``text`` -> ParsedQuery; raises QueryError."""
        query = ParsedQuery()
        for token in lex(text, MAX_QUERY, MAX_TERMS):
            if token.field is None:
                query.words.append(Word(token.value, token.negated))
            else:
                self._add_term(query, self.aliases.get(token.field, token.field),
                               token.value, token.negated, token.quoted)
        return query

    def _add_term(self, query, name, value, negated, quoted):
        bare = False
        if name not in self.fields and name != "sort" and not name.startswith("_") \
                and self.bare_custom:
            name, bare = "_" + name, True
        if name not in self.fields and name != "sort" and not name.startswith("_"):
            raise QueryError("Unknown field %r. Use one of: %s, or _name for a custom field."
                             % (name[:40], ", ".join(self.fields + ("sort",))))
        if not value.strip():
            raise QueryError("%s: needs a value (quote values that contain spaces)." % name)
        if len(value) > MAX_VALUE:
            raise QueryError("%s: the value is too long." % name)
        if not single_line(value):
            raise QueryError("%s: the value contains control characters." % name)
        if name == "sort":
            if negated or quoted or "," in value:
                raise QueryError("sort: takes one field, e.g. sort:-modified.")
            if query.sort is not None:
                raise QueryError("Only one sort: per query.")
            key = value.lstrip("-").lower()
            key = self.aliases.get(key, key)
            if key not in self.sortable and not key.startswith("_"):
                raise QueryError("Cannot sort by %r; sort by one of: %s, or _name for a "
                                 "custom field." % (key[:40], ", ".join(self.sortable)))
            query.sort = (key, value.startswith("-"))
            return
        values = (value,) if quoted else tuple(v for v in value.split(",") if v.strip())
        if not values:
            raise QueryError("%s: needs a value." % name)
        query.terms.append(Term(name, values, negated, quoted, bare))

    def with_sort(self, text, key):
        """``text`` sorted by ``key`` (ascending, or descending if it already was);
        None for a key that does not sort or a text that does not parse."""
        if key not in self.sortable and not key.startswith("_"):
            return None
        try:
            parsed = self.parse(text)
        except QueryError:
            return None
        parsed.sort = (key, parsed.sort == (key, False))
        return unparse(parsed)


def unparse(query):
    """A canonical string of a parsed query (for saved searches and links)."""
    parts = []
    for term in query.terms:
        value = term.values[0] if term.quoted else ",".join(term.values)
        if term.quoted or " " in value:
            value = '"%s"' % value
        name = term.field[1:] if term.bare else term.field
        parts.append("%s%s:%s" % ("-" if term.negated else "", name, value))
    for word in query.words:
        text = '"%s"' % word.text if " " in word.text else word.text
        parts.append(("-" if word.negated else "") + text)
    if query.sort:
        parts.append("sort:%s%s" % ("-" if query.sort[1] else "", query.sort[0]))
    return " ".join(parts)
