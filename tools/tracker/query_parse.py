"""The ticket query language as text: the core's ``field:value`` language
(``forge.api.QueryLanguage``, read by the forge's one field syntax that the
site search shares) with the tracker's fields, aliases and sort keys; a custom
field may be named without its ``_`` (``severity:high``, as in the site
search).  ``tools.tracker.query_compile`` checks the values against one
tracker."""
from forge.api import QueryError, QueryLanguage, unparse  # noqa: F401 (API)

SORTABLE = ("number", "created", "modified", "summary", "status", "priority", "milestone",
            "assigned_to", "reporter")
TICKET_QUERIES = QueryLanguage(
    fields=("status", "is", "assigned_to", "reporter", "label", "milestone", "priority"),
    aliases={"assignee": "assigned_to", "owner": "assigned_to", "labels": "label",
             "author": "reporter", "title": "summary", "state": "status"},
    sortable=SORTABLE, bare_custom=True)
parse = TICKET_QUERIES.parse
