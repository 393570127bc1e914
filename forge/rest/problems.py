"""Errors of the REST API as ``application/problem+json`` (RFC 9457).

Every error under ``/rest`` (the forge tween's 401 and 413, a refused CSRF
token, a form's field errors, a stale ``If-Match``, an unexpected exception)
is answered here as a problem document: ``type``, ``title``, ``status``,
``detail``, and ``errors`` (field name -> message) for validation.  A node the
caller may not read answers 404 exactly like a missing one, as the HTML pages
do; a readable node an anonymous caller may not change is a 401 (the HTML
pages redirect to the sign-in form instead), a signed-in one's a 403.

The exception views carry the ``rest_request=True`` predicate on top of the
forge's ``forge_request=True``, so for the same exception class they rank
above the forge's HTML error views, and they are registered for every class
those are, since Pyramid tries a more specific class's views first.
"""
import logging

from pyramid.exceptions import BadCSRFToken, URLDecodeError
from pyramid.httpexceptions import HTTPClientError, HTTPException, HTTPForbidden, HTTPNotFound
from pyramid.response import Response

from ..actions import ActionError
from ..actions.versions import StaleSave
from ..fields import FieldErrors
from ..unit_of_work import StaleSettings
from ..views.errors import traceback_without_values
from .mount import REST_PATH, rest_prefix

log = logging.getLogger(__name__)

PROBLEM_TYPE = "application/problem+json"
#: where the problem types are described (the API page), under the API's prefix
TYPE_PAGE = "/@@docs#problem-"


def is_rest_request(request):
    # the raw WSGI path: decoding it may be what failed (a %FF in the URL)
    path = request.environ.get("PATH_INFO", "")
    prefix = rest_prefix(request.registry)
    return path == prefix or path.startswith(prefix + "/")


class RestRequestPredicate:
    """``rest_request=True``: the request is under ``/rest``."""

    def __init__(self, value, config):
        self.value = bool(value)

    def text(self):
        return "rest_request = %s" % self.value

    phash = text

    def __call__(self, context, request):
        return is_rest_request(request) == self.value


class Problem(Exception):
    """Raised by the REST views: answered as a problem document."""

    def __init__(self, status, title, detail, errors=None, headers=None, **extra):
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail
        self.errors, self.headers, self.extra = errors, headers or {}, extra


def problem_response(status, title, detail, errors=None, headers=None, **extra):
    body = {"type": "about:blank" if status >= 500 else REST_PATH + TYPE_PAGE + str(status),
            "title": title, "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(status=status, content_type=PROBLEM_TYPE, charset="utf-8")
    response.json_body = body
    response.headers.update(headers or {})
    return response


def problem_view(exc, request):
    """The one exception view of REST requests."""
    response = _problem(exc, request)
    prefix = rest_prefix(request.registry)
    if prefix != REST_PATH and response.json_body["type"].startswith(REST_PATH + "/"):
        # under an embedded forge's mount, the API page is there too
        body = response.json_body
        body["type"] = prefix + body["type"][len(REST_PATH):]
        response.json_body = body
    return response


def _problem(exc, request):
    if isinstance(exc, Problem):
        return problem_response(exc.status, exc.title, exc.detail, exc.errors, exc.headers,
                                **exc.extra)
    if isinstance(exc, FieldErrors):
        return problem_response(422, "Invalid fields",
                                "Some fields are not valid; nothing was saved.", exc.errors)
    if isinstance(exc, StaleSave):
        current = exc.artifact.version
        return problem_response(412, "Precondition failed", str(exc),
                                headers={"ETag": '"%d"' % current}, current_version=current)
    if isinstance(exc, StaleSettings):
        return problem_response(412, "Precondition failed", str(exc))
    if isinstance(exc, ActionError):
        return problem_response(exc.status, "Not saved", str(exc))
    if isinstance(exc, BadCSRFToken):
        return problem_response(
            400, "CSRF token missing",
            "A request authenticated by the session cookie must send the session's "
            "CSRF token in the X-CSRF-Token header; scripts should use an API token "
            "(Authorization: Bearer) instead.")
    if isinstance(exc, (URLDecodeError, UnicodeDecodeError)):
        return problem_response(400, "Bad request",
                                "The address or body contained bytes that are not valid UTF-8.")
    if isinstance(exc, HTTPForbidden):
        return forbidden(request)
    if isinstance(exc, HTTPNotFound):
        return not_found()
    if isinstance(exc, HTTPException) and exc.code < 500:
        headers = {k: v for k, v in exc.headers.items() if k in ("Allow", "WWW-Authenticate")}
        return problem_response(exc.code, exc.title, exc.detail or exc.explanation,
                                headers=headers)
    log.error("unhandled error on %s %s\n%s", request.method, request.path,
              traceback_without_values(exc))
    return problem_response(500, "Internal error",
                            "The error was logged; please try again, or tell the site admins.")


def not_found():
    return problem_response(404, "Not found", "There is nothing here, or you may not see it.")


def forbidden(request):
    context = getattr(request, "context", None)
    if context is not None and not request.can("read", context):
        return not_found()
    if request.user is None:
        return problem_response(401, "Unauthorized",
                                "Send an API token (Authorization: Bearer pf_...) to do that.",
                                headers={"WWW-Authenticate": 'Bearer realm="forge"'})
    return problem_response(403, "Forbidden", "You may read this but not do that here.")


#: every class the forge's HTML exception views are registered for, and ours
EXCEPTIONS = (Problem, FieldErrors, StaleSave, StaleSettings, ActionError, BadCSRFToken,
              URLDecodeError, UnicodeDecodeError, HTTPForbidden, HTTPNotFound, HTTPClientError,
              HTTPException,
              Exception)


def includeme(config):
    config.add_view_predicate("rest_request", RestRequestPredicate)
    for exc_class in EXCEPTIONS:
        config.add_exception_view(problem_view, context=exc_class, forge_request=True,
                                  rest_request=True)
