"""E-mail verification: an address counts only after its owner proves it.

A user's ``email`` is the verified address (mail goes there only); an address
given at sign-up or on the account page waits in ``pending_email``.  Asking to
verify it (``ask_to_verify``) answers the same whether or not another account
holds the address, so sign-up and the account page tell nobody which
addresses have accounts:

* a free address gets a link with a single-use token (``{user_id}.{random}``;
  only its SHA-256 is stored, with an expiry).  Following it verifies the
  address once; asking again, or changing the pending address, replaces it;
* an address verified by another account gets no link: its owner gets a
  notice instead, and the newcomer's pending address can never be verified
  (``verify_email`` and ``mark_verified`` check again, the unique index on
  ``email`` settles a race);
* with no mail on the site (``forge.mail.host`` empty) nothing is sent and
  the address stays pending until a site admin marks it verified
  (``forge admin verify-email NAME``).

Mail to one address is bounded (``MAILS_PER_ADDRESS`` per ``MAIL_WINDOW``):
beyond that nothing is sent, silently, so nobody can flood an inbox through
the sign-up form.
"""
import logging
import smtplib
import time

from ..model import User, session
from ..model.throttle import take
from ..unit_of_work import change
from . import ActionError
from .single_use_tokens import issue, matches, owner_id

log = logging.getLogger(__name__)

TOKEN_SECONDS = 48 * 3600
MAILS_PER_ADDRESS = 5
MAIL_WINDOW = 3600


class VerificationRefused(ActionError):
    """A verification link that cannot be used (forged, used, replaced, expired)."""


INVALID = ("This verification link is not valid: it was already used, a newer link "
           "replaced it, or your mail program cut it. Sign in and send a new one from "
           "your account page.")
EXPIRED = ("This verification link has expired. Sign in and send a new one from your "
           "account page.")
HELD = "The address %s now belongs to another account."


def verified_owner(address):
    """The account whose verified address this is, or None."""
    return User.query.get(email=address) if address else None


def ask_to_verify(registry, user, address):
    """Make ``address`` the user's pending address and send what it calls for
    (a link, or a notice to the address's owner); the caller's answer must not
    depend on which.  The user's verified address, if any, stays in use until
    the new one is verified."""
    owner = verified_owner(address)
    token = None
    user.pending_email = address
    user.email_token_hash, user.email_token_expires = "", 0.0
    mailer = registry.forge_mailer
    if mailer.enabled and owner is None:
        token, user.email_token_hash, user.email_token_expires = issue(user._id,
                                                                       TOKEN_SECONDS)
    session.flush(user)
    if not mailer.enabled:
        return
    if take("verification-mail:%s" % address, MAILS_PER_ADDRESS, MAIL_WINDOW, time.time()):
        log.info("verification mail not sent: too many for one address recently")
        return
    from .verification_mail import address_in_use_message, verification_message
    if owner is not None:
        message = address_in_use_message(registry, owner, user)
    else:
        message = verification_message(registry, user, token)
    try:
        mailer.send(message)
    except (smtplib.SMTPException, OSError):
        # the account is saved either way; its owner can send the link again
        log.warning("verification mail to a pending address failed", exc_info=True)


def user_for_token(token, now=None):
    """The user a valid token verifies; raises ``VerificationRefused``."""
    user_id = owner_id(token)
    user = User.query.get(_id=user_id) if user_id else None
    if user is None or user.disabled or not user.pending_email \
            or not matches(token, user.email_token_hash):
        raise VerificationRefused(INVALID)
    if user.email_token_expires <= (now or time.time()):
        raise VerificationRefused(EXPIRED)
    return user


def verify_email(token, now=None):
    """Follow a mailed link: the pending address becomes the user's verified
    one, and the token is spent.  Returns the user."""
    user = user_for_token(token, now)
    return _make_verified(user, user, "verified the e-mail address")


def mark_verified(user, actor):
    """A site admin vouches for the user's pending address (no mail needed)."""
    if not user.pending_email:
        raise ActionError("%s has no e-mail address waiting for verification." % user.username)
    return _make_verified(user, actor, "marked the e-mail address verified")


def _make_verified(user, actor, summary):
    address = user.pending_email
    owner = verified_owner(address)
    if owner is not None and owner._id != user._id:
        raise VerificationRefused(HELD % address)
    with change(None, None, node=user, actor=actor, new={"email": address},
                on_duplicate=HELD % address) as ch:
        user.email = address
        user.pending_email = ""
        user.email_token_hash, user.email_token_expires = "", 0.0
        ch.log("user.email.verify", summary)
    return user
