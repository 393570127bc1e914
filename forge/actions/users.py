"""Users: sign-up, passwords, profiles and sign-in throttling.

Two throttles guard sign-in:

* per account (stored on the user, so it holds across processes): after
  ``forge.login.max_failures`` consecutive failures the account refuses every
  attempt, the right password included, for ``forge.login.lockout_seconds``;
* per client network (in process memory): ``forge.login.address_max_failures``
  failures within ``forge.login.address_window_seconds`` from one address (an
  IPv6 /64) refuse that address, whatever account it tries, so one client
  cannot spray guesses over many accounts.
"""
import ipaddress
import threading
import time
from collections import OrderedDict, deque

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pymongo import ReturnDocument

from ..events import UserCreated
from ..model import User, emit, session
from ..model.session import collection
from ..model.web_session import end_sessions_of
from ..names import InvalidName, check_username, single_line
from ..bus.auditing import audit
from . import ActionError, flush_or_refuse
from .audit import record

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

ADDRESS_MAX_FAILURES = 20
ADDRESS_WINDOW_SECONDS = 300
ADDRESS_MAX_TRACKED = 10000


class Throttled(ActionError):
    """Too many failed sign-ins; ``seconds`` until the next attempt may succeed."""

    status = 429

    def __init__(self, seconds):
        seconds = max(1, int(seconds))
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
                actor=None, source="web"):
    """Create a user and their personal project under ``/u/``.

    The ``user.created`` auditors (``change.actor`` is None at sign-up: the
    user does not exist yet) and then the ``project.created`` auditors of the
    personal project run before anything is saved."""
    from .projects import audit_personal_project, create_personal_project
    check_password_rules(password)
    username, email, display_name = _check_new_user(username, email, display_name)
    change = audit(registry, UserCreated.topic, node_type="User",
                   new={"username": username, "email": email, "display_name": display_name,
                        "site_admin": bool(site_admin)}, actor=actor, source=source)
    if (change.new["username"], change.new["email"], change.new["display_name"]) != (
            username, email, display_name):
        username, email, display_name = _check_new_user(
            change.new["username"], change.new["email"], change.new["display_name"])
    site_admin = bool(change.new["site_admin"])
    project_change = audit_personal_project(registry, username, display_name or username,
                                            actor, source)
    user = User(username=username, email=email, display_name=display_name,
                password_hash=hasher.hash(password), site_admin=site_admin)
    emit(registry, UserCreated(user, actor=actor or user, source=source))
    flush_or_refuse("The username or e-mail address is taken.", user)
    create_personal_project(registry, user, project_change, source=source)
    return user


def _check_new_user(username, email, display_name):
    try:
        check_username(username)
    except InvalidName as e:
        raise ActionError(str(e))
    email = check_email(email)
    display_name = check_display_name(display_name)
    if User.by_username(username) is not None:
        raise ActionError("The username %r is taken." % username)
    if User.query.get(email=email) is not None:
        raise ActionError("There is already an account with that e-mail address.")
    return username, email, display_name


def authenticate(username, password, settings):
    """Return the user for good credentials, None for bad; raise Throttled.

    The attempt is counted *before* the password is checked, with one atomic
    update that only succeeds while the account is not locked, so a burst of
    parallel guesses cannot get more than ``max_failures`` tries.
    """
    user = User.by_username((username or "").strip().lower())
    if user is None or user.disabled:
        hasher.hash(password or "x")     # same work as a real check: no timing oracle
        return None
    max_failures = settings["forge.login.max_failures"]
    lockout = settings["forge.login.lockout_seconds"]
    now = time.time()
    # the lockout counters are read from the database, never from a cache and
    # never on a page: a sign-in attempt need not bump the generations
    users = collection(User, bump=False)
    counted = users.find_one_and_update(
        {"_id": user._id, "$or": [{"failed_logins": {"$lt": max_failures}},
                                  {"last_failed_login": {"$lt": now - lockout}}]},
        {"$inc": {"failed_logins": 1}, "$set": {"last_failed_login": now}},
        projection={"_id": 1}, return_document=ReturnDocument.AFTER)
    if counted is None:
        locked = users.find_one({"_id": user._id}, {"last_failed_login": 1})
        since = (locked or {}).get("last_failed_login") or now
        raise Throttled(since + lockout - now + 1)
    if not verify_password(user, password):
        return None
    changes = {"failed_logins": 0, "last_failed_login": None}
    if hasher.check_needs_rehash(user.password_hash):
        changes["password_hash"] = hasher.hash(password)
    users.update_one({"_id": user._id}, {"$set": changes})
    return user


def verify_password(user, password):
    try:
        return hasher.verify(user.password_hash, password or "")
    except (VerificationError, InvalidHashError):
        return False


def change_password(user, old_password, new_password, actor=None):
    """Set a new password after checking the current one, and end every
    session of the user (the page that changed it starts a new one)."""
    if not verify_password(user, old_password):
        raise ActionError("The current password is not correct.")
    check_password_rules(new_password)
    user.password_hash = hasher.hash(new_password)
    record(user, "user", actor or user, "user.password", "changed the password")
    session.flush()
    end_sessions_of(user._id)


def set_disabled(user, disabled, actor):
    """Disable (or enable again) an account.  Disabling ends its sessions at
    once; its API tokens are refused (401) while it stays disabled."""
    disabled = bool(disabled)
    if user.disabled == disabled:
        return user
    user.disabled = disabled
    record(user, "user", actor, "user.disable" if disabled else "user.enable",
           "disabled the account" if disabled else "enabled the account")
    session.flush()
    if disabled:
        end_sessions_of(user._id)
    return user


def update_profile(user, display_name, email, actor=None):
    """Change the display name and e-mail address (unique among users)."""
    email = check_email(email)
    display_name = check_display_name(display_name)
    other = User.query.get(email=email)
    if other is not None and other._id != user._id:
        raise ActionError("There is already an account with that e-mail address.")
    changed = sorted(name for name, old, new in (
        ("display name", user.display_name, display_name), ("e-mail", user.email, email))
        if old != new)
    if not changed:
        return user
    user.display_name = display_name
    user.email = email
    record(user, "user", actor or user, "user.update", "changed %s" % ", ".join(changed))
    flush_or_refuse("There is already an account with that e-mail address.")
    return user


class AddressThrottle:
    """Failed sign-ins per client network within a sliding window.

    Kept in process memory (each web process counts on its own) and bounded:
    beyond ``max_tracked`` networks the least recently failing one is dropped.
    A successful sign-in does *not* clear an address, or an attacker holding
    one account could reset the count between guesses at others.
    """

    def __init__(self, max_failures=ADDRESS_MAX_FAILURES, window=ADDRESS_WINDOW_SECONDS,
                 max_tracked=ADDRESS_MAX_TRACKED, clock=time.monotonic):
        self.max_failures = max_failures
        self.window = window
        self.max_tracked = max_tracked
        self.clock = clock
        self._failures = OrderedDict()     # network key -> deque of failure times
        self._lock = threading.Lock()

    @staticmethod
    def network(address):
        """The key an address counts under: itself, or its /64 for IPv6 (one
        client usually holds a whole /64)."""
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return address
        if ip.version == 6:
            if ip.ipv4_mapped is not None:       # ::ffff:a.b.c.d is the IPv4 client
                return str(ip.ipv4_mapped)
            return str(ipaddress.ip_network("%s/64" % ip, strict=False))
        return str(ip)

    def retry_after(self, address):
        """Seconds this address must wait, 0 when it may try."""
        if not address:
            return 0
        now = self.clock()
        with self._lock:
            times = self._failures.get(self.network(address))
            if not times:
                return 0
            while times and times[0] <= now - self.window:
                times.popleft()
            if len(times) < self.max_failures:
                return 0
            return max(1, int(times[0] + self.window - now) + 1)

    def record_failure(self, address):
        if not address:
            return          # no address known: rather no limit than one for everybody
        key = self.network(address)
        with self._lock:
            times = self._failures.pop(key, None)
            if times is None:
                times = deque(maxlen=self.max_failures)
            times.append(self.clock())
            self._failures[key] = times
            while len(self._failures) > self.max_tracked:
                self._failures.popitem(last=False)

    def __len__(self):
        return len(self._failures)


_throttle_lock = threading.Lock()


def address_throttle(registry):
    """The registry's AddressThrottle, configured from its settings."""
    throttle = getattr(registry, "forge_address_throttle", None)
    if throttle is None:
        with _throttle_lock:
            throttle = getattr(registry, "forge_address_throttle", None)
            if throttle is None:
                settings = registry.settings
                throttle = AddressThrottle(
                    int(settings.get("forge.login.address_max_failures", ADDRESS_MAX_FAILURES)),
                    int(settings.get("forge.login.address_window_seconds",
                                     ADDRESS_WINDOW_SECONDS)))
                registry.forge_address_throttle = throttle
    return throttle


def sign_in(registry, username, password, address):
    """``authenticate`` behind the per-address throttle: the user, or None for
    bad credentials; raises Throttled (before any password work when the
    address is blocked)."""
    throttle = address_throttle(registry)
    wait = throttle.retry_after(address)
    if wait:
        raise Throttled(wait)
    user = authenticate(username, password, registry.settings)
    if user is None:
        throttle.record_failure(address)
    return user
