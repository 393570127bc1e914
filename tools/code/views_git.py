"""The smart HTTP endpoints: ``info/refs``, ``git-upload-pack``, ``git-receive-pack``.

They state ``NO_PERMISSION_REQUIRED`` because the git client needs answers the
forge's HTML error pages do not give (a Basic challenge, a plain-text reason
it prints as ``remote: ...``); ``answer_for_refusal`` applies the same rule as
the pages: who may not read gets a 404, whoever else lacks the right a 401
(anonymous, so git asks for credentials) or a 403 with the reason.
"""
from pyramid.response import Response
from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from .advertisement import advertisement_response, is_v2_advertisement_request
from .events import record_push
from .pre_receive import PushGate
from .repository import Repository, push_lock
from .resources import NOT_FOUND, ICodeTool, challenge
from .smart_http import (SERVICES, backend_response, receive_pack, repository_of,
                         run_backend, stream_output)

REQUEST_TYPES = {"git-upload-pack": "application/x-git-upload-pack-request",
                 "git-receive-pack": "application/x-git-receive-pack-request"}


def plain(status, message, **headers):
    response = Response(status=status, body=(message + "\n").encode("utf-8"),
                        content_type="text/plain", charset="utf-8")
    # git prints a text/plain body of an error as "remote: ..."
    response.headers.update(headers)
    return response


def answer_for_refusal(request, context, service):
    """None when the request may run ``service``, else the answer to give."""
    permission = "push" if service == "git-receive-pack" else "read"
    if request.can(permission, context):
        return None
    if not request.can("read", context):
        return plain(404, NOT_FOUND)
    if request.user is None:
        return challenge("Sign in to push: your user name, and an API token (or your "
                         "password) as the password.")
    return plain(403, "%s may not push to this repository (the push permission is "
                 "needed; Developers have it)." % request.user.username)


@view_config(context=ICodeTool, name="info", request_method=("GET", "HEAD"),
             permission=NO_PERMISSION_REQUIRED)
def info_refs(context, request):
    service = request.GET.get("service", "")
    if request.subpath != ("refs",):
        return plain(404, NOT_FOUND)
    if service not in SERVICES:
        # the dumb protocol (no service) is not served: files would bypass the checks
        return plain(400 if request.can("read", context) else 404,
                     "Unknown git service %r; use a git client with smart HTTP."
                     % service[:40] if request.can("read", context) else NOT_FOUND)
    refused = answer_for_refusal(request, context, service)
    if refused is not None:
        return refused
    path = repository_of(request, context)
    if is_v2_advertisement_request(request, service):
        # git's first request of a fetch: its answer names no ref (advertisement.py)
        return advertisement_response(
            request, path, lambda: run_backend(request, path, "/info/refs"), stream_output)
    return backend_response(request, path, "/info/refs")


@view_config(context=ICodeTool, name="git-upload-pack", request_method="POST",
             permission=NO_PERMISSION_REQUIRED, require_csrf=False)
def upload_pack(context, request):
    # no CSRF token: a form cannot send this content type, which is required
    refused = check_request(request, context, "git-upload-pack")
    return refused or backend_response(request, repository_of(request, context),
                                       "/git-upload-pack")


@view_config(context=ICodeTool, name="git-receive-pack", request_method="POST",
             permission=NO_PERMISSION_REQUIRED, require_csrf=False)
def receive(context, request):
    refused = check_request(request, context, "git-receive-pack")
    if refused is not None:
        return refused
    path = repository_of(request, context)
    # one push at a time per repository (across processes): the refs read
    # before and after it are then this push's, and so are the commits emitted
    with push_lock(path), PushGate(request.registry, context.doc, path, request.user) as gate:
        before = Repository(path).ref_shas()
        status, response = receive_pack(request, path, "/git-receive-pack", gate)
        if status is not None:
            # what moved, whatever git's exit status: a push may update some refs only
            record_push(request.registry, context.doc, path, before, request.user)
    return response


def check_request(request, context, service):
    if request.subpath:
        return plain(404, NOT_FOUND)
    if request.content_type != REQUEST_TYPES[service]:
        return plain(400 if request.can("read", context) else 404,
                     "A git request must be sent as %s." % REQUEST_TYPES[service]
                     if request.can("read", context) else NOT_FOUND)
    return answer_for_refusal(request, context, service)
