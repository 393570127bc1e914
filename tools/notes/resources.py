"""The notes tool's resources and the interfaces its views register against.

``NotesTool`` is what a mounted notes tool resolves to; its artifacts are
``NoteResource`` nodes, so the notes views (registered for ``INotesTool`` and
``INote``) apply only to this tool, and win over generic ``ITool``/``IVersioned``
views of the core by being more specific.
"""
from zope.interface import implementer

from forge.api import (ArtifactFamily, ITool, IVersioned, ToolResource, VersionedArtifactResource,
                       artifact_type)

from .model import Note


class INotesTool(ITool):
    """A mounted notes tool."""


class INote(IVersioned):
    """One note."""


@implementer(INote)
class NoteResource(VersionedArtifactResource):

    def __init__(self, doc, name, parent, family=None):
        super().__init__(doc, name, parent, family)

    @property
    def family(self):
        """Loaded on first use: a list page builds notes without their family."""
        if self._family is None:
            self._family = ArtifactFamily(self.doc.tool_id, self.doc.family)
        return self._family

    @family.setter
    def family(self, value):
        self._family = value


@implementer(INotesTool)
class NotesTool(ToolResource):

    def artifact_resource(self, doc, name, parent, family):
        # other artifact types stored in the tool (there are none today) keep
        # the core's generic resources, and so never meet the note views
        if issubclass(artifact_type(doc), Note):
            return NoteResource(doc, name, parent, family)
        return super().artifact_resource(doc, name, parent, family)

    def note_resource(self, doc):
        """A top-level note of this tool as a node (for lists)."""
        return NoteResource(doc, doc.name, self)
