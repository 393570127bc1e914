"""Signing in: password checks behind throttles that cannot lock the owner out.

Three counters (``forge.model.throttle``, shared by every process), all
counted *before* the password is checked, so a burst of parallel guesses gets
no more tries than the limits allow:

* per client network (an address, or its /64 for IPv6):
  ``forge.login.address_max_failures`` failures within
  ``forge.login.address_window_seconds`` refuse that network whatever account
  it tries, so one client cannot spray guesses over many accounts;
* per (account name, network): ``forge.login.max_failures`` failures within
  ``forge.login.lockout_seconds`` refuse that pair, the right password
  included.  The same account from another network is not refused: guessing
  from one place does not lock the owner out everywhere;
* per account name, all networks: past ``forge.login.account_max_failures``
  failures in the window, each network gets a single try at that account
  per window.  A distributed attack is slowed, and the owner, from a network
  that has not failed at that account, still gets in.

The counters are keyed by the name as typed (normalised), whether or not an
account has it, and an unknown name costs the same argon2 verification as a
known one: the answers (status, message, ``Retry-After``) and their timing do
not tell which names exist.  A successful sign-in is not a failure: it is
uncounted, and its pair counter is cleared.
"""
import ipaddress
import time

from ..model import User, session
from ..model.change_log import ChangeLogEntry
from ..model.throttle import (NO_LIMIT, current_count, give_back, purge_expired_counters,
                              reset, take)
from . import ActionError, users

MAX_NAME = 100
PURGE_SECONDS = 600


class Throttled(ActionError):
    """Too many failed sign-ins; ``seconds`` until the next attempt may succeed."""

    status = 429

    def __init__(self, seconds):
        seconds = max(1, int(seconds + 0.999))
        super().__init__("Too many failed sign-in attempts. Try again in %d seconds." % seconds)
        self.seconds = seconds


def network_of(address):
    """The key an address counts under: itself, or its /64 for IPv6 (one
    client usually holds a whole /64); None when unknown."""
    if not address:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if ip.version == 6:
        if ip.ipv4_mapped is not None:       # ::ffff:a.b.c.d is the IPv4 client
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network("%s/64" % ip, strict=False))
    return str(ip)


def normalised_name(username):
    return (username or "").strip().lower()[:MAX_NAME]


def sign_in(registry, username, password, address, record_success=False):
    """The user for good credentials, None for bad ones; raises ``Throttled``
    (before any password work) when a counter refuses the attempt.  A failure
    is written to the audit log, a success only with ``record_success`` (the
    sign-in form; not every request of a git client sending a password)."""
    settings = registry.settings
    now = time.time()
    lockout = settings["forge.login.lockout_seconds"]
    name = normalised_name(username)
    network = network_of(address)
    maybe_purge(registry, now)
    address_key = "address:%s" % network if network else None
    account_key = "account:%s" % name
    # no address known (a test client, a misconfigured proxy): rather no
    # per-address limit than one shared by everybody
    pair_key = "account:%s|address:%s" % (name, network or "-")
    if address_key:
        wait = take(address_key, settings["forge.login.address_max_failures"],
                    settings["forge.login.address_window_seconds"], now)
        if wait:
            raise Throttled(wait)
    under_attack = current_count(account_key, now) >= settings["forge.login.account_max_failures"]
    wait = take(pair_key, 1 if under_attack else settings["forge.login.max_failures"],
                lockout, now)
    if wait:
        if address_key:
            give_back(address_key)           # refused before any guess: not a failure
        raise Throttled(wait)
    take(account_key, NO_LIMIT, lockout, now)
    user = authenticate(name, password)
    if user is not None:
        reset(pair_key)
        give_back(account_key)
        if address_key:
            give_back(address_key)
        if record_success:
            record_sign_in(name, user, network)
    else:
        record_sign_in(name, None, network)
    return user


def record_sign_in(name, user, network):
    """An audit-log entry for a sign-in (``user``) or a failed one (None: the
    actor is unknown; the entry names the account tried, if it exists)."""
    account = user or User.by_username(name)
    entry = ChangeLogEntry(
        node_id=account._id if account else None, node_kind="user",
        actor_id=user._id if user else None,
        action="user.sign-in" if user else "user.sign-in.failed",
        summary="signed in" if user else "failed to sign in as %s" % name[:40],
        detail={"username": name, "network": network or ""})
    session.flush(entry)


def count_signup(registry, address):
    """Sign-up attempts per network (``forge.signup.max_per_window`` within
    ``forge.signup.window_seconds``): bounds mass sign-ups, and how fast the
    sign-up form can be asked whether an e-mail address has an account.
    Raises ``Throttled``."""
    network = network_of(address)
    if network is None:
        return
    settings = registry.settings
    wait = take("signup:%s" % network, settings["forge.signup.max_per_window"],
                settings["forge.signup.window_seconds"], time.time())
    if wait:
        raise SignupThrottled(wait)


class SignupThrottled(Throttled):
    def __init__(self, seconds):
        super().__init__(seconds)
        self.args = ("Too many sign-ups from your network. Try again in %d seconds."
                     % self.seconds,)


def authenticate(name, password):
    """The user for good credentials, else None, with the same argon2 work
    for an unknown (or disabled) name as for a known one."""
    user = User.by_username(name) if name else None
    if user is None or user.disabled:
        users.verify_dummy(password)
        return None
    if not users.verify_password(user, password):
        return None
    users.upgrade_hash(user, password)
    return user


def maybe_purge(registry, now):
    """Expired counters go at most every ``PURGE_SECONDS`` per process."""
    if now >= getattr(registry, "forge_next_counter_purge", 0):
        registry.forge_next_counter_purge = now + PURGE_SECONDS
        purge_expired_counters(now)
