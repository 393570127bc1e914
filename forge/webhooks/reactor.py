"""The delivery reactor: each event to the hooks that want it.

For an event it finds the active hooks of the event's project (project-wide)
and tool whose topic patterns match, resolves the event's node *now*
(``forge.visibility``) and, for each hook whose owner may read that node, makes
(or finds) the hook's ``WebhookDelivery`` of the event and POSTs its body:

* ``X-Forge-Signature: sha256=HEX``, the HMAC-SHA256 of the body with the
  hook's secret; ``X-Forge-Delivery``, the delivery id (the same on every retry
  and redelivery: receivers use it to do the work once); ``X-Forge-Event``, the
  topic.
* Every attempt goes in the delivery's log (status code or error, time taken);
  settled deliveries older than ``forge.bus.keep_days`` are dropped when the
  hook gets a new one.
* A hook that failed makes the reactor fail, and the bus retries the event with
  back-off (``forge.bus.retry_*``); hooks already served are skipped then.  On
  the last attempt (``forge.bus.max_attempts``) the failed deliveries are
  marked dead and the event goes to the reactor's dead-letter queue, from where
  the hook page's "Redeliver" (or ``forge admin dead-letters``) sends it back.

A node the owner may not read (private, deleted, an uninstalled tool, an owner
disabled or gone) is not sent and leaves no delivery record.

A project with no hooks at all is remembered with the time of that find
(``ProjectsWithoutHooks``): events stored before it cost no find.  The
reactor takes its events in batches (``forge.bus.batches``): the events
fetched together (all stored before the call) find each project's hooks
once, and cost one call, flush and session.
"""
import hashlib
import hmac
import json
import logging
import threading
import time

from pymongo.errors import DuplicateKeyError

from ..bus.batches import takes_batches
from ..bus.topics import matches
from ..model import User
from ..model.registry_objects import registry_object
from ..model.session import collection, new_id
from ..security import can, user_principals
from ..site_request import site_request
from ..visibility import NodeResolver
from .model import DEAD, DELIVERED, PENDING, Webhook, WebhookAttempt, WebhookDelivery, \
    delivery_id
from .sender import post

log = logging.getLogger(__name__)

REACTOR_NAME = "forge.webhooks"
SIGNATURE_HEADER = "X-Forge-Signature"
DELIVERY_HEADER = "X-Forge-Delivery"
EVENT_HEADER = "X-Forge-Event"


class DeliveryFailed(Exception):
    """Some hooks were not served; the bus retries the event."""


def signature(secret, body):
    """The ``X-Forge-Signature`` value of ``body`` (bytes)."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


class ProjectsWithoutHooks:
    """Per forge: when a find last saw a project without a single hook (the
    clock read just before that find).  An event stored before then (its
    ``timestamp`` is taken as its outbox record is written) has no hook to go
    to: a hook made since is younger than the event, and hooks get the events
    stored after they were made.  So most events, in a project with no hooks,
    cost no find: a mail's comment and its ``mail.received`` one between them,
    a backlog one for all.  The events' clock is the writing process's: a
    writer on another machine whose clock is behind by more than the time since
    the find could have an event skipped by a hook made in between."""

    MAX_PROJECTS = 10000
    # a find is trusted this long: a redelivered event (older than the hook
    # it goes to) is then never skipped by a process that saw the project
    # without hooks before the hook was made, since making a delivery dead
    # takes the bus's retries longer than this
    MAX_AGE_SECONDS = 60.0

    def __init__(self, clock=time.time):
        self._seen = {}
        self._lock = threading.Lock()
        self.clock = clock

    def covers(self, project_id, timestamp):
        with self._lock:
            seen = self._seen.get(project_id)
        return seen is not None and isinstance(timestamp, (int, float)) \
            and timestamp <= seen and self.clock() - seen <= self.MAX_AGE_SECONDS

    def found(self, project_id, before, any_hooks):
        with self._lock:
            if any_hooks:
                self._seen.pop(project_id, None)
                return
            if len(self._seen) >= self.MAX_PROJECTS and project_id not in self._seen:
                self._seen.clear()
            self._seen[project_id] = max(before, self._seen.get(project_id, before))


def projects_without_hooks(registry):
    return registry_object(registry, "forge_projects_without_hooks", ProjectsWithoutHooks)


def matching_hooks(event, registry=None, found=None):
    """The hooks the event goes to.  ``found``: {project id: its hooks} read
    for the events of one batch (each read after all of them were stored,
    so it serves them all): one find per project and batch."""
    project_id, tool_id = event.get("project_id"), event.get("tool_id")
    if not project_id:
        return []          # site-wide events (a new user) belong to no hook
    without = projects_without_hooks(registry) if registry is not None else None
    if found is not None and project_id in found:
        hooks = found[project_id]
    elif without is not None and without.covers(project_id, event.get("timestamp")):
        return []
    else:
        # the project's hooks, sorted here: a project has a few, and an $or with a
        # null equality finds nothing on nx-27017
        before = without.clock() if without is not None else 0.0
        hooks = Webhook.query.find({"project_id": project_id}).all()
        if without is not None:
            without.found(project_id, before, bool(hooks))
        if found is not None:
            found[project_id] = hooks
    return [hook for hook in hooks
            if hook.active and hook.tool_id in (None, tool_id)
            and any(matches(pattern, event["topic"]) for pattern in hook.topics or ())]


def owner_may_read(hook, node):
    owner = User.query.get(_id=hook.owner_id)
    if owner is None or owner.disabled or node is None:
        return False
    return can(node, user_principals(owner), "read")


def body_for(request, hook, event, node, delivery):
    message = thaw(event)
    payload = {"delivery": delivery, "hook": hook._id, "topic": message["topic"],
               "url": request.forge_url(node), "event": message}
    return json.dumps(payload, sort_keys=True, separators=(",", ":"))


def pending_delivery(request, hook, event, node, keep_days):
    """The hook's delivery of the event, made on first sight; None when it is
    settled (delivered, or dead until someone asks for a redelivery)."""
    identifier = delivery_id(hook._id, event["id"])
    deliveries = collection(WebhookDelivery)
    delivery = deliveries.find_one({"_id": identifier})
    if delivery is None:
        now = time.time()
        delivery = {"_id": identifier, "hook_id": hook._id, "event_id": event["id"],
                    "topic": event["topic"], "event": thaw(event),
                    "body": body_for(request, hook, event, node, identifier),
                    "state": PENDING, "created": now, "updated": now}
        try:
            deliveries.insert_one(delivery)
        except DuplicateKeyError:
            # another worker holding a duplicate of the event made it first
            delivery = deliveries.find_one({"_id": identifier})
        else:
            prune(hook._id, now - keep_days * 86400.0)
    return delivery if delivery["state"] == PENDING else None


def prune(hook_id, before):
    """Drop the hook's settled deliveries (and their attempts) made before
    ``before``: the log keeps ``forge.bus.keep_days``, like the bus's records."""
    deliveries = collection(WebhookDelivery)
    old = [doc["_id"] for doc in deliveries.find({"hook_id": hook_id, "created": {"$lt": before}},
                                                 {"state": 1})
           if doc["state"] != PENDING]
    if old:
        collection(WebhookAttempt).delete_many({"delivery_id": {"$in": old}})
        deliveries.delete_many({"_id": {"$in": old}})


def attempt(hook, delivery, settings, last):
    """POST one delivery; record the attempt; True when delivered."""
    body = delivery["body"].encode("utf-8")
    outcome = post(hook.url, body, {SIGNATURE_HEADER: signature(hook.secret, body),
                                    DELIVERY_HEADER: delivery["_id"],
                                    EVENT_HEADER: delivery["topic"]}, settings)
    state = DELIVERED if outcome.delivered else (DEAD if last else PENDING)
    now = time.time()
    collection(WebhookAttempt).insert_one({
        "_id": new_id(), "delivery_id": delivery["_id"], "hook_id": hook._id, "at": now,
        "status": outcome.status, "error": outcome.error, "seconds": outcome.seconds,
        "response": outcome.response[:500]})
    collection(WebhookDelivery).update_one({"_id": delivery["_id"]},
                                           {"$set": {"state": state, "updated": now}})
    if not outcome.delivered:
        log.info("webhook not delivered hook=%s delivery=%s error=%s",
                 hook._id, delivery["_id"], outcome.error)
    return outcome


class FailedInBatch:
    """Per forge: the deliveries whose POST failed in a batch call of this
    process's reactor.  The batch then fails and the worker runs its events
    again one at a time, at once: those runs do not POST these deliveries a
    second time but fail them again, so the bus retries each with its
    back-off (and counts its attempts) as if it had been handled alone."""

    MAX_ENTRIES = 10000

    def __init__(self):
        self._ids = set()
        self._lock = threading.Lock()

    def add(self, identifier):
        with self._lock:
            if len(self._ids) >= self.MAX_ENTRIES:
                self._ids.clear()
            self._ids.add(identifier)

    def take(self, identifier):
        """Whether ``identifier`` failed in a batch just now (forgotten then)."""
        with self._lock:
            if identifier in self._ids:
                self._ids.discard(identifier)
                return True
            return False


def failed_in_batch(registry):
    return registry_object(registry, "forge_webhooks_failed_in_batch", FailedInBatch)


@takes_batches(max_events=100, max_seconds=0.02)
def deliver(events, context):
    """The reactor (``forge.webhooks`` on every topic): a tuple of frozen bus
    messages (a batch, ``forge.bus.batches``), or one.  The batch's events
    find each project's hooks once (most projects have none: then nothing
    else is done).  A failed POST fails the call, after the batch's other
    deliveries were tried: the worker runs the events again one at a time,
    where those delivered are settled (nothing sent twice) and those that
    failed fail again without a POST (``FailedInBatch``): retried alone."""
    if not isinstance(events, tuple):
        events = (events,)
    registry = context.registry
    found = {}
    work = [(event, hooks) for event, hooks in
            ((event, matching_hooks(event, registry, found)) for event in events) if hooks]
    if not work:
        return
    settings = registry.forge_webhook_settings
    last = context.attempt >= int(context.settings["forge.bus.max_attempts"])
    keep_days = float(context.settings["forge.bus.keep_days"])
    in_batch = len(events) > 1
    failures = failed_in_batch(registry)
    failed = []
    with site_request(registry) as request:
        resolver = NodeResolver(request)
        for event, hooks in work:
            node = resolver.resolve(event)
            for hook in hooks:
                if not owner_may_read(hook, node):
                    continue
                if not in_batch and failures.take(delivery_id(hook._id, event["id"])):
                    failed.append("%s: failed just now" % hook.url)
                    continue
                delivery = pending_delivery(request, hook, event, node, keep_days)
                if delivery is None:
                    continue
                outcome = attempt(hook, delivery, settings, last)
                if not outcome.delivered:
                    failed.append("%s: %s" % (hook.url, outcome.error))
                    if in_batch:
                        failures.add(delivery["_id"])
    if failed:
        raise DeliveryFailed("; ".join(failed))


def thaw(value):
    """A plain copy of a frozen bus message (``forge.bus.registry.freeze``)."""
    if hasattr(value, "items"):
        return {key: thaw(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [thaw(item) for item in value]
    if isinstance(value, frozenset):
        return sorted(thaw(item) for item in value)
    return value
