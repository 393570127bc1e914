"""The CSRF rule of REST writes.

CSRF protects ambient credentials: the session cookie, and HTTP Basic that a
browser resends by itself.  A REST write that carries either must send the
session's CSRF token in ``X-CSRF-Token`` (and pass the origin check), exactly
as the forge's forms must; a write authenticated by an API token alone, or by
nothing at all, carries no ambient credential, needs no token and starts no
session (an anonymous write is then refused by its permission: 401 or 404).

REST views opt out of the forge's CSRF deriver (``require_csrf=False``), which
checks anonymous requests too because anonymous forms (sign-in, sign-up) hold
a session, and use this decorator instead (``REST_VIEW`` below).
"""
from pyramid.csrf import check_csrf_origin, check_csrf_token

from ..scope import SAFE_METHODS
from ..security import BASIC_AUTH, has_session_cookie
from .problems import Problem


def rest_csrf(view):
    def csrf_checked(context, request):
        if request.subpath:
            # /rest/p/demo/notes/@@items/extra names nothing
            raise Problem(404, "Not found", "There is nothing here, or you may not see it.")
        if request.method not in SAFE_METHODS and (
                has_session_cookie(request) or BASIC_AUTH in request.environ):
            check_csrf_origin(request)
            check_csrf_token(request)
        return view(context, request)
    return csrf_checked


#: the options of every REST view (``page_cache``: a GET's answer may be kept
#: per API token, ``forge.rest.answer_cache``; REST answers say ``private``, so
#: the anonymous pages' kind never keeps them)
REST_VIEW = {"require_csrf": False, "decorator": rest_csrf, "page_cache": True}
