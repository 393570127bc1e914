"""Sign-up, sign-in and -out, the account page and users' public profiles.

Sign-in state lives in the server-side session (``forge.sessions``); these
views only call ``remember``/``forget``.  Every form re-renders with the
user's input (never a password) and a 4xx status when it is refused.

No answer says whether an e-mail address has an account: sign-up and the
account page keep a new address pending and mail about it
(``forge.actions.email_verification``); ``@@verify-email`` takes the link.
"""
import datetime
import time

from pyramid.httpexceptions import HTTPForbidden, HTTPNotFound
from pyramid.security import NO_PERMISSION_REQUIRED, forget, remember
from pyramid.traversal import find_resource
from pyramid.view import view_config, view_defaults

from ..actions import ActionError
from ..actions.tokens import create_token, revoke_token, tokens_of
from ..actions.email_verification import (VerificationRefused, ask_to_verify,
                                          user_for_token, verify_email)
from ..actions.sign_in import Throttled, count_signup, sign_in
from ..actions.users import (change_password, confirmed_new_password, create_user,
                             end_other_sessions, update_profile)
from ..interfaces import IProject, ISiteRoot
from ..model import Neighborhood, Project, ProjectRole, User
from ..model.token import SCOPES
from ..model.web_session import sessions_of
from ..redirects import redirect, safe_next
from ..security import authenticated_by_token
from ..signup_guards import filled_honeypot, run_challenges
from ..unit_of_work import current_version, form_version
from .sign_in_steps import after_password

BAD_CREDENTIALS = "Wrong username or password."


class CredentialsNeedSignIn(ActionError):
    """A request authenticated by an API token tried to change the account: a
    leaked token must not mint further tokens or take the account over."""

    status = 403


MAX_LISTED_ROLES = 500


def verification_sent(request, address):
    """What the user is told after giving an address: the same words whether
    or not another account holds it."""
    if request.registry.forge_mailer.enabled:
        return ("We sent a link to %s: follow it to verify the address. Until then "
                "no mail goes there." % address)
    return ("This site cannot send mail, so %s stays unverified (and gets no mail) "
            "until a site admin verifies it." % address)


@view_config(context=ISiteRoot, name="signup", renderer="forge:templates/auth/signup.jinja2",
             permission="read")
def signup(context, request):
    fields = {"username": "", "email": "", "display_name": ""}
    if request.method != "POST":
        return {"fields": fields, "error": None}
    for name in fields:
        fields[name] = request.POST.get(name, "").strip()
    password = request.POST.get("password", "")
    try:
        if password != request.POST.get("password_confirm", ""):
            raise ActionError("The password and its confirmation differ.")
        count_signup(request.registry, request.remote_addr)
        if filled_honeypot(request):
            # a bot: answered as a success would be, and nothing is made
            request.session.flash("Welcome, %s! Your account is ready." % (
                fields["display_name"] or fields["username"])[:100])
            return redirect(request, request.forge_url(request.root))
        run_challenges(request)
        user = create_user(request.registry, fields["username"], fields["email"], password,
                           display_name=fields["display_name"], verified=False)
    except ActionError as error:
        request.response.status_int = error.status
        if isinstance(error, Throttled):
            request.response.headers["Retry-After"] = str(error.seconds)
        return {"fields": fields, "error": str(error)}
    headers = remember(request, str(user._id))
    request.session.flash("Welcome, %s! Your account is ready. %s" % (
        user.title, verification_sent(request, user.pending_email)))
    return redirect(request, request.forge_url(request.root, "u", user.username, ""),
                    headers=headers)


# Signing in and out needs no permission: on a site that anonymous users may
# not read, the sign-in page is the one way in.
@view_config(context=ISiteRoot, name="login", renderer="forge:templates/auth/login.jinja2",
             permission=NO_PERMISSION_REQUIRED)
def login(context, request):
    params = request.POST if request.method == "POST" else request.GET
    next_path = safe_next(request, params.get("next"))
    username = params.get("username", "").strip()[:100]
    page = {"username": username, "next": next_path or "", "error": None}
    if request.method != "POST":
        return page
    try:
        # the success is logged when the sign-in completes (forge.views.sign_in_steps)
        user = sign_in(request.registry, username, request.POST.get("password", ""),
                       request.remote_addr)
    except Throttled as error:
        request.response.status_int = error.status
        request.response.headers["Retry-After"] = str(error.seconds)
        return dict(page, error=str(error))
    if user is None:
        request.response.status_int = 400
        return dict(page, error=BAD_CREDENTIALS)
    return after_password(request, user, next_path)


@view_config(context=ISiteRoot, name="logout", request_method="POST",
             permission=NO_PERMISSION_REQUIRED)
def logout(context, request):
    headers = forget(request)
    return redirect(request, request.forge_url(request.root), headers=headers)


@view_defaults(context=ISiteRoot, name="account", renderer="forge:templates/auth/account.jinja2",
               permission="read")
class AccountView:
    """The signed-in user's own settings: profile and password, two forms."""

    def __init__(self, context, request):
        self.context = context
        self.request = request
        if request.user is None:
            raise HTTPForbidden()     # anonymous GET: the forbidden view sends to sign-in
        if request.method == "POST" and authenticated_by_token(request):
            raise CredentialsNeedSignIn(
                "An API token cannot change the account (password, e-mail address, "
                "profile or tokens): sign in with your password to do that.")
        self.user = request.user

    def page(self, profile=None, profile_error=None, password_error=None,
             token_error=None, new_token=None):
        user = self.user
        return {"user": user,
                "profile": profile or {"display_name": user.display_name,
                                       "email": user.pending_email or user.email or "",
                                       "version": current_version(user)},
                "mail_enabled": self.request.registry.forge_mailer.enabled,
                "profile_error": profile_error, "password_error": password_error,
                "tokens": token_rows(self.request, tokens_of(user)),
                "token_error": token_error, "token_scopes": SCOPES,
                "sessions": self.sessions(),
                "new_token": new_token}

    def sessions(self):
        """The user's live sessions for the page, this browser's marked."""
        current = getattr(self.request.session, "_record_id", None)
        return [{"agent": record.get("user_agent") or "unknown browser",
                 "address": record.get("address") or "",
                 "seen": datetime.datetime.fromtimestamp(record.get("seen", 0),
                                                         datetime.timezone.utc),
                 "current": record["_id"] == current}
                for record in sessions_of(self.user._id, time.time())]

    def refused(self, error, **page):
        self.request.response.status_int = error.status
        return self.page(**page)

    def back(self, message):
        self.request.session.flash(message)
        return redirect(self.request, self.request.forge_url(self.request.root, "@@account"))

    @view_config(request_method="GET")
    def show(self):
        return self.page()

    @view_config(request_method="POST", request_param="form=profile")
    def save_profile(self):
        profile = {"display_name": self.request.POST.get("display_name", "").strip(),
                   "email": self.request.POST.get("email", "").strip(),
                   "version": self.request.POST.get("version", "")}
        try:
            waiting = update_profile(self.request.registry, self.user,
                                     profile["display_name"], profile["email"],
                                     version=form_version(self.request.POST))
        except ActionError as error:
            return self.refused(error, profile=profile, profile_error=str(error))
        if waiting is None:
            return self.back("Your profile is saved.")
        return self.back("Your profile is saved. " + verification_sent(self.request, waiting))

    @view_config(request_method="POST", request_param="form=resend-verification")
    def resend_verification(self):
        address = self.user.pending_email
        if not address:
            return self.back("No e-mail address is waiting for verification.")
        ask_to_verify(self.request.registry, self.user, address)
        return self.back(verification_sent(self.request, address))

    @view_config(request_method="POST", request_param="form=password")
    def save_password(self):
        post = self.request.POST
        try:
            change_password(self.user, post.get("current_password", ""),
                            confirmed_new_password(post))
        except ActionError as error:
            return self.refused(error, password_error=str(error))
        # every session ended with the old password; this one goes on under a new id
        self.request.session.renew()
        return self.back("Your password is changed. Every other session is signed out.")


    @view_config(request_method="POST", request_param="form=end-sessions")
    def end_sessions(self):
        others = max(end_other_sessions(self.user) - 1, 0)     # this one ended too
        self.request.session.renew()       # this browser goes on under a new id
        return self.back("Signed out everywhere else (%d other session%s ended)."
                         % (others, "" if others == 1 else "s"))

    @view_config(request_method="POST", request_param="form=token")
    def create_api_token(self):
        post = self.request.POST
        try:
            project = token_project(self.request, post.get("project", ""))
            record, token = create_token(self.user, post.get("name", ""),
                                         scope=post.get("scope", ""),
                                         project=project.doc if project else None,
                                         expires_days=post.get("expires_days", ""))
        except ActionError as error:
            return self.refused(error, token_error=str(error))
        # shown once, on this answer only: it is never stored in clear
        return self.page(new_token={"name": record.name, "token": token})

    @view_config(request_method="POST", request_param="form=revoke-token")
    def revoke_api_token(self):
        try:
            record = revoke_token(self.user, self.request.POST.get("token_id", ""))
        except ActionError as error:
            return self.refused(error, token_error=str(error))
        return self.back("The token %s is revoked." % record.name)


def token_project(request, path):
    """The project node a new token is limited to: ``demo/docs`` (under /p/) or
    a path like ``/u/ada/``; None for an empty field.  A project the user may not
    read is answered like a missing one."""
    path = (path or "").strip()
    if not path:
        return None
    segments = [s for s in path.split("/") if s]
    if not path.startswith("/"):
        segments = ["p"] + segments
    missing = ActionError("There is no project %r that you can see." % path[:200])
    if len(segments) < 2 or any(s.startswith("@@") for s in segments):
        raise missing
    try:
        node = find_resource(request.root, "/" + "/".join(segments) + "/")
    except (KeyError, ValueError):
        raise missing
    if not IProject.providedBy(node) or not request.can("read", node):
        raise missing
    return node


def token_rows(request, tokens):
    """What the account page shows of each token: its limits and last use."""
    projects = {doc._id: doc for doc in Project.query.find(
        {"_id": {"$in": sorted({t.project_id for t in tokens if t.project_id})}})}
    neighborhoods = {doc._id: doc.name for doc in Neighborhood.query.find(
        {"_id": {"$in": sorted({p.neighborhood_id for p in projects.values()})}})}

    def when(epoch):
        return datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc) if epoch else None

    rows = []
    for token in tokens:
        project = projects.get(token.project_id)
        rows.append({"_id": token._id, "name": token.name, "prefix": token.prefix,
                     "scope": token.scope,
                     "project": "/%s/%s/" % (neighborhoods.get(project.neighborhood_id, "p"),
                                             project.shortname) if project else None,
                     "project_gone": bool(token.project_id) and project is None,
                     "created": when(token.created), "expires": when(token.expires),
                     "last_used": when(token.last_used)})
    return rows


# No permission: the link's token is the authority, and on a site that
# anonymous users may not read the address must still be verifiable.
@view_config(context=ISiteRoot, name="verify-email", renderer="forge:templates/auth/verify_email.jinja2",
             request_method=("GET", "HEAD", "POST"), permission=NO_PERMISSION_REQUIRED)
def verify_email_link(context, request):
    """GET asks (mail scanners follow links), POST verifies."""
    token = request.params.get("token", "")
    try:
        account = user_for_token(token)
        address = account.pending_email
        if request.method == "POST":
            verify_email(token)
    except VerificationRefused as error:
        request.response.status_int = error.status
        return {"error": str(error)}
    if request.method != "POST":
        return {"token": token, "account": account, "address": address}
    message = "Your e-mail address %s is verified." % address
    if request.user is not None and request.user._id == account._id:
        request.session.flash(message)
        return redirect(request, request.forge_url(request.root, "@@account"))
    return {"done": message, "account": account}


def project_node(request, neighborhood_names, project_doc):
    """The project's resource with its full lineage, or None if it is gone."""
    nb_name = neighborhood_names.get(project_doc.neighborhood_id)
    if nb_name is None:
        return None
    try:
        return find_resource(request.root, "/%s/%s/" % (nb_name, project_doc.shortname))
    except KeyError:
        return None


def readable_roles(request, user):
    """[(project resource, [role names])] of the user's roles, in projects the
    viewer may read, ordered by neighborhood and path."""
    by_project = {}
    for role in ProjectRole.held_by(user._id).limit(MAX_LISTED_ROLES):
        if role.project_id is not None:
            by_project.setdefault(role.project_id, []).append(role)
    neighborhood_names = {nb._id: nb.name for nb in Neighborhood.query.find()}
    listed = []
    # one indexed equality per project: $in scans on the embedded server
    for project_id, roles in by_project.items():
        doc = Project.query.get(_id=project_id)
        if doc is None or doc.deleted:
            continue
        node = project_node(request, neighborhood_names, doc)
        if node is None or not request.can("read", node):
            continue
        names = [r.name for r in sorted(roles, key=lambda r: (r.position, r.name))]
        listed.append((node, names))
    listed.sort(key=lambda item: (neighborhood_names[item[0].doc.neighborhood_id] != "p",
                                  item[0].doc.shortname))
    return listed


@view_config(context=IProject, name="profile", renderer="forge:templates/auth/profile.jinja2",
             permission="read")
def profile(context, request):
    """A user's public page, at ``/u/NAME/@@profile``."""
    if not context.is_user_project:
        raise HTTPNotFound()
    user = User.query.get(_id=context.doc.user_id)
    if user is None or user.disabled:
        raise HTTPNotFound()
    viewer = request.user
    show_email = viewer is not None and (viewer._id == user._id or request.is_site_admin)
    return {"profile_user": user, "show_email": show_email,
            "roles": readable_roles(request, user)}
