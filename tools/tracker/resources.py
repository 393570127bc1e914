"""The tracker's resources and the interfaces its views register against.

``/<mount>/12`` resolves through the core's ``ArtifactContainer`` (a ticket's
path is its number); ``TrackerTool`` only wraps tickets in ``TicketResource``
so that the ticket views (registered for ``ITicket``) apply to them alone.
"""
from zope.interface import implementer

from forge.api import (ArtifactFamily, ITool, IVersioned, ToolResource, VersionedArtifactResource,
                       artifact_type)

from .model import Ticket


class ITrackerTool(ITool):
    """A mounted tracker."""


class ITicket(IVersioned):
    """One ticket."""


@implementer(ITicket)
class TicketResource(VersionedArtifactResource):

    @property
    def family(self):
        """Loaded on first use: a list page builds tickets without their family."""
        if self._family is None:
            self._family = ArtifactFamily(self._doc.tool_id, self._doc.family)
        return self._family

    @family.setter
    def family(self, value):
        self._family = value

    @property
    def number(self):
        return self._doc.number

    @property
    def title(self):
        return "#%s %s" % (self._doc.number, self._doc.title)


@implementer(ITrackerTool)
class TrackerTool(ToolResource):

    def artifact_resource(self, doc, name, parent, family):
        if issubclass(artifact_type(doc), Ticket):
            return TicketResource(doc, name, parent, family)
        return super().artifact_resource(doc, name, parent, family)

    def ticket_resource(self, doc):
        """A ticket of this tool as a node (for lists): no family loaded."""
        return TicketResource(doc, doc.path, self, None)
