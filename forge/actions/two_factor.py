"""TOTP two-factor sign-in (RFC 6238, through pyotp) with recovery codes.

Turning it on takes a secret the user's app read from a QR code and a code
from that app: only a secret proven to work is stored (``User.totp_secret``).
Ten recovery codes are made then (and again on request); each is shown once,
stored as its SHA-256 (80 random bits each: a copy of the database does not
give them away) and works once.

``check_code`` is the one gate for a code, at sign-in and for turning it off:

* it counts the attempt first (``forge.model.throttle``): per account
  ``CODE_FAILURES`` wrong codes within ``CODE_WINDOW``, and per client network
  ``NETWORK_FAILURES``, so six digits cannot be brute-forced; a right code is
  not counted;
* a TOTP code is accepted for the current time step or the one before or
  after (clock drift), and only for a step later than the last one accepted
  (``totp_last_step``, claimed atomically): a code seen over a shoulder or in
  a log cannot be used again;
* a recovery code is spent atomically (guarded by ``recovery_serial``), so two
  requests cannot both use it, and its use is in the audit log.
"""
import hashlib
import hmac
import secrets
import time

import pyotp
import segno

from ..model import User
from ..model.session import collection
from ..model.throttle import give_back, take
from ..unit_of_work import change
from . import ActionError
from .sign_in import Throttled, network_of
from .users import verify_password

RECOVERY_CODES = 10
CODE_FAILURES = 5
NETWORK_FAILURES = 20
CODE_WINDOW = 300
STEP = 30
ISSUER = "PyForge"
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
WRONG_CODE = "That code is not right (or was used already). Try the next one."


class CodeThrottled(Throttled):
    def __init__(self, seconds):
        super().__init__(seconds)
        self.args = ("Too many wrong codes. Try again in %d seconds." % self.seconds,)


def new_secret():
    return pyotp.random_base32()


def provisioning_uri(user, secret, issuer=ISSUER):
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=issuer)


def qr_svg(uri):
    """The QR code of ``uri`` as an inline ``<svg>`` element (drawn here: no
    script, no request to anyone else)."""
    return segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000",
                                                 light="#fff", title="QR code for your app")


def code_hash(code):
    return hashlib.sha256(normalised_code(code).encode("ascii", "replace")).hexdigest()


def normalised_code(code):
    return "".join((code or "").split()).replace("-", "").upper()[:64]


def new_recovery_codes():
    """``RECOVERY_CODES`` codes like ``ABCD-EFGH-JKLM-NPQR`` (80 random bits)."""
    codes = []
    for _ in range(RECOVERY_CODES):
        text = "".join(secrets.choice(BASE32) for _ in range(16))
        codes.append("-".join(text[i:i + 4] for i in range(0, 16, 4)))
    return codes


def totp_step(secret, code, now):
    """The time step (``now`` ± one) whose code ``code`` is, else None."""
    code = normalised_code(code)
    if not (len(code) == 6 and code.isdigit()):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP)
    for step in (current, current - 1, current + 1):
        if hmac.compare_digest(totp.at(step * STEP), code):
            return step
    return None


def enable(user, secret, code, now=None):
    """Turn two-factor sign-in on with ``secret`` once ``code`` proves the app
    has it.  Returns the new recovery codes (to show once)."""
    if user.totp_secret:
        raise ActionError("Two-factor sign-in is on already.")
    step = totp_step(secret, code, now or time.time()) if secret else None
    if step is None:
        raise ActionError("That code does not match: check your app's clock and "
                          "type the code it shows now.")
    codes = new_recovery_codes()
    with change(None, None, node=user, actor=user, new={}) as ch:
        user.totp_secret = secret
        user.totp_last_step = step
        user.recovery_code_hashes = [code_hash(c) for c in codes]
        user.recovery_serial = (user.recovery_serial or 0) + 1
        ch.log("user.2fa.enable", "turned on two-factor sign-in")
    return codes


def disable(registry, user, code_or_password, client_address, now=None):
    """Turn it off: needs a current code, a recovery code or the password."""
    if not user.totp_secret:
        raise ActionError("Two-factor sign-in is off already.")
    check_code(registry, user, code_or_password, client_address, now, password_too=True)
    with change(None, None, node=user, actor=user, new={}) as ch:
        user.totp_secret = ""
        user.totp_last_step = 0
        user.recovery_code_hashes = []
        user.recovery_serial = (user.recovery_serial or 0) + 1
        ch.log("user.2fa.disable", "turned off two-factor sign-in")
    return user


def regenerate_recovery_codes(user):
    """Ten new codes; the old ones stop working.  Returns them (shown once)."""
    if not user.totp_secret:
        raise ActionError("Turn on two-factor sign-in first.")
    codes = new_recovery_codes()
    with change(None, None, node=user, actor=user, new={}) as ch:
        user.recovery_code_hashes = [code_hash(c) for c in codes]
        user.recovery_serial = (user.recovery_serial or 0) + 1
        ch.log("user.2fa.recovery-codes", "made new recovery codes")
    return codes


def check_code(registry, user, code, client_address, now=None, password_too=False):
    """Accept a TOTP or recovery code for the user, once (or, with
    ``password_too``, their password: turning it off from a signed-in
    session); raises ``CodeThrottled`` or ``ActionError(WRONG_CODE)``.
    Returns "totp", "recovery" or "password"."""
    now = now or time.time()
    network = network_of(client_address)
    keys = ["2fa:%s" % user._id]
    wait = take(keys[0], CODE_FAILURES, CODE_WINDOW, now)
    if wait:
        raise CodeThrottled(wait)
    if network:
        keys.append("2fa-address:%s" % network)
        wait = take(keys[1], NETWORK_FAILURES, CODE_WINDOW, now)
        if wait:
            give_back(keys[0])         # refused before any guess: not a failure
            raise CodeThrottled(wait)
    used = _spend_totp(user, code, now) or _spend_recovery_code(user, code)
    if used is None and password_too and verify_password(user, code):
        used = "password"
    if used is None:
        raise ActionError(WRONG_CODE)
    for key in keys:
        give_back(key)
    return used


def _spend_totp(user, code, now):
    step = totp_step(user.totp_secret, code, now) if user.totp_secret else None
    if step is None:
        return None
    claimed = collection(User, bump=False).find_one_and_update(
        {"_id": user._id, "totp_last_step": {"$lt": step}},
        {"$set": {"totp_last_step": step}}, projection={"_id": 1})
    if claimed is None:
        return None                  # this step's code (or a later one) was used
    user.totp_last_step = step
    return "totp"


def _spend_recovery_code(user, code):
    digest = code_hash(code)
    hashes = list(user.recovery_code_hashes or ())
    if len(normalised_code(code)) != 16 or digest not in hashes:
        return None
    serial = user.recovery_serial
    left = [h for h in hashes if h != digest]
    # claimed on the serial the list was read with: of two requests that read
    # the same list, one spends the code and the other finds nothing
    claimed = collection(User, bump=False).find_one_and_update(
        {"_id": user._id, "recovery_serial": serial},
        {"$set": {"recovery_code_hashes": left, "recovery_serial": serial + 1}},
        projection={"_id": 1})
    if claimed is None:
        return None
    with change(None, None, node=user, actor=user, new={}) as ch:
        user.recovery_code_hashes = left
        user.recovery_serial = serial + 1
        ch.log("user.2fa.recovery-used", "used a recovery code (%d left)" % len(left))
    return "recovery"
