"""The ticket query language: a string -> a parsed query -> Mongo filters.

::

    status:open assigned_to:me label:ui milestone:"Release 1.0" _severity:high
    -label:wontfix is:closed reporter:ada priority:high,critical _points:>3
    crash sort:-modified

* ``field:value`` terms are ANDed; ``a,b`` (unquoted) means a OR b; ``-field:v``
  negates; quotes keep spaces and commas in a value.
* ``status:open`` / ``status:closed`` mean any open / closed state (the
  ``closed`` flag the actions keep in sync, so it is one indexed equality);
  any other value is an exact state, and ``status:=open`` the state named
  "open" itself.  ``is:open`` and ``is:closed`` say the same.
* ``_name:value`` filters a custom field by its type: integers and dates also
  take ``>``, ``>=``, ``<``, ``<=``; booleans take yes/no; ``none`` means no value.
* Free words must all occur in the summary (case-insensitive).
* ``sort:field`` / ``sort:-field``: number, created, modified, summary, status,
  priority, milestone, assignee, reporter or a custom field; ties by number.

The pipeline, a module each: ``parse`` (``query_parse``) raises
``QueryError`` (a message for the list page) and knows no tracker;
``compile_query`` (``query_compile``) checks the values against the
tracker's states, priorities, milestones, users and custom fields and returns
a ``CompiledQuery``: equality conditions on the indexed fields first, and a
sort that an index ``(tool_id, deleted, <field>, number)`` serves
(``query_sort``).  Sorting by an enumerated field (status, priority,
milestone, select fields) is a chain of indexed equality queries in the
configured order ("segments") rather than an alphabetical sort.

What Ming's in-memory ``mim://`` cannot evaluate the way MongoDB does
(``$nin`` on arrays, missing sub-fields, negated words) is also checked in
Python on each candidate (``residual``), which is correct on every server.

This module is the API the rest of the tracker and its tests import.
"""
from .conditions import Conditions, iter_matches, serving_index  # noqa: F401 (API)
from .query_compile import CompiledQuery, QueryContext, compile_query  # noqa: F401 (API)
from .query_parse import (  # noqa: F401 (API)
    SORTABLE, ParsedQuery, QueryError, Term, Word, parse, unparse)
from .query_sort import Segment  # noqa: F401 (API)
