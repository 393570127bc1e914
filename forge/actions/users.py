"""Users: sign-up, passwords, profiles, disabling.

Signing in and its throttles are in ``forge.actions.sign_in``.
"""
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from ..events import UserCreated
from ..model import User, session
from ..model.web_session import end_sessions_of
from ..names import InvalidName, check_username, single_line
from ..unit_of_work import change
from . import ActionError, flush_or_refuse
from .email_verification import ask_to_verify

hasher = PasswordHasher()


def configure_hasher(settings):
    """Set the argon2 cost from settings (tests use a cheap one).  The hasher is
    process-wide because a hash records its own parameters: any process can
    verify any hash, and ``check_needs_rehash`` upgrades old ones at sign-in."""
    global hasher
    hasher = PasswordHasher(time_cost=settings["forge.password.time_cost"],
                            memory_cost=settings["forge.password.memory_kib"],
                            parallelism=settings["forge.password.parallelism"])


MIN_PASSWORD = 8
MAX_PASSWORD = 1024
MAX_DISPLAY_NAME = 100


def check_password_rules(password):
    if not password or len(password) < MIN_PASSWORD:
        raise ActionError("A password needs at least %d characters." % MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise ActionError("A password may be at most %d characters." % MAX_PASSWORD)


def check_email(email):
    email = (email or "").strip()
    if len(email) > 254 or "@" not in email or email.startswith("@") or email.endswith("@") \
            or any(c.isspace() for c in email) or not single_line(email):
        raise ActionError("Please give a valid e-mail address.")
    return email.lower()


def check_display_name(display_name):
    display_name = (display_name or "").strip()
    if len(display_name) > MAX_DISPLAY_NAME:
        raise ActionError("The display name may be at most %d characters." % MAX_DISPLAY_NAME)
    if not single_line(display_name):
        raise ActionError("The display name may not contain line breaks or control characters.")
    return display_name


def create_user(registry, username, email, password, display_name="", site_admin=False,
                actor=None, source="web", verified=True):
    """Create a user and their personal project under ``/u/``.

    ``verified=False`` (sign-up) keeps the address pending and mails about it
    (``forge.actions.email_verification``): whether another account holds it
    changes nothing in the answer.  Site admins' commands and tests create
    users whose address counts as verified; a taken one is refused for them.

    The ``user.created`` auditors (``change.actor`` is None at sign-up: the
    user does not exist yet) and then the ``project.created`` auditors of the
    personal project run before anything is saved."""
    from .projects import audit_personal_project, create_personal_project
    check_password_rules(password)

    def checked(new):
        username, email, display_name = _check_new_user(
            new["username"], new["email"], new["display_name"], verified)
        return dict(new, username=username, email=email, display_name=display_name,
                    site_admin=bool(new["site_admin"]))

    with change(registry, UserCreated, node_type=User, actor=actor, source=source,
                new={"username": username, "email": email, "display_name": display_name,
                     "site_admin": bool(site_admin)}, validate=checked) as ch:
        username, email, display_name = (ch.new[k] for k in ("username", "email",
                                                              "display_name"))
        project_change = audit_personal_project(registry, username, display_name or username,
                                                actor, source)
        address = {"email": email} if verified else {"pending_email": email}
        user = ch.node = User(username=username, display_name=display_name,
                              password_hash=hasher.hash(password),
                              site_admin=ch.new["site_admin"], **address)
        ch.event_actor = actor or user        # at sign-up the user is their own actor
        flush_or_refuse("The username or e-mail address is taken." if verified
                        else "The username %r is taken." % username, user)
    create_personal_project(registry, user, project_change, source=source)
    if not verified:
        ask_to_verify(registry, user, email)
    return user


def _check_new_user(username, email, display_name, verified):
    try:
        check_username(username)
    except InvalidName as e:
        raise ActionError(str(e))
    email = check_email(email)
    display_name = check_display_name(display_name)
    if User.by_username(username) is not None:
        raise ActionError("The username %r is taken." % username)
    if verified and User.query.get(email=email) is not None:
        raise ActionError("There is already an account with that e-mail address.")
    return username, email, display_name


def verify_password(user, password):
    try:
        return hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


_dummy = {}


def verify_dummy(password):
    """The work of a real check, for a name without an account (no timing
    oracle): a verification against a hash made with the current cost."""
    if _dummy.get("hasher") is not hasher:
        _dummy.update(hasher=hasher, hash=hasher.hash("no such account"))
    try:
        hasher.verify(_dummy["hash"], password or "")
    except (VerificationError, InvalidHashError):
        pass
    return False


def upgrade_hash(user, password):
    """Re-hash at sign-in when the stored hash has an older cost."""
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
        session.flush()


def change_password(user, old_password, new_password, actor=None):
    """Set a new password after checking the current one, and end every
    session of the user (the page that changed it starts a new one)."""
    if not verify_password(user, old_password):
        raise ActionError("The current password is not correct.")
    check_password_rules(new_password)
    with change(None, None, node=user, actor=actor or user, new={}) as ch:
        user.password_hash = hasher.hash(new_password)
        ch.log("user.password", "changed the password")
    end_sessions_of(user._id)


def end_other_sessions(user):
    """"Sign out everywhere else": end every session of the user (the page that
    asked starts a new one); returns how many were ended."""
    with change(None, None, node=user, actor=user, new={}) as ch:
        ch.log("user.sessions.ended", "signed out everywhere else")
    return end_sessions_of(user._id)


def set_disabled(user, disabled, actor):
    """Disable (or enable again) an account.  Disabling ends its sessions at
    once; its API tokens are refused (401) while it stays disabled."""
    disabled = bool(disabled)
    if user.disabled == disabled:
        return user
    with change(None, None, node=user, actor=actor, new={"disabled": disabled}) as ch:
        user.disabled = disabled
        ch.log("user.disable" if disabled else "user.enable",
               "disabled the account" if disabled else "enabled the account")
    if disabled:
        end_sessions_of(user._id)
    return user


def update_profile(registry, user, display_name, email, actor=None, version=None):
    """Change the display name at once and the e-mail address through
    verification: a new address waits (mail goes on to the verified one) and
    is mailed about, with the same answer whether or not another account
    holds it.  Returns the address now waiting, or None.  ``version``: the
    profile version the form showed (a stale form is a 409)."""
    email = check_email(email)
    display_name = check_display_name(display_name)
    changed = []
    if display_name != user.display_name:
        changed.append("display name")
    new_address = None
    if email == user.email:
        if user.pending_email:       # back to the verified address: nothing waits now
            changed.append("e-mail (kept the verified one)")
    elif email != user.pending_email:
        new_address = email
        changed.append("e-mail (waiting for verification)")
    if not changed:
        return None
    with change(registry, None, node=user, actor=actor or user, version=version,
                old={"display_name": user.display_name}, new={"display_name": display_name}) as ch:
        if email == user.email:
            user.pending_email = ""
            user.email_token_hash, user.email_token_expires = "", 0.0
        user.display_name = display_name
        ch.log("user.update", "changed %s" % ", ".join(changed))
    if new_address is not None:
        ask_to_verify(registry, user, new_address)
    return new_address


def confirmed_new_password(post):
    """The posted ``new_password`` when ``new_password_confirm`` repeats it
    (the account page, a reset link, a password a site admin required)."""
    if post.get("new_password", "") != post.get("new_password_confirm", ""):
        raise ActionError("The new password and its confirmation differ.")
    return post.get("new_password", "")
