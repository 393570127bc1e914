"""Daily digests: ``send_digests`` mails each user who chose "digest" the
changes queued for them, once per period (a UTC day).

Idempotent per period: a ``DigestRun`` (``{user}:{period}``) is inserted
*before* the mail goes out, so a second run of the same day (another worker,
or ``forge admin send-digests`` again) finds it and sends nothing; if sending
fails the record is removed again, so the next run retries instead of losing
the digest.  Each queued change is resolved and read-checked again at sending
time (``forge.visibility``: by the node's id, along its current lineage): a
change the user may no longer read, or about a node gone, moved away or held
for moderation, is dropped, silently.

``DigestThread`` runs ``send_digests`` in ``forge worker`` when it starts and
then every hour (``forge.mail.digest_interval``).
"""
import datetime
import logging
import threading
import time

from pymongo.errors import DuplicateKeyError

from ..model import User
from ..model.session import collection, session
from ..visibility import NodeResolver, in_held_state
from .messages import build_message, describe, mail_request, unsubscribe_url
from .model import NONE, DigestItem, DigestRun
from .reactor import may_read, visible_post
from .watches import frequency_of

log = logging.getLogger(__name__)
TEMPLATE = "forge:templates/notifications/digest_mail.jinja2"
MAX_ITEMS = 200


def period_of(now=None):
    now = now or datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%d")


def pending_users():
    """Users with queued changes (one indexed equality on ``digest_id``)."""
    return sorted({item["user_id"] for item in
                   collection(DigestItem).find({"digest_id": ""}, {"user_id": 1})})


def send_digests(registry, period=None, progress=None):
    """Send every pending digest of ``period``; return (sent, skipped).
    ``progress(user_id, sent)`` is called after each user."""
    period = period or period_of()
    sent = skipped = 0
    with mail_request(registry) as request:
        for user_id in pending_users():
            if send_user_digest(request, user_id, period):
                sent += 1
            else:
                skipped += 1
            if progress is not None:
                progress(user_id, sent)
    session.close()
    return sent, skipped


def send_user_digest(request, user_id, period):
    """True when a digest was mailed to ``user_id`` for ``period``."""
    run_id = "%s:%s" % (user_id, period)
    items = collection(DigestItem)
    if collection(DigestRun).find_one({"_id": run_id}) is not None:
        return False
    queued = list(items.find({"user_id": user_id, "digest_id": ""}).sort("timestamp", 1))
    user = User.query.get(_id=user_id)
    entries = []
    if user is not None and not user.disabled and user.email \
            and frequency_of(user_id) != NONE:
        entries = readable_entries(request, user, queued)
    try:
        collection(DigestRun).insert_one({"_id": run_id, "user_id": user_id, "period": period,
                                          "num_items": len(entries), "timestamp": time.time()})
    except DuplicateKeyError:
        return False            # another run of this period got there first
    if entries:
        try:
            request.registry.forge_mailer.send(build_message(
                request, user, "Your daily digest: %d change%s" % (
                    len(entries), "" if len(entries) == 1 else "s"),
                TEMPLATE, {"entries": entries, "period": period},
                unsubscribe_url(request, user_id, "all")))
        except Exception:
            collection(DigestRun).delete_one({"_id": run_id})
            raise
    for item in queued:
        items.update_one({"_id": item["_id"]}, {"$set": {"digest_id": run_id}})
    return bool(entries)


def readable_entries(request, user, queued):
    """Descriptions of the queued changes this user may read now."""
    resolver = NodeResolver(request)
    entries = []
    for item in queued[:MAX_ITEMS]:
        event = item["event"]
        node = resolver.resolve(event)
        if node is None or in_held_state(node) or not may_read(user, node):
            continue
        post = None
        if event.get("node_type") == "Post":
            post = visible_post(event.get("node_id"))
            if post is None:
                continue
        entry = describe(request, event, node, post)
        entry["when"] = datetime.datetime.fromtimestamp(
            item["timestamp"], datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        entries.append(entry)
    return entries


class DigestThread:
    """Sends digests at start and every ``interval`` seconds until stopped."""

    def __init__(self, registry, interval=None):
        self.registry = registry
        self.interval = interval or registry.settings["forge.mail.digest_interval"]
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.run, name="forge-digests", daemon=True)

    def start(self):
        self.thread.start()
        return self

    def run(self):
        while not self.stopping.is_set():
            try:
                sent, _skipped = send_digests(self.registry)
                if sent:
                    log.info("digests sent: %d", sent)
            except Exception:
                log.exception("sending digests failed; retrying at the next period check")
                session.close()
            self.stopping.wait(self.interval)

    def stop(self, timeout=30):
        self.stopping.set()
        self.thread.join(timeout)


def start_digest_thread(registry):
    """``forge worker``'s periodic task (see ``forge.cli.worker``)."""
    return DigestThread(registry).start()
