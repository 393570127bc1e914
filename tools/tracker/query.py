"""The ticket query language: a string -> a parsed query -> Mongo filters.

::

    status:open assigned_to:me label:ui milestone:"Release 1.0" _severity:high
    -label:wontfix is:closed reporter:ada priority:high,critical _points:>3
    crash sort:-modified

The core's ``field:value`` language and filters (``forge.queries``: ``a,b``
= either, ``-`` negates, quotes, ``_name:`` custom fields typed by their spec,
free words in the summary, ``sort:``) with the tracker's terms:
``status:open|closed`` = any open/closed state (the ``closed`` flag the
actions keep in sync: one indexed equality), other values exact states
(``status:=open`` the state named "open"); ``is:open|closed``;
``assigned_to:``/``reporter:`` (usernames, ``me``, ``none``); ``label:``,
``milestone:``, ``priority:``.  ``parse`` (``query_parse``) knows no tracker;
``compile_query`` (``query_compile``) checks the values against one and
returns a ``CompiledQuery`` whose sort an index ``(tool_id, deleted, <field>,
number)`` serves; a sort by an enumerated field (status, priority, milestone,
select fields) is a chain of indexed equality queries in the configured order
(``query_sort``).  This module is the API the rest of the tracker imports.
"""
from forge.api import (CompiledQuery, Conditions, ParsedQuery, QueryError,  # noqa: F401 (API)
                       Segment, Term, Word, iter_matches, serving_index, unparse)

from .query_compile import QueryContext, compile_query  # noqa: F401 (API)
from .query_parse import SORTABLE, TICKET_QUERIES, parse  # noqa: F401 (API)
