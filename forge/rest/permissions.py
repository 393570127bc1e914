"""A REST write is allowed exactly when the web page doing it would be.

The permission a change needs belongs to the page that makes it: a forum is
created on the discussion tool's ``@@new`` with ``admin``, a note on the notes
tool's ``@@new`` with ``create``.  Rather than restating those names (and
drifting from them), a REST write asks the registered HTML view of the same
context and name whether it would let this caller in: the lookup Pyramid does
(most specific context first, then the views' predicates), as for the form's
POST, then that view's permission check.
"""
from pyramid.exceptions import PredicateMismatch
from pyramid.interfaces import IRequest
from pyramid.view import _find_views
from zope.interface import providedBy


def html_view_allows(request, context, name):
    """Whether the web page ``@@name`` of ``context`` exists and the caller may
    POST its form."""
    environ = request.environ
    method = environ.get("REQUEST_METHOD")
    # the page's predicates are judged for its form's POST (a REST PATCH or
    # DELETE stands for it); put back before anything else reads the request
    environ["REQUEST_METHOD"] = "POST"
    try:
        for view in _find_views(request.registry, IRequest, providedBy(context), name):
            try:
                if hasattr(view, "match"):            # several views: Pyramid's MultiView
                    view = view.match(context, request)
                elif not getattr(view, "__predicated__", lambda c, r: True)(context, request):
                    continue
            except PredicateMismatch:
                continue
            permitted = getattr(view, "__permitted__", None)
            return True if permitted is None else bool(permitted(context, request))
        return False
    finally:
        environ["REQUEST_METHOD"] = method
