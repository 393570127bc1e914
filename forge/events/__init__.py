"""Domain events: plain classes sent through the Pyramid registry.

Every change the core makes goes through ``notify`` with one of these; each
carries a dotted ``topic`` (``project.acl.changed``, ``notes.note.updated``)
so the message bus can route it to reactors by topic later on.  Subscribe
with ``config.add_subscriber(fn, ArtifactModified)``.
"""
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
    topic = "acl.changed"


class ArtifactEvent(ForgeEvent):
    """Topic is ``{artifact type}.{verb}``: ``notes.note.created``."""

    verb = "changed"

    @property
    def topic(self):
        return "%s.%s" % (self.node.type, self.verb)


class ArtifactCreated(ArtifactEvent):
    verb = "created"


class ArtifactModified(ArtifactEvent):
    verb = "updated"


class ArtifactDeleted(ArtifactEvent):
    verb = "deleted"
