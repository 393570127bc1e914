"""``@@forgot-password`` (ask for a link) and ``@@reset-password?token=``
(follow it): ``forge.actions.password_reset``.

Neither needs a permission: on a site that anonymous users may not read,
someone who forgot their password must still get back in.  The asking page
answers the same (page, status, cookies) for any name or address; the reset
page's GET only asks (mail scanners follow links), its POST sets the password.
"""
import time

from pyramid.security import NO_PERMISSION_REQUIRED
from pyramid.view import view_config

from ..actions import ActionError
from ..actions.password_reset import (ResetRefused, ask_for_reset, reset_password,
                                      user_for_reset_token)
from ..actions.sign_in import Throttled
from ..actions.users import confirmed_new_password
from ..interfaces import ISiteRoot
from ..redirects import redirect

SENT = ("If {name} is the user name or the verified e-mail address of an account, "
        "a link to choose a new password is on its way there. It works once, "
        "for one hour.")
# every accepted request is answered this long after it came (see forgot_password)
ANSWER_SECONDS = 0.25


@view_config(context=ISiteRoot, name="forgot-password", permission=NO_PERMISSION_REQUIRED,
             renderer="forge:templates/auth/forgot_password.jinja2")
def forgot_password(context, request):
    name = request.params.get("name", "").strip()[:254]
    page = {"name": name, "error": None, "sent": None,
            "mail_enabled": request.registry.forge_mailer.enabled}
    if request.method != "POST" or not page["mail_enabled"]:
        return page
    if not name:
        request.response.status_int = 400
        return dict(page, error="Give your user name or e-mail address.")
    started = time.monotonic()
    try:
        ask_for_reset(request.registry, name, request.remote_addr)
    except Throttled as error:
        request.response.status_int = error.status
        request.response.headers["Retry-After"] = str(error.seconds)
        return dict(page, error=str(error))
    # the mail is looked up and sent on another thread of this process, which
    # competes with this one for the interpreter: answering at a fixed time
    # keeps that from showing in how long the answer took
    time.sleep(max(0.0, started + ANSWER_SECONDS - time.monotonic()))
    return dict(page, sent=SENT.format(name=name), name="")


@view_config(context=ISiteRoot, name="reset-password", permission=NO_PERMISSION_REQUIRED,
             request_method=("GET", "HEAD", "POST"),
             renderer="forge:templates/auth/reset_password.jinja2")
def reset_password_link(context, request):
    token = request.params.get("token", "")
    try:
        account = user_for_reset_token(token)
    except ResetRefused as error:
        request.response.status_int = error.status
        return {"refused": str(error)}
    page = {"token": token, "account": account, "error": None}
    if request.method != "POST":
        return page
    post = request.POST
    try:
        reset_password(token, confirmed_new_password(post))
    except ResetRefused as error:
        request.response.status_int = error.status
        return {"refused": str(error)}
    except ActionError as error:
        request.response.status_int = error.status
        return dict(page, error=str(error))
    if request.user is not None:
        # the reset ended every session, this browser's too: its page must say so
        request.session.invalidate()
    request.session.flash("Your password is changed and every session of %s is signed "
                          "out. Sign in with the new password." % account.username)
    return redirect(request, request.forge_url(request.root, "@@login",
                                               query={"username": account.username}))
