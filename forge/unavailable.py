"""503 while the database cannot be reached.

When the database server is down (the embedded one restarting under ``forge
serve``, a MongoDB failing over or gone), pymongo raises ``ConnectionFailure``
(``ServerSelectionTimeoutError``, ``AutoReconnect``, ``NotPrimaryError`` are
kinds of it).  That is no bug of the request: the answer is 503 with
``Retry-After``, a page that says the site is briefly unavailable, a problem
document under ``/rest``, JSON for JSON clients -- never the 500 page and its
logged traceback.

The answer is built without the database: no site template (its chrome reads
the signed-in user), no session, no traversal.
"""
import html
import logging

from pyramid.response import Response

log = logging.getLogger(__name__)

#: seconds a client should wait: the embedded server restarts within about one,
#: and a replica set elects a new primary within about ten
RETRY_AFTER = 5
TITLE = "Temporarily unavailable"
MESSAGE = ("The site cannot reach its database just now. It is being restarted; "
           "please try again in a few seconds. Nothing you saved before is lost.")

PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,sans-serif;max-width:36em;margin:4em auto;padding:0 1em;
color:#222}}h1{{font-size:1.5em}}</style></head>
<body><main class="error-page"><h1>{title}</h1>
<p class="error-message" role="alert">{message}</p>
<p><a href="">Try again</a></p></main></body>
</html>
"""


def database_unavailable(request):
    """The exception view of ``pymongo.errors.ConnectionFailure``."""
    error = request.exception
    # one line, no traceback: the cause is the database, named by its type
    log.warning("database unavailable on %s %s: %s", request.method, request.path,
                type(error).__name__)
    return unavailable_response(request)


def unavailable_response(request, retry_after=RETRY_AFTER):
    if _is_rest(request):
        from .rest.problems import problem_response
        response = problem_response(503, TITLE, MESSAGE)
    elif _wants_json(request):
        response = Response(status=503, content_type="application/json", charset="utf-8")
        response.json_body = {"status": 503, "error": TITLE, "message": MESSAGE}
    else:
        response = Response(PAGE.format(title=html.escape(TITLE), message=html.escape(MESSAGE)),
                            status=503, content_type="text/html", charset="utf-8")
    response.headers["Retry-After"] = str(retry_after)
    response.cache_control = "no-store"
    return response


def _is_rest(request):
    try:
        from .rest.problems import is_rest_request
        return is_rest_request(request)
    except (ImportError, AttributeError, KeyError):     # the REST API is not included
        return False


def _wants_json(request):
    return request.accept.best_match(["text/html", "application/json"]) == "application/json"
