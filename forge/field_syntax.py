"""One ``field:value`` syntax for every query box of the forge: the lists of
artifacts (``forge.queries``, the tracker's ticket queries) and the site
search (``forge.search.query``) read their text with ``lex``, so
``severity:high``, ``-label:"won't fix"`` or ``crash`` mean the same words
in both; each then gives the tokens its own meaning (the tracker checks
fields against one tracker and builds Mongo filters, the search builds a
tantivy query).

    word                 a free word (``Token.field`` is None)
    "two words"          a quoted free word (a phrase)
    field:value          ``field`` is letters, digits, ``_``, ``-``, ``.``
                         (``_severity``, ``plugin.field``), lower-cased
    field:"two words"    a quoted value keeps spaces (and commas)
    -anything            negates what follows the minus

A value runs to the next whitespace unless it starts with a quote; a quote
must be closed.  Every refusal is a ``QueryError`` whose message the page
shows (400)::

    lex('severity:high -label:"won t" crash')
    # [Token('severity', 'high'), Token('label', 'won t', negated=True,
    #  quoted=True), Token(None, 'crash')]
"""
import re
from dataclasses import dataclass

FIELD_START = re.compile(r"(-?)([A-Za-z_][\w.-]*):")


class QueryError(ValueError):
    """A query that cannot be run; the message says what to change."""


@dataclass(frozen=True)
class Token:
    field: str | None     # None for a free word
    value: str
    negated: bool = False
    quoted: bool = False


def lex(text, max_length=500, max_terms=30):
    """The tokens of ``text`` (stripped); raises QueryError."""
    text = (text or "").strip()
    if len(text) > max_length:
        raise QueryError("The query is too long: at most %d characters." % max_length)
    tokens, pos = [], 0
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        match = FIELD_START.match(text, pos)
        if match:
            negated, name = bool(match.group(1)), match.group(2).lower()
            value, quoted, pos = read_value(text, match.end())
            if not value.strip():
                raise QueryError("%s: needs a value (quote values that contain spaces)."
                                 % name)
        else:
            negated, name = text[pos] == "-", None
            value, quoted, pos = read_value(text, pos + (text[pos] == "-"))
            if not value.strip():
                if negated and not quoted:
                    raise QueryError("A minus must be followed by what to exclude.")
                continue
        tokens.append(Token(name, value, negated, quoted))
        if len(tokens) > max_terms:
            raise QueryError("A query may have at most %d terms." % max_terms)
    return tokens


def read_value(text, pos):
    """(value, quoted, position after it): a quoted string or up to whitespace."""
    if pos < len(text) and text[pos] == '"':
        end = text.find('"', pos + 1)
        if end < 0:
            raise QueryError('A quotation mark is not closed: put a " after %s'
                             % text[pos:pos + 40])
        return text[pos + 1:end], True, end + 1
    end = pos
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[pos:end], False, end
