"""Activity: what happened in a project, recorded by the ``forge.activity``
reactor (``reactor``) and shown filtered by ``read`` (``query``).

Tools need do nothing: their events are recorded with the node's title.
"""
from .query import NodeResolver, activity_entries, activity_page  # noqa: F401
from .reactor import record_activity

REACTOR_NAME = "forge.activity"


def includeme(config):
    from .model import ActivityEntry  # noqa: F401  (mapped before indexes are made)
    # idempotent: an entry's _id is its event's id (a second insert is refused)
    config.add_reactor("#", record_activity, name=REACTOR_NAME, idempotent=True)
    config.scan(".views")
