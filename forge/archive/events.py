"""The event an import ends with: the search reactor re-indexes the project
and its subprojects from it (``forge.search.indexer.plan``: a Project event
other than ``created``); it is not activity."""
from ..events import ForgeEvent


class ProjectImported(ForgeEvent):
    topic = "project.imported"
