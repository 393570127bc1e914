"""Password reset by mail, and a site admin's "force password reset".

``ask_for_reset`` takes a user name or an address and answers the same
whether or not an account has it: the caller shows one page, and finding
the account and mailing it (to its *verified* address only) happen on a
thread of their own, so the answer's timing does not tell either (the view
answers at a fixed time too).  The mailed link carries a single-use token
(``forge.actions.single_use_tokens``: only its SHA-256 is stored, valid
``TOKEN_SECONDS``; asking again replaces it).  ``reset_password`` sets the new
password, spends the token and ends every session of the user; the user then
signs in as usual (with their second factor, if they use one).

Asking is throttled (``forge.model.throttle``) per client network and per name
or address as typed, both answered with the same 429 whatever the name; mail
to one account is capped on top, silently.

``force_password_reset`` (site admins): the user's sessions end and their API
tokens are revoked at once, a reset link goes to their verified address if
the site sends mail, and their next sign-in must choose a new password
(``must_reset_password``) before it opens anything.
"""
import logging
import smtplib
import threading
import time

from ..model import ApiToken, User, session
from ..model.throttle import take
from ..model.web_session import end_sessions_of
from ..unit_of_work import change
from . import ActionError, users
from .sign_in import Throttled, network_of, normalised_name
from .single_use_tokens import issue, matches, owner_id
from .users import check_password_rules, verify_password

log = logging.getLogger(__name__)

TOKEN_SECONDS = 3600
ASKS_PER_NETWORK = 10        # within ASK_WINDOW, whatever the names
ASKS_PER_NAME = 5            # per name or address as typed, all networks
MAILS_PER_ACCOUNT = 3        # reset mails to one account within ASK_WINDOW
ASK_WINDOW = 3600
MAX_NAME = 254

INVALID = ("This password reset link is not valid: it was already used, a newer link "
           "replaced it, or your mail program cut it. Ask for a new one.")
EXPIRED = "This password reset link has expired. Ask for a new one."
SAME_PASSWORD = "Choose a password other than the one you had."


class ResetRefused(ActionError):
    """A reset link that cannot be used (forged, used, replaced, expired)."""


class AskThrottled(Throttled):
    def __init__(self, seconds):
        super().__init__(seconds)
        self.args = ("Too many password reset requests. Try again in %d seconds."
                     % self.seconds,)


def account_named(name_or_address):
    """The account a person means by a user name or a verified address."""
    key = normalised_name(name_or_address)
    if not key:
        return None
    if "@" in key:
        return User.query.get(email=key)
    return User.by_username(key)


def ask_for_reset(registry, name_or_address, client_address, now=None):
    """Mail a reset link if the name or address is an account's with a verified
    address; raises ``AskThrottled`` (for any name alike), else returns None
    at once: finding the account and mailing it happen on a thread of their
    own, so the answer and its timing do not depend on them."""
    now = now or time.time()
    typed = normalised_name(name_or_address)[:MAX_NAME]
    network = network_of(client_address)
    if network:
        wait = take("reset-ask:%s" % network, ASKS_PER_NETWORK, ASK_WINDOW, now)
        if wait:
            raise AskThrottled(wait)
    wait = take("reset-ask-name:%s" % typed, ASKS_PER_NAME, ASK_WINDOW, now)
    if wait:
        raise AskThrottled(wait)
    threading.Thread(target=_mail_if_account, args=(registry, typed, now),
                     name="forge-reset-mail", daemon=True).start()


def _mail_if_account(registry, typed, now):
    try:
        user = account_named(typed)
        if user is None or user.disabled or not user.email or not registry.forge_mailer.enabled:
            return
        if take("reset-mail:%s" % user._id, MAILS_PER_ACCOUNT, ASK_WINDOW, now):
            log.info("password reset mail not sent: too many for one account recently")
            return
        send_reset_link(registry, user, actor=None, now=now)
    except Exception:
        log.exception("password reset mail not sent")
    finally:
        session.close()          # this thread's own Ming session


def send_reset_link(registry, user, actor, now=None):
    """Store a new token (replacing any earlier one) and mail its link to the
    user's verified address.  An SMTP failure is logged: the token stays, and
    the user can ask again."""
    token, digest, expires = issue(user._id, TOKEN_SECONDS, now)
    with change(None, None, node=user, actor=actor or user, new={}) as ch:
        user.reset_token_hash, user.reset_token_expires = digest, expires
        ch.log("user.password.reset-mail", "sent a password reset link")
    from .reset_mail import reset_message
    try:
        registry.forge_mailer.send(reset_message(registry, user, token))
    except (smtplib.SMTPException, OSError):
        log.warning("password reset mail failed", exc_info=True)


def user_for_reset_token(token, now=None):
    """The user a valid reset token is for; raises ``ResetRefused``."""
    user_id = owner_id(token)
    user = User.query.get(_id=user_id) if user_id else None
    if user is None or user.disabled or not matches(token, user.reset_token_hash):
        raise ResetRefused(INVALID)
    if user.reset_token_expires <= (now or time.time()):
        raise ResetRefused(EXPIRED)
    return user


def reset_password(token, new_password, now=None):
    """Follow a reset link: set the new password, spend the token, end every
    session.  Returns the user."""
    user = user_for_reset_token(token, now)
    check_password_rules(new_password)
    _set_password(user, new_password, user, "user.password.reset",
                  "reset the password from a mailed link")
    return user


def set_required_password(user, new_password):
    """The sign-in step of a forced reset: the new password must differ."""
    if not user.must_reset_password:
        raise ActionError("Your password does not need to be changed.")
    check_password_rules(new_password)
    if verify_password(user, new_password):
        raise ActionError(SAME_PASSWORD)
    _set_password(user, new_password, user, "user.password.reset",
                  "chose a new password as a site admin required")
    return user


def _set_password(user, new_password, actor, action, summary):
    with change(None, None, node=user, actor=actor, new={}) as ch:
        # users.hasher: configure_hasher replaces it with the site's cost
        user.password_hash = users.hasher.hash(new_password)
        user.reset_token_hash, user.reset_token_expires = "", 0.0
        user.must_reset_password = False
        ch.log(action, summary)
    end_sessions_of(user._id)


def force_password_reset(registry, user, actor, now=None):
    """End the user's sessions and tokens and make their next sign-in choose a
    new password; mail them a reset link when the site can.  A site admin
    does not do this to themselves (the account page changes a password), so
    the last site admin is never shut out by it.  Returns whether a link was
    mailed."""
    if user._id == actor._id:
        raise ActionError("You cannot force a password reset on your own account; "
                          "change your password on your account page.")
    now = now or time.time()
    tokens = ApiToken.query.find({"user_id": user._id, "revoked": None}).all()
    with change(None, None, node=user, actor=actor, new={"must_reset_password": True}) as ch:
        user.must_reset_password = True
        user.reset_token_hash, user.reset_token_expires = "", 0.0
        for record in tokens:
            record.revoked = now
        ch.log("user.password.force-reset",
               "required %s to choose a new password (%d API token%s revoked)"
               % (user.username, len(tokens), "" if len(tokens) == 1 else "s"))
    end_sessions_of(user._id)
    if user.email and not user.disabled and registry.forge_mailer.enabled:
        send_reset_link(registry, user, actor, now)
        return True
    return False
