"""The version pages every versioned artifact gets for free, and the 409 page.

* ``@@version?v=N`` (read): one snapshot's fields as stored;
* ``@@diff?from=N&to=M`` (read): a unified diff per field;
* ``@@revert`` (POST, update): a new version equal to an old one.

Tools' edit views reuse the conflict page for a stale save::

    from forge.actions.versions import StaleSave, save_versioned
    from forge.views.versions import conflict_response

    try:
        save_versioned(registry, note, edited_version, changes, request.user)
    except StaleSave as error:
        return conflict_response(request, error, mine={"text": form["text"]})

``conflict_response(request, error, mine)`` renders ``node/conflict.jinja2``
with status 409.  The template gets ``error`` (the ``StaleSave``: its
``artifact`` is the fresh document, ``edited_version`` the version the user
edited, ``changes`` a list of ``(field, unified diff lines)`` of what others
saved since) and ``mine`` ({field: the value the user submitted}, shown in
read-only text areas so nothing typed is lost).  The page links to the
artifact (``request.context``) and its history.
"""
from pyramid.httpexceptions import HTTPBadRequest
from pyramid.renderers import render_to_response
from pyramid.view import view_config

from ..actions import ActionError
from ..actions.versions import StaleSave, diff_data, revert, snapshot
from ..interfaces import IVersioned
from ..redirects import redirect
from .errors import error_response
from ..user_lookup import usernames
from .params import BadNumber, parse_int

MAX_VERSION = 10 ** 9


def conflict_response(request, error, mine=None, status=409):
    """The rendered 409 page for a ``StaleSave`` (see the module docstring)."""
    response = render_to_response(
        "forge:templates/node/conflict.jinja2",
        {"error": error, "mine": dict(mine or {}), "artifact": error.artifact,
         "node": request.context},
        request=request)
    response.status_int = status
    return response


def version_param(request, name, what):
    """An integer version from the query string, or a 400 saying what is wrong."""
    raw = request.params.get(name)
    if raw is None or not raw.strip():
        raise HTTPBadRequest("Say which version to show as %s (e.g. ?%s=1)." % (what, name))
    try:
        return parse_int(raw, "version number", minimum=1, maximum=MAX_VERSION)
    except BadNumber:
        if raw.strip().lstrip("+-").isdecimal():
            raise HTTPBadRequest("Version numbers start at 1 (%s)." % what)
        raise HTTPBadRequest("%s is not a version number." % what.capitalize())


def existing_snapshot(context, number):
    found = snapshot(context.doc, number)
    if found is None:
        raise HTTPBadRequest("There is no version %d of %s (the latest is %d)." % (
            number, context.title, context.doc.version))
    return found


@view_config(page_cache=True, context=IVersioned, name="version", permission="read",
             renderer="forge:templates/node/version.jinja2", request_method="GET")
def show_version(context, request):
    number = version_param(request, "v", "v")
    shown = existing_snapshot(context, number)
    return {"snapshot": shown, "author": usernames([shown.author_id]).get(
                shown.author_id, "system"),
            "fields": sorted((shown.data or {}).items()),
            "current": context.doc.version}


@view_config(page_cache=True, context=IVersioned, name="diff", permission="read",
             renderer="forge:templates/node/diff.jinja2", request_method="GET")
def show_diff(context, request):
    old_number = version_param(request, "from", "from")
    new_number = version_param(request, "to", "to")
    old = existing_snapshot(context, old_number)
    new = existing_snapshot(context, new_number)
    names = usernames([old.author_id, new.author_id])
    return {"old": old, "new": new, "changes": diff_data(old.data or {}, new.data or {}),
            "old_author": names.get(old.author_id, "system"),
            "new_author": names.get(new.author_id, "system")}


@view_config(context=IVersioned, name="revert", permission="update",
             request_method="POST")
def revert_view(context, request):
    to_version = version_param(request, "version", "the version to revert to")
    edited = version_param(request, "edited_version", "the version you saw")
    try:
        fresh, changed = revert(request.registry, context.doc, to_version, edited,
                                request.user)
    except StaleSave as error:
        return conflict_response(request, error)
    except ActionError as error:
        return error_response(request, error.status, "Not reverted", str(error))
    if changed:
        request.session.flash("Reverted to version %d; this is now version %d." % (
            to_version, fresh.version))
    else:
        request.session.flash("Version %d has the same content as the current one; "
                              "nothing changed." % to_version)
    return redirect(request, request.forge_url(context))
