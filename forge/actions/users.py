"""Users: sign-up, passwords, login throttling."""
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pymongo.errors import DuplicateKeyError

from ..events import UserCreated
from ..model import User, session, utcnow
from ..names import InvalidName, check_username
from . import ActionError

hasher = PasswordHasher()
MIN_PASSWORD = 8
MAX_PASSWORD = 1024


class Throttled(ActionError):
    status = 429

    def __init__(self, seconds):
        super().__init__("Too many failed sign-in attempts. Try again in %d seconds." % seconds)
        self.seconds = seconds


def check_password_rules(password):
    if not password or len(password) < MIN_PASSWORD:
        raise ActionError("A password needs at least %d characters." % MIN_PASSWORD)
    if len(password) > MAX_PASSWORD:
        raise ActionError("A password may be at most %d characters." % MAX_PASSWORD)


def check_email(email):
    email = (email or "").strip()
    if len(email) > 254 or "@" not in email or email.startswith("@") or email.endswith("@") \
            or any(c.isspace() for c in email):
        raise ActionError("Please give a valid e-mail address.")
    return email.lower()


def create_user(registry, username, email, password, display_name="", site_admin=False,
                actor=None, source="web"):
    """Create a user and their personal project under ``/u/``."""
    from .projects import create_personal_project
    try:
        check_username(username)
    except InvalidName as e:
        raise ActionError(str(e))
    email = check_email(email)
    check_password_rules(password)
    if len(display_name) > 100:
        raise ActionError("The display name may be at most 100 characters.")
    if User.by_username(username) is not None:
        raise ActionError("The username %r is taken." % username)
    if User.query.get(email=email) is not None:
        raise ActionError("There is already an account with that e-mail address.")
    user = User(username=username, email=email, display_name=display_name.strip(),
                password_hash=hasher.hash(password), site_admin=site_admin)
    try:
        session.flush(user)
    except DuplicateKeyError:
        session.expunge(user)
        raise ActionError("The username or e-mail address is taken.")
    create_personal_project(registry, user)
    registry.notify(UserCreated(user, actor=actor or user, source=source))
    return user


def authenticate(username, password, settings):
    """Return the user for good credentials, None for bad; raise Throttled."""
    user = User.by_username((username or "").strip().lower())
    if user is None or user.disabled:
        hasher.hash(password or "x")     # same work as a real check: no timing oracle
        return None
    max_failures = settings["forge.login.max_failures"]
    lockout = settings["forge.login.lockout_seconds"]
    now = utcnow()
    if user.failed_logins >= max_failures and user.last_failed_login:
        wait = (user.last_failed_login + timedelta(seconds=lockout) - now).total_seconds()
        if wait > 0:
            raise Throttled(int(wait) + 1)
    if verify_password(user, password):
        if user.failed_logins:
            user.failed_logins = 0
            user.last_failed_login = None
            session.flush(user)
        if hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hasher.hash(password)
            session.flush(user)
        return user
    user.failed_logins = user.failed_logins + 1
    user.last_failed_login = now
    session.flush(user)
    return None


def verify_password(user, password):
    try:
        return hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def change_password(user, old_password, new_password):
    if not verify_password(user, old_password):
        raise ActionError("The current password is not correct.")
    check_password_rules(new_password)
    user.password_hash = hasher.hash(new_password)
    session.flush(user)


def update_profile(user, display_name, email):
    email = check_email(email)
    display_name = (display_name or "").strip()
    if len(display_name) > 100:
        raise ActionError("The display name may be at most 100 characters.")
    other = User.query.get(email=email)
    if other is not None and other._id != user._id:
        raise ActionError("There is already an account with that e-mail address.")
    user.display_name = display_name
    user.email = email
    session.flush(user)
