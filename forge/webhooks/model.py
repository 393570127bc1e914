"""Webhooks and their deliveries.

A ``Webhook`` belongs to a project (the events of the project and of its
tools) or to one tool instance (``tool_id``), and to the admin who registered
it (``owner_id``): only events that user may read are sent.  A
``WebhookDelivery`` is one event for one hook, whatever how many attempts it
took: its id is the idempotency id receivers see (``X-Forge-Delivery``), and
it keeps the exact body sent, so a retry or a redelivery sends the same bytes
with the same signature.
"""
import hashlib

from ming import schema as S
from ming.odm import FieldProperty, MappedClass

from ..model.session import new_id, session

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"


class Webhook(MappedClass):
    class __mongometa__:
        session = session
        name = "webhook"
        indexes = [("project_id", "tool_id")]

    _id = FieldProperty(str, if_missing=new_id)
    project_id = FieldProperty(str)
    tool_id = FieldProperty(str, if_missing=None)     # None: the whole project
    url = FieldProperty(str)
    topics = FieldProperty([str])                      # patterns: tracker.ticket.*, #
    secret = FieldProperty(str)
    owner_id = FieldProperty(str)
    active = FieldProperty(bool, if_missing=True)
    created = FieldProperty(float)


class WebhookDelivery(MappedClass):
    class __mongometa__:
        session = session
        name = "webhook_delivery"
        indexes = [("hook_id", "created")]

    _id = FieldProperty(str)               # delivery_id(hook, event): the idempotency id
    hook_id = FieldProperty(str)
    event_id = FieldProperty(str)
    topic = FieldProperty(str)
    event = FieldProperty({str: S.Anything})   # the bus message, to publish it again
    body = FieldProperty(str)              # the JSON sent, byte for byte (UTF-8)
    state = FieldProperty(str, if_missing=PENDING)
    created = FieldProperty(float)
    updated = FieldProperty(float)


class WebhookAttempt(MappedClass):
    """One POST of a delivery: a document of its own (inserted whole, which
    every server stores faithfully; nx-27017 turns documents ``$push``-ed into
    an array into strings)."""

    class __mongometa__:
        session = session
        name = "webhook_attempt"
        indexes = [("delivery_id",), ("hook_id",)]

    _id = FieldProperty(str, if_missing=new_id)
    delivery_id = FieldProperty(str)
    hook_id = FieldProperty(str)
    at = FieldProperty(float)
    status = FieldProperty(int, if_missing=None)   # the HTTP status; None: no answer
    error = FieldProperty(str, if_missing="")      # empty: delivered
    seconds = FieldProperty(float)
    response = FieldProperty(str, if_missing="")   # the start of the answer's body


def delivery_id(hook_id, event_id):
    """Stable for one hook and one event: retries and redeliveries share it."""
    return hashlib.sha256(("%s:%s" % (hook_id, event_id)).encode("utf-8")).hexdigest()[:32]
