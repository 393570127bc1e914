"""The steps of signing in after the password: a two-factor code, and a new
password when a site admin required one.

Between the password and the last step the browser is *not* signed in: what
it holds is a note in its anonymous session (``PENDING_KEY``: the user's id,
when the password was right, a stamp of the credentials and where to go
next), which no view, permission or API reads as an identity.  The note lasts
``PENDING_SECONDS`` and dies with any change of the password or of two-factor
sign-in (the stamp no longer matches).  Only the last step calls
``remember`` and writes the "signed in" audit entry.
"""
import hashlib
import time

from pyramid.security import NO_PERMISSION_REQUIRED, remember
from pyramid.view import view_config

from ..actions import ActionError
from ..actions.password_reset import set_required_password
from ..actions.sign_in import Throttled, network_of, record_sign_in
from ..actions.two_factor import check_code
from ..actions.users import confirmed_new_password
from ..interfaces import ISiteRoot
from ..model import User
from ..redirects import redirect, safe_next

PENDING_KEY = "pending_sign_in"
PENDING_SECONDS = 300
EXPIRED = "Your sign-in took too long or its password changed. Sign in again."


def credentials_stamp(user):
    """Changes whenever the password or the second factor does."""
    text = "%s|%s|%s" % (user.password_hash, user.totp_secret, user.must_reset_password)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def needs_more(user):
    return bool(user.totp_secret) or user.must_reset_password


def after_password(request, user, next_path):
    """The password was right: sign in, or note the half-done sign-in and ask
    for what is still missing."""
    if not needs_more(user):
        return complete(request, user, next_path)
    request.session[PENDING_KEY] = {"user_id": user._id, "at": time.time(),
                                    "stamp": credentials_stamp(user),
                                    "next": next_path or "", "code_ok": False}
    return redirect(request, next_step_url(request, user, code_ok=False))


def next_step_url(request, user, code_ok):
    step = "@@sign-in-code" if user.totp_secret and not code_ok else "@@choose-password"
    return request.forge_url(request.root, step)


def complete(request, user, next_path):
    request.session.pop(PENDING_KEY, None)
    record_sign_in(user.username, user, network_of(request.remote_addr))
    headers = remember(request, str(user._id))
    target = safe_next(request, next_path) or request.forge_url(request.root)
    return redirect(request, target, headers=headers)


def pending(request):
    """``(user, note)`` of the half-done sign-in, or ``(None, None)``."""
    note = request.session.get(PENDING_KEY)
    if not isinstance(note, dict):
        return None, None
    user = User.query.get(_id=str(note.get("user_id", "")))
    fresh = isinstance(note.get("at"), (int, float)) \
        and 0 <= time.time() - note["at"] <= PENDING_SECONDS
    if user is None or user.disabled or not fresh \
            or note.get("stamp") != credentials_stamp(user):
        request.session.pop(PENDING_KEY, None)
        return None, None
    return user, note


def back_to_sign_in(request):
    request.session.flash(EXPIRED)
    return redirect(request, request.forge_url(request.root, "@@login"))


def refused(request, error, page):
    request.response.status_int = error.status
    if isinstance(error, Throttled):
        request.response.headers["Retry-After"] = str(error.seconds)
    return dict(page, error=str(error))


@view_config(context=ISiteRoot, name="sign-in-code", permission=NO_PERMISSION_REQUIRED,
             renderer="forge:templates/auth/sign_in_code.jinja2")
def sign_in_code(context, request):
    user, note = pending(request)
    if user is None or not user.totp_secret or note["code_ok"]:
        return back_to_sign_in(request)
    page = {"username": user.username, "error": None}
    if request.method != "POST":
        return page
    try:
        check_code(request.registry, user, request.POST.get("code", ""), request.remote_addr)
    except ActionError as error:
        if not isinstance(error, Throttled):
            record_sign_in(user.username, None, network_of(request.remote_addr))
        return refused(request, error, page)
    if user.must_reset_password:
        request.session[PENDING_KEY] = dict(note, code_ok=True)
        return redirect(request, next_step_url(request, user, code_ok=True))
    return complete(request, user, note["next"])


@view_config(context=ISiteRoot, name="choose-password", permission=NO_PERMISSION_REQUIRED,
             renderer="forge:templates/auth/choose_password.jinja2")
def choose_password(context, request):
    user, note = pending(request)
    if user is None or not user.must_reset_password or (user.totp_secret and not note["code_ok"]):
        return back_to_sign_in(request)
    page = {"username": user.username, "error": None}
    if request.method != "POST":
        return page
    post = request.POST
    try:
        set_required_password(user, confirmed_new_password(post))
    except ActionError as error:
        return refused(request, error, page)
    request.session.flash("Your new password is set.")
    return complete(request, user, note["next"])
