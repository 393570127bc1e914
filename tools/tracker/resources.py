"""The tracker's resources and the interfaces its views register against.

``/<mount>/12`` resolves through the core's ``ArtifactContainer`` (a ticket's
path is its number) to the resource of the declared ``tracker.ticket`` type,
built on ``TicketResource`` (``add_artifact_type(resource=)``).
"""
from zope.interface import implementer

from forge.api import ITool, ITypedArtifact, RawArtifact, ToolResource, TypedArtifactResource

from .model import Ticket


class ITrackerTool(ITool):
    """A mounted tracker."""


class ITicket(ITypedArtifact):
    """One ticket."""


class TicketResource(TypedArtifactResource):

    @property
    def number(self):
        return self._doc.number

    @property
    def title(self):
        return "#%s %s" % (self._doc.number, self._doc.title)


@implementer(ITrackerTool)
class TrackerTool(ToolResource):

    def ticket_resource(self, doc):
        """A ticket of this tool (a document, or one as stored) as a node, for
        lists: no family loaded."""
        doc = RawArtifact(doc) if isinstance(doc, dict) else doc
        return self.request.registry.forge_artifact_types.of(Ticket).node(doc, self)
