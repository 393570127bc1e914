"""Documents of notifications: who watches what, how they want mail, what a
digest still owes them, and what was sent (so a retried event or a second
digest run sends nothing twice).

All timestamps are epoch floats and every write is a whole-document insert or
a string/number ``$set``: portable to nx-27017 (see DESIGN.md).
"""
from ming.odm import FieldProperty, MappedClass

from ..model.cache import not_on_pages, own_generation
from ..model.session import session

EACH, DIGEST, NONE = "each", "digest", "none"
FREQUENCIES = (EACH, DIGEST, NONE)

# Watches and preferences are read per event by the notify reactor and written
# by every new artifact (its author's watch): cached under a generation of their
# own, so a write of one keeps every process's tree cache (users, roles, tools).
WATCHES = "watches"


@own_generation(WATCHES)
class Watch(MappedClass):
    """``user_id`` watches the project, tool or artifact ``node_id``
    (``kind``: project|tool|artifact); one per user and node (``_id`` is
    ``{user_id}:{node_id}``, so watching twice is a duplicate-key no-op)."""

    class __mongometa__:
        session = session
        name = "watch"
        unique_indexes = [("user_id", "node_id")]
        indexes = [("node_id",), ("user_id", "created")]

    _id = FieldProperty(str)
    user_id = FieldProperty(str)
    kind = FieldProperty(str)
    node_id = FieldProperty(str)
    project_id = FieldProperty(str, if_missing=None)
    tool_id = FieldProperty(str, if_missing=None)
    created = FieldProperty(float)


@own_generation(WATCHES)
class MailPreference(MappedClass):
    """A user's choice (``_id`` = user id); no document means "each"."""

    class __mongometa__:
        session = session
        name = "mail_preference"

    _id = FieldProperty(str)
    frequency = FieldProperty(str, if_missing=EACH)


@not_on_pages       # mail bookkeeping: no page shows it
class DigestItem(MappedClass):
    """A change waiting for its watcher's next digest (``_id`` =
    ``{user_id}:{event_id}``).  The node is named as the event named it and
    resolved again, with a read check, when the digest is sent."""

    class __mongometa__:
        session = session
        name = "digest_item"
        indexes = [("user_id", "digest_id", "timestamp"), ("digest_id",)]

    _id = FieldProperty(str)
    user_id = FieldProperty(str)
    event_id = FieldProperty(str)
    event = FieldProperty(None)          # the bus message, as delivered
    timestamp = FieldProperty(float)
    digest_id = FieldProperty(str, if_missing="")   # "" until a digest took it


@not_on_pages       # mail bookkeeping: no page shows it
class DigestRun(MappedClass):
    """One user's digest of one period (``_id`` = ``{user_id}:{period}``),
    inserted before sending: a second run of the period finds it and skips."""

    class __mongometa__:
        session = session
        name = "digest_run"

    _id = FieldProperty(str)
    user_id = FieldProperty(str)
    period = FieldProperty(str)
    num_items = FieldProperty(int, if_missing=0)
    timestamp = FieldProperty(float)


@not_on_pages       # mail bookkeeping: no page shows it
class SentNotification(MappedClass):
    """A change mail sent (``_id`` = ``{event_id}:{user_id}``): when the
    reactor fails half-way and the bus retries the event, those already
    mailed are not mailed again (``event_id``: one indexed query per event)."""

    class __mongometa__:
        session = session
        name = "sent_notification"
        indexes = [("event_id",)]

    _id = FieldProperty(str)
    event_id = FieldProperty(str, if_missing=None)
    timestamp = FieldProperty(float)
