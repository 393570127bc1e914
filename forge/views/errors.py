"""Friendly error pages.  A node the user may not read answers exactly like a
missing one, so private things do not reveal that they exist.

Every exception view here carries ``forge_request=True`` (``forge.scope``):
embedded, the forge answers the errors of its own requests only, and ranks
above a host's exception views there (a host's forbidden view cannot turn a
private project's 404 into a 403); the host's requests keep the host's pages."""
import logging
import traceback

from pymongo.errors import ConnectionFailure
from pyramid.exceptions import BadCSRFToken, URLDecodeError
from pyramid.renderers import render_to_response
from pyramid.response import Response
from pyramid.httpexceptions import HTTPClientError, HTTPForbidden, HTTPNotFound
from pyramid.view import exception_view_config, forbidden_view_config, notfound_view_config

from ..actions import ActionError
from ..redirects import redirect
from ..resources import root_factory
from ..unavailable import database_unavailable

log = logging.getLogger(__name__)


def render_error(request, status, title, message):
    if getattr(request, "root", None) is None:
        # the request failed before traversal (e.g. an undecodable URL)
        request.root = root_factory(request)
    response = render_to_response(
        "forge:templates/errors/error.jinja2",
        {"status": status, "title": title, "message": message},
        request=request)
    response.status_int = status
    return response


def wants_json(request):
    return request.accept.best_match(["text/html", "application/json"]) == "application/json"


def error_response(request, status, title, message):
    if wants_json(request):
        response = Response(status=status, content_type="application/json", charset="utf-8")
        response.json_body = {"status": status, "error": title, "message": message}
        return response
    return render_error(request, status, title, message)


@notfound_view_config(forge_request=True)
def not_found(request):
    return error_response(request, 404, "Not found",
                          "There is nothing here, or you may not see it.")


@forbidden_view_config(forge_request=True)
def forbidden(request):
    context = request.context
    if isinstance(request.exception, BadCSRFToken):
        return bad_csrf(request)
    if context is not None and not request.can("read", context):
        return not_found(request)
    if request.user is None and request.method in ("GET", "HEAD"):
        login = request.forge_url(request.root, "@@login", query={"next": request.url})
        return redirect(request, login)
    return error_response(request, 403, "Forbidden",
                          "You may see this page but not do that here."
                          if request.user else "Please sign in first.")


# never offered back: secrets, and the expired token itself
NOT_KEPT = ("password", "token", "secret", "code", "confirm")
MAX_KEPT_FIELDS, MAX_KEPT_CHARS = 50, 100_000


def kept_fields(request):
    """(name, value) of the posted text fields worth offering back; files and
    secrets are not kept."""
    try:
        items = list(request.POST.items())
    except Exception:   # an unreadable body: nothing to keep (the 400 stays)
        return []
    kept, size = [], 0
    for name, value in items:
        if not isinstance(value, str) or any(word in name.lower() for word in NOT_KEPT):
            continue
        size += len(value)
        if size > MAX_KEPT_CHARS or len(kept) == MAX_KEPT_FIELDS:
            break
        kept.append((name[:200], value))
    return kept


@exception_view_config(BadCSRFToken, forge_request=True)
def bad_csrf(request):
    message = ("The form was missing its security token or it did not match "
               "(the page may be old, or the request came from another site).")
    fields = kept_fields(request) if request.method == "POST" else []
    if wants_json(request) or not fields:
        return error_response(request, 400, "Form expired",
                              message + " Reload the page and try again.")
    # what the reader typed is not lost: shown again in a form with a fresh
    # token, sent only if they choose to (a forged post gains nothing: the
    # reader sees it and must press the button, and no page can frame this one)
    if getattr(request, "root", None) is None:
        request.root = root_factory(request)
    response = render_to_response(
        "forge:templates/errors/csrf.jinja2",
        {"message": message, "fields": fields, "action": request.path_url},
        request=request)
    response.status_int = 400
    return response


@exception_view_config(URLDecodeError, forge_request=True)
@exception_view_config(UnicodeDecodeError, forge_request=True)
def bad_encoding(request):
    return error_response(request, 400, "Bad request",
                          "The address or form contained bytes that are not valid UTF-8.")


@exception_view_config(ActionError, forge_request=True)
def action_error(request):
    error = request.exception
    return error_response(request, error.status, "Not saved", str(error))


@exception_view_config(HTTPClientError, forge_request=True)
def client_error(request):
    error = request.exception
    if isinstance(error, (HTTPNotFound, HTTPForbidden)):
        return not_found(request) if isinstance(error, HTTPNotFound) else forbidden(request)
    return error_response(request, error.code, error.title, error.detail or error.explanation)


# the database is down (or failing over): 503 + Retry-After, for pages and /rest
# alike (a more specific class than the REST API's Exception view), never a 500
@exception_view_config(ConnectionFailure, forge_request=True)
def database_down(request):
    return database_unavailable(request)


@exception_view_config(Exception, forge_request=True)
def server_error(request):
    log.error("unhandled error on %s %s\n%s", request.method, request.path,
              traceback_without_values(request.exception))
    return error_response(request, 500, "Something went wrong",
                          "The error was logged; please try again, or tell the site admins.")


def traceback_without_values(error):
    """Where ``error`` (and the errors it came from) were raised, and their
    types, but not their messages nor the query string: a message may quote
    what the request carried (a form field in a ``ValueError``, a multipart
    boundary), and the logs never hold request bodies or form values."""
    chain = []
    while error is not None and len(chain) < 10:
        chain.append(error)
        error = error.__cause__ or error.__context__
    lines = []
    for error in reversed(chain):
        lines.append("Traceback (most recent call last):\n")
        lines.extend(traceback.format_tb(error.__traceback__))
        lines.append("%s.%s (message not logged)\n" % (type(error).__module__,
                                                         type(error).__qualname__))
    return "".join(lines).rstrip("\n")
