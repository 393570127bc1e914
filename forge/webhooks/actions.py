"""Registering, changing and removing webhooks; asking for a redelivery.

Hooks change through the unit of work (an audit-log entry on the project or
tool); deliveries are the reactor's bookkeeping and change outside it.
"""
import re
import time

from ..actions import ActionError
from ..bus.topics import validate_pattern
from ..model.session import session
from ..unit_of_work import change
from .addresses import AddressRefused, check_url
from .model import DEAD, DELIVERED, PENDING, Webhook, WebhookAttempt, WebhookDelivery

MAX_HOOKS = 20
MAX_TOPICS = 20
MIN_SECRET = 16
MAX_SECRET = 200


def parse_topics(text):
    """Topic patterns from a form field: separated by commas, spaces or lines."""
    words = [word for word in re.split(r"[\s,]+", text or "") if word]
    if not words:
        raise ActionError("Name at least one topic, e.g. tracker.ticket.* (or # for all).")
    if len(words) > MAX_TOPICS:
        raise ActionError("A hook listens to at most %d topic patterns." % MAX_TOPICS)
    topics = []
    for word in words:
        try:
            validate_pattern(word)
        except ValueError as error:
            raise ActionError(str(error))
        if word not in topics:
            topics.append(word)
    return topics


def check_secret(secret):
    secret = secret or ""
    if not MIN_SECRET <= len(secret) <= MAX_SECRET or not secret.isprintable() \
            or secret != secret.strip():
        raise ActionError("The secret must be %d to %d printable characters (no spaces at "
                          "either end): the receiver checks the signature with it."
                          % (MIN_SECRET, MAX_SECRET))
    return secret


def hooks_of(node_doc, tool=False):
    """The hooks registered on a project (``tool=False``) or a tool instance."""
    query = {"tool_id": node_doc._id} if tool else {"project_id": node_doc._id, "tool_id": None}
    return Webhook.query.find(query).sort("created", 1).all()


def create_hook(registry, settings, project_doc, tool_doc, url, topics, secret, actor):
    """A hook on a project (``tool_doc`` None) or one of its tools."""
    try:
        url = check_url(url, settings["forge.webhooks.allow_private"])
    except AddressRefused as refused:
        raise ActionError(str(refused))
    topics = parse_topics(topics)
    secret = check_secret(secret)
    node = tool_doc if tool_doc is not None else project_doc
    if len(hooks_of(node, tool=tool_doc is not None)) >= MAX_HOOKS:
        raise ActionError("There are %d hooks here already; remove one first." % MAX_HOOKS)
    with change(registry, None, node=node, actor=actor, new={"url": url, "topics": topics}) as ch:
        hook = Webhook(project_id=project_doc._id,
                       tool_id=tool_doc._id if tool_doc is not None else None,
                       url=url, topics=topics, secret=secret, owner_id=actor._id,
                       created=time.time())
        ch.log("webhook.create", "added the webhook %s for %s" % (url, ", ".join(topics)),
               webhook_id=hook._id)
    return hook


def set_active(registry, node_doc, hook, active, actor):
    with change(registry, None, node=node_doc, actor=actor, new={"active": bool(active)}) as ch:
        hook.active = bool(active)
        ch.log("webhook.resume" if active else "webhook.pause",
               "%s the webhook %s" % ("resumed" if active else "paused", hook.url),
               webhook_id=hook._id)


def delete_hook(registry, node_doc, hook, actor):
    """Remove the hook and its delivery log."""
    with change(registry, None, node=node_doc, actor=actor, new={}) as ch:
        WebhookDelivery.query.remove({"hook_id": hook._id})
        WebhookAttempt.query.remove({"hook_id": hook._id})
        hook.delete()
        ch.log("webhook.delete", "removed the webhook %s" % hook.url, webhook_id=hook._id)


def deliveries_of(hook, limit=50):
    return WebhookDelivery.query.find({"hook_id": hook._id}).sort(
        "created", -1).limit(limit).all()


def attempts_of(deliveries):
    """delivery id -> its attempts, oldest first (one query for a page)."""
    attempts = {delivery._id: [] for delivery in deliveries}
    for attempt in WebhookAttempt.query.find(
            {"delivery_id": {"$in": sorted(attempts)}}).sort("at", 1):
        attempts[attempt.delivery_id].append(attempt)
    return attempts


def mark_for_redelivery(hook, delivery_id):
    """Make a delivered or dead delivery pending again; return it and the state
    it had (the caller puts its event back on the bus, or restores the state
    when the bus does not answer)."""
    delivery = WebhookDelivery.query.get(_id=delivery_id, hook_id=hook._id) \
        if isinstance(delivery_id, str) else None
    if delivery is None:
        raise ActionError("There is no such delivery of this hook.")
    if delivery.state not in (DELIVERED, DEAD):
        raise ActionError("This delivery is still being tried; wait for its outcome.")
    before = delivery.state
    delivery.state = PENDING
    delivery.updated = time.time()
    session.flush(delivery)
    return delivery, before


def restore_state(delivery, state):
    delivery.state = state
    session.flush(delivery)
