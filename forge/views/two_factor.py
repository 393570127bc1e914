"""``@@two-factor``: turning TOTP two-factor sign-in on and off, and recovery
codes (``forge.actions.two_factor``); and the rule that a site admin without
it sets it up first when ``forge.auth.require_2fa_for_site_admins`` is on.

Setting up keeps the proposed secret in the signed-in session (server-side),
shows it with its QR code drawn here as inline SVG, and stores it on the
account only when a code from the app matches.  Recovery codes appear once,
on the answer that made them.
"""
from markupsafe import Markup
from pyramid.events import ContextFound, subscriber
from pyramid.httpexceptions import HTTPForbidden
from pyramid.view import exception_view_config, view_config, view_defaults

from ..actions import ActionError
from ..actions.sign_in import Throttled
from ..actions.two_factor import (disable, enable, new_secret, provisioning_uri, qr_svg,
                                  regenerate_recovery_codes)
from ..interfaces import ISiteRoot
from ..redirects import redirect
from ..security import authenticated_by_token
from .auth import CredentialsNeedSignIn

SETUP_KEY = "totp_setup_secret"
# what a site admin made to set up two-factor sign-in may still open
OPEN_WHILE_REQUIRED = ("two-factor", "logout")


@view_defaults(context=ISiteRoot, name="two-factor", permission="read",
               renderer="forge:templates/auth/two_factor.jinja2")
class TwoFactorView:
    def __init__(self, context, request):
        self.request = request
        if request.user is None:
            raise HTTPForbidden()     # the forbidden view sends to sign-in
        if request.method == "POST" and authenticated_by_token(request):
            raise CredentialsNeedSignIn("An API token cannot change two-factor sign-in: "
                                        "sign in with your password to do that.")
        self.user = request.user

    def page(self, error=None, codes=None):
        user, page = self.user, {"user": self.user, "error": error, "codes": codes,
                                 "required": required_for(self.request, self.user)}
        if user.totp_secret:
            return dict(page, codes_left=len(user.recovery_code_hashes or ()))
        secret = self.request.session.get(SETUP_KEY)
        if not secret:
            secret = self.request.session[SETUP_KEY] = new_secret()
        uri = provisioning_uri(user, secret)
        # segno's own SVG: no text of the user's reaches it but the (checked) user name
        return dict(page, secret=secret, qr=Markup(qr_svg(uri)), uri=uri)

    def refused(self, error):
        self.request.response.status_int = error.status
        if isinstance(error, Throttled):
            self.request.response.headers["Retry-After"] = str(error.seconds)
        return self.page(error=str(error))

    @view_config(request_method="GET")
    def show(self):
        return self.page()

    @view_config(request_method="POST", request_param="form=enable")
    def turn_on(self):
        try:
            codes = enable(self.user, self.request.session.get(SETUP_KEY, ""),
                           self.request.POST.get("code", ""))
        except ActionError as error:
            return self.refused(error)
        self.request.session.pop(SETUP_KEY, None)
        return self.page(codes=codes)

    @view_config(request_method="POST", request_param="form=disable")
    def turn_off(self):
        if required_for(self.request, self.user):
            return self.refused(ActionError("Site admins must use two-factor sign-in "
                                            "on this site."))
        try:
            disable(self.request.registry, self.user, self.request.POST.get("code", ""),
                    self.request.remote_addr)
        except ActionError as error:
            return self.refused(error)
        self.request.session.flash("Two-factor sign-in is off.")
        return redirect(self.request, self.request.forge_url(self.request.root, "@@two-factor"))

    @view_config(request_method="POST", request_param="form=recovery-codes")
    def new_codes(self):
        try:
            codes = regenerate_recovery_codes(self.user)
        except ActionError as error:
            return self.refused(error)
        return self.page(codes=codes)


def required_for(request, user):
    return bool(user.site_admin
                and request.registry.settings.get("forge.auth.require_2fa_for_site_admins"))


class SetUpTwoFactorFirst(Exception):
    """A site admin without two-factor sign-in asked for a page on a site that
    requires it of them."""


@subscriber(ContextFound)
def send_site_admins_to_set_up(event):
    request = event.request
    if not request.registry.settings.get("forge.auth.require_2fa_for_site_admins"):
        return
    if not request.has_session_cookie or authenticated_by_token(request):
        return
    if request.view_name in OPEN_WHILE_REQUIRED or request.view_name.startswith("static-"):
        return
    user = request.identity
    if user is not None and user.site_admin and not user.totp_secret:
        raise SetUpTwoFactorFirst()


@exception_view_config(SetUpTwoFactorFirst, forge_request=True)
def to_set_up(request):
    request.session.flash("Site admins on this site sign in with a second factor: "
                          "set it up to go on.", allow_duplicate=False)
    return redirect(request, request.forge_url(request.root, "@@two-factor"))
