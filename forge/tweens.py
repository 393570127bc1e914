"""Request-wide guards: bounded bodies (``forge.request_limits``), strictly
UTF-8 forms, well-formed multipart, and a clean Ming session per request.

The tween sits just above the view (under Pyramid's exception view tween), so
what it raises is rendered by the forge's error pages.  Embedded in a host
(``forge.embedding``), it checks only requests under the forge's mounts.
"""
from pyramid.httpexceptions import (HTTPBadRequest, HTTPRequestEntityTooLarge,
                                    HTTPUnauthorized)
from pyramid.tweens import EXCVIEW, MAIN

from .actions.tokens import TokenRefused, user_id_for, user_id_for_basic
from .attachments import request_body_limit
from .model import session
from .model.cache import start_request
from .request_limits import check_form_encoding, check_multipart
from .scope import in_forge
from .security import BASIC_AUTH, TOKEN_USER, basic_credentials, bearer_token
from .upload_fields import misplaced_files

PAGE_CACHE_TWEEN = "forge.page_cache.page_cache_tween_factory"


def forge_tween_factory(handler, registry):
    limit = registry.settings["forge.max_body_bytes"]

    def forge_tween(request):
        # each request starts from the database, never from another's cache
        session.close()
        start_request()
        if not in_forge(request):
            # a host's page (forge.embedding): its own limits, its own tokens
            try:
                return handler(request)
            finally:
                session.close()
        length = request.content_length
        upload = request_body_limit(registry.settings, request)
        body_limit = upload[0] if upload else limit
        if request.content_type in registry.forge_streamed_body_types:
            pass    # the view streams and bounds it itself (config.add_streamed_body_type)
        elif length is not None and length > body_limit:
            raise _too_large(limit, upload)
        elif length is None and request.is_body_readable:
            # chunked upload: read at most limit + 1 bytes to know it is too big
            body = request.body_file_raw.read(body_limit + 1)
            if len(body) > body_limit:
                raise _too_large(limit, upload)
            request.body = body
        check_form_body(request, limit)
        token = bearer_token(request)
        basic = basic_credentials(request) if token is None else None
        try:
            if token is not None:
                request.environ[TOKEN_USER] = user_id_for(token, request=request)
            elif basic is not None:
                request.environ[TOKEN_USER] = user_id_for_basic(
                    registry, *basic, request.remote_addr, request=request)
                request.environ[BASIC_AUTH] = True
        except TokenRefused as refused:
            raise HTTPUnauthorized(str(refused))
        try:
            return handler(request)
        finally:
            session.close()

    return forge_tween


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def check_form_body(request, field_limit):
    """400 (or 413) for a form body WebOb would misread or choke on, before
    any view (or the CSRF check) parses it."""
    if request.content_type in FORM_TYPES and (request.charset or "utf-8").lower() \
            not in ("utf-8", "utf8"):
        # WebOb raises (a DeprecationWarning) on reading such a form: refuse it here
        raise HTTPBadRequest("Forms must be sent in UTF-8.")
    if request.content_type == "application/x-www-form-urlencoded":
        check_form_encoding(request.body)
    elif request.content_type == "multipart/form-data":
        check_multipart(request.headers["Content-Type"], request.body, field_limit)
        try:
            post = request.POST     # parsed once here, kept in the environ for the view
        except ValueError:
            raise HTTPBadRequest("The upload form is not valid multipart data.")
        if misplaced_files(post):
            # the message names no field: field names are the client's body
            raise HTTPBadRequest("The form sent a file in a field that takes text; "
                                 "files go in the attachment field only.")


def _too_large(limit, upload=None):
    if upload:
        return HTTPRequestEntityTooLarge(upload[1])
    return HTTPRequestEntityTooLarge(
        "The request body is larger than the limit of %d KiB." % (limit // 1024))


def add_streamed_body_type(config, content_type):
    """Bodies of ``content_type`` (``application/x-git-receive-pack-request``)
    reach the view unread and unbounded: its view must stream and bound them."""
    config.registry.forge_streamed_body_types.add(content_type)


def add_tool_tween(config, factory):
    """``config.add_tool_tween("mytool.tweens.factory")``: a tool's tween, placed
    under Pyramid's exception view tween, so that what it raises (a path that is
    not UTF-8, say) gets the forge's error pages, and under the cookie guard
    (``forge.request_headers``), which must see every request first.  Embedded in
    a host, the tween also sees the host's requests: it should act only where
    ``forge.api.in_forge(request)``.

    It sits under the page cache too: a page the cache answers never reaches
    it (the cache keeps what came out of it, under the URL as sent), which is
    what lets the cache answer hits before the router (``forge.page_cache``)."""
    config.add_tween(factory, under=PAGE_CACHE_TWEEN, over="forge.tweens.forge_tween_factory")


def includeme(config):
    config.registry.forge_streamed_body_types = set()
    config.add_directive("add_streamed_body_type", add_streamed_body_type)
    config.add_directive("add_tool_tween", add_tool_tween)
    config.add_tween("forge.tweens.forge_tween_factory", over=MAIN)
    # the requests these tweens get: one class with the request methods in it
    config.include("forge.request_class")
    # /@@health answers above the exception view, sessions and the page cache,
    # so it keeps answering (503, database down) when nothing else can
    config.add_tween("forge.health.health_tween_factory", over=EXCVIEW,
                     under="forge.response_headers.security_headers_tween_factory")
