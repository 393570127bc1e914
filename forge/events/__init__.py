"""Domain events: plain classes with a dotted ``topic``.

Every change the core makes goes through one path, the unit of work
(``forge.unit_of_work.change``), which emits the event before its flush
(``forge.model.emit``): the event is written to the outbox together with the
documents; once the flush succeeded the event goes to the registry's
subscribers (``config.add_subscriber(fn, ArtifactModified)``) and to the
message bus.  ``to_message`` is the form the
outbox stores and the bus carries.
"""
import datetime
import time
import uuid

from ..model import utcnow


class ForgeEvent:
    topic = "forge.event"

    def __init__(self, node, actor=None, source="web", **detail):
        self.id = uuid.uuid4().hex
        self.node = node              # the Ming document the event is about
        self.actor = actor            # the User document, or None for the system
        self.source = source          # web, rest, cli, mail, scm
        self.detail = detail
        self.timestamp = utcnow()

    def __repr__(self):
        return "<%s %s %s>" % (type(self).__name__, self.topic, self.id)

    def to_message(self):
        """Plain data (JSON and BSON safe) naming the change, not carrying it."""
        node = self.node
        kind = type(node).__name__
        project_id = node._id if kind == "Project" else getattr(node, "project_id", None)
        return {
            "id": self.id,
            "topic": self.topic,
            "node_type": kind,
            "node_id": getattr(node, "_id", None),
            "project_id": project_id,
            "tool_id": node._id if kind == "ToolInstance" else getattr(node, "tool_id", None),
            "path": getattr(node, "path", None),
            "actor_id": self.actor._id if self.actor is not None else None,
            "source": self.source,
            "timestamp": time.time(),
            "detail": _plain(self.detail),
        }


def _plain(value):
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_plain(v) for v in value]
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return str(value)


class UserCreated(ForgeEvent):
    topic = "user.created"


class ProjectCreated(ForgeEvent):
    topic = "project.created"


class ProjectUpdated(ForgeEvent):
    topic = "project.updated"


class RolesChanged(ForgeEvent):
    topic = "project.roles.changed"


class ToolInstalled(ForgeEvent):
    topic = "project.tool.installed"


class ToolUpdated(ForgeEvent):
    topic = "project.tool.updated"


class ToolUninstalled(ForgeEvent):
    topic = "project.tool.uninstalled"


class AclChanged(ForgeEvent):
    """Topic ``{kind}.acl.changed``: ``project.acl.changed``, ``tool.acl.changed``,
    ``artifact.acl.changed`` (``kind`` is the node kind)."""

    @staticmethod
    def topic_for(kind):
        return "%s.acl.changed" % kind

    @property
    def topic(self):
        return self.topic_for(self.detail.get("kind", "node"))


class ArtifactEvent(ForgeEvent):
    """Topic is ``{artifact type}.{verb}``: ``notes.note.created``.

    An event that writes a version of the artifact (``writes_version``) tells
    whether that version's text may mention anyone (detail ``may_mention``:
    an "@" in one of its versioned fields, which hold every Markdown field
    ``forge.mentions`` reads), so the mentions reactor reads nothing for the
    many that mention nobody, as a new comment's event tells it
    (``forge.discussion.actions``).  A boolean, never the text: the live events
    stream and webhooks send an event by the node its path names now.

    Every artifact event also names its project's tree (detail ``family_key``,
    ``{neighborhood_id}/{family}``, as a comment's event does:
    ``forge.discussion.actions.post_facts``) when this session holds the
    project or its tool already (``held_family_key``), so the activity
    reactor reads no project for it; ids and a name, never content."""

    verb = "changed"

    def __init__(self, node, actor=None, source="web", **detail):
        super().__init__(node, actor=actor, source=source, **detail)
        if self.writes_version():
            fields = getattr(node, "versioned_fields", None)
            if fields is not None:
                self.detail.setdefault("may_mention", any(
                    has_at_sign(getattr(node, name, None)) for name in fields))
        family_key = held_family_key(node)
        if family_key:
            self.detail.setdefault("family_key", family_key)

    def writes_version(self):
        """Whether this event is the saving of a version of the artifact."""
        return False

    @property
    def topic(self):
        return "%s.%s" % (self.node.type, self.verb)


def held_family_key(node):
    """The ``family_key`` of an artifact's project from the project's document
    this session holds (every create and save is handed the project's and the
    tool's documents), else from its tool's (which keeps a copy of the
    project's neighborhood and family, as ``post_facts`` reads it), else None:
    never a read, so an event whose project is not at hand simply lacks it
    and the reactor reads the project, as for older events."""
    from ..model import Project, ToolInstance
    from ..model.cache import current_odm
    held = current_odm().imap
    for cls, doc_id in ((Project, getattr(node, "project_id", None)),
                        (ToolInstance, getattr(node, "tool_id", None))):
        doc = held.get(cls, doc_id) if doc_id else None
        neighborhood_id = getattr(doc, "neighborhood_id", None)
        family = getattr(doc, "family", None)
        if neighborhood_id and family:
            return "%s/%s" % (neighborhood_id, family)
    return None


def has_at_sign(value):
    """Whether a stored value (a string, or dicts and lists of them) holds an "@"."""
    if isinstance(value, str):
        return "@" in value
    if isinstance(value, dict):
        return any(has_at_sign(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(has_at_sign(item) for item in value)
    return False


class ArtifactCreated(ArtifactEvent):
    verb = "created"

    def writes_version(self):
        return True


class ArtifactModified(ArtifactEvent):
    """An artifact changed; a new version of it when the detail names it
    (``version``: an edit, a rename), else something beside its versions
    (attachments, an undelete)."""

    verb = "updated"

    def writes_version(self):
        return "version" in self.detail


class ArtifactDeleted(ArtifactEvent):
    verb = "deleted"


class ProjectDeleted(ForgeEvent):
    topic = "project.deleted"


class ProjectUndeleted(ForgeEvent):
    topic = "project.undeleted"
