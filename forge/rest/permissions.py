"""A REST write is allowed exactly when the web page doing it would be.

The permission a change needs belongs to the page that makes it: a forum is
created on the discussion tool's ``@@new`` with ``admin``, a note on the notes
tool's ``@@new`` with ``create``.  Rather than restating those names (and
drifting from them), a REST write asks the registered HTML view of the same
context and name whether it would let this caller in: the same lookup Pyramid
does (most specific context first, the view's own predicates except the HTTP
method, which differs by design), then the view's permission check.
"""
from pyramid.interfaces import IRequest
from pyramid.view import _find_views
from zope.interface import providedBy

#: a REST method stands for the page's POST, so its request_method predicate is skipped
_METHOD_PREDICATES = ("RequestMethodPredicate",)


def html_view_allows(request, context, name):
    """Whether the web page ``@@name`` of ``context`` exists and the caller may use it."""
    for view in _find_views(request.registry, IRequest, providedBy(context), name):
        candidates = view.get_views(request) if hasattr(view, "get_views") else [view]
        for candidate in candidates:
            if hasattr(candidate, "views"):       # a MultiView inside a MultiView
                candidate = candidate.get_views(request)[0]
            predicates = getattr(candidate, "__predicates__", ())
            if not all(type(p).__name__ in _METHOD_PREDICATES or p(context, request)
                       for p in predicates):
                continue
            permitted = getattr(candidate, "__permitted__", None)
            return True if permitted is None else bool(permitted(context, request))
    return False
