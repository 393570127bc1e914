"""Per-user rate limits on posting and on creating projects, as auditors.

* **Posting**: new comments and new artifacts (pages, tickets, threads) by a
  user who holds no role in the project (``forge.spam.trusted_author``: its
  own people are not limited), at most ``forge.limits.posts_per_window``
  within ``forge.limits.posts_window_seconds``.
* **Projects**: new top-level projects by a user who is not a site admin, at
  most ``forge.limits.projects_per_window`` within
  ``forge.limits.projects_window_seconds`` (subprojects are made inside a
  project its admins already hold; personal projects come with the account,
  which the sign-up throttle bounds).

Attempts are counted in the shared counters of ``forge.model.throttle``
(atomic, expiring; refused attempts count too).  Past the limit the change is
refused with ``RateLimited`` (429, a message saying when to try again); every
429 answer then carries ``Retry-After`` (a response subscriber reads the
signed-in user's counters, so views need not know).  Changes made by the
system, the CLI or the demo are not limited.
"""
import threading
import time

from pymongo.errors import DuplicateKeyError
from pyramid.events import NewResponse

from .actions import ActionError
from .model.session import collection
from .model.throttle import NO_LIMIT, ThrottleCounter, take
from .spam import artifact_type_names, node_type_name, trusted_author

UNLIMITED_SOURCES = ("cli", "demo", "system")
LIMITS = {"posts": ("forge.limits.posts_per_window", "forge.limits.posts_window_seconds"),
          "projects": ("forge.limits.projects_per_window",
                       "forge.limits.projects_window_seconds")}
PRIORITY = 40           # before the spam checker: a flood is not read through


class RateLimited(ActionError):
    status = 429

    def __init__(self, what, seconds):
        self.seconds = max(1, int(seconds + 0.999))
        super().__init__("You are %s too fast. Try again in %d seconds."
                         % (what, self.seconds))


def counter_key(kind, user_id):
    return "%s:user:%s" % (kind, user_id)


def limit_of(settings, kind):
    per_window, window = LIMITS[kind]
    limit = settings.get(per_window, NO_LIMIT)
    return (limit if limit > 0 else NO_LIMIT), settings.get(window, 60)


def count(change, kind, what):
    limit, window = limit_of(change.registry.settings, kind)
    wait = take(counter_key(kind, change.actor._id), limit, window, time.time())
    if wait:
        raise RateLimited(what, wait)


def limited(change):
    return change.actor is not None and not change.actor.site_admin \
        and change.source not in UNLIMITED_SOURCES


def posting_auditor(change):
    kind = node_type_name(change.node_type)
    if kind != "Post" and kind not in artifact_type_names():
        return
    if limited(change) and not trusted_author(change):
        count(change, "posts", "posting")


def project_auditor(change):
    if change.detail.get("parent") is not None or change.detail.get("personal"):
        return
    if limited(change):
        count(change, "projects", "creating projects")


def retry_after(event):
    """``Retry-After`` on a 429 that has none: the longest wait among the
    signed-in user's exhausted counters."""
    response, request = event.response, event.request
    if response.status_int != 429 or "Retry-After" in response.headers:
        return
    user = getattr(request, "user", None)
    if user is None:
        return
    now, waits = time.time(), []
    for kind in LIMITS:
        raw = collection(ThrottleCounter, bump=False).find_one(
            {"_id": counter_key(kind, user._id)})
        limit, _window = limit_of(request.registry.settings, kind)
        if raw and raw["expires"] > now and raw["count"] >= limit:
            waits.append(raw["expires"] - now)
    if waits:
        response.headers["Retry-After"] = str(max(1, int(max(waits) + 0.999)))


def includeme(config):
    config.add_auditor("#.created", posting_auditor, priority=PRIORITY)
    config.add_auditor("project.created", project_auditor, priority=PRIORITY)
    config.add_subscriber(retry_after, NewResponse)


class LeasedLimit:
    """``forge.model.throttle.take`` for a process that counts the same keys
    often (the mail-in server: one count per message, per sender): the
    shared counter is moved by a few attempts at once (a *lease*) and the
    process hands them out itself, so most counts cost no round trip.

    Still exact across processes: every attempt a process allows was first
    counted in the shared counter, atomically and within the limit, so all
    processes together never allow more than ``limit`` per window.  What a
    process leased and did not use (it stopped, or the sender stopped
    writing) counts as used until the window ends: a sender writing through
    several processes may be held back a little early, never late.  Leases
    start at one attempt and double while the same key keeps counting in
    its window (a one-off sender leases one), up to ``MAX_LEASE`` and an
    eighth of the limit (a small limit stays exact per process)."""

    MAX_LEASE = 8
    MAX_KEYS = 10000

    def __init__(self):
        self._lock = threading.Lock()
        self._leases = {}           # key -> [expires, left, next lease size]

    def take(self, key, limit, window, now):
        """0 when counted, else the seconds until the window ends (``take``'s answer)."""
        with self._lock:
            lease = self._leases.get(key)
            if lease is not None and lease[0] > now and lease[1] > 0:
                lease[1] -= 1
                return 0
            size = lease[2] if lease is not None and lease[0] > now else 1
        size = max(1, min(size, self.MAX_LEASE, limit // 8))
        taken, expires = take_many(key, size, limit, window, now)
        if not taken:
            return expires - now
        with self._lock:
            if len(self._leases) >= self.MAX_KEYS:
                self._leases = {k: v for k, v in self._leases.items() if v[0] > now}
                if len(self._leases) >= self.MAX_KEYS:
                    self._leases.clear()        # what they leased counts as used
            lease = self._leases.get(key)
            if lease is not None and lease[0] == expires:
                lease[1] += taken - 1           # another thread leased meanwhile
            else:
                self._leases[key] = lease = [expires, taken - 1, size]
            lease[2] = min(self.MAX_LEASE, max(lease[2], size * 2))
        return 0


def take_many(key, size, limit, window, now):
    """Count up to ``size`` attempts under ``key`` in its current window, as
    many as its limit leaves (at least one, else none): ``(counted, expires)``,
    ``expires`` the end of the window (when none was counted: until then)."""
    store = collection(ThrottleCounter, bump=False)
    for _attempt in range(5):
        size = max(1, min(size, limit))
        counted = store.find_one_and_update(
            {"_id": key, "count": {"$lte": limit - size}, "expires": {"$gt": now}},
            {"$inc": {"count": size}}, projection={"expires": 1})
        if counted is not None:
            return size, counted["expires"]
        current = store.find_one({"_id": key})
        if current is None:
            try:
                store.insert_one({"_id": key, "count": size, "expires": now + window})
                return size, now + window
            except DuplicateKeyError:
                continue                    # a parallel attempt created it: count there
        elif current["expires"] <= now:
            store.delete_one({"_id": key, "expires": current["expires"]})
        elif current["count"] < limit:
            size = limit - current["count"]  # fewer than asked are left: take those
        else:
            return 0, current["expires"]
    return 0, now + window      # the counter kept changing under us: refuse rather than not count
