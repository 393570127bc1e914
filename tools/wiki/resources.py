"""The wiki's resources: the tool and its pages, a tree whose old paths redirect
(``forge.api.TreeToolResource``)."""
from zope.interface import implementer

from forge.api import ITool, ITypedArtifact, TreeToolResource


class IWikiTool(ITool):
    """A mounted wiki."""


class IWikiPage(ITypedArtifact):
    """One wiki page."""


@implementer(IWikiTool)
class WikiTool(TreeToolResource):

    @property
    def home_name(self):
        return (self.doc.options or {}).get("home") or "Home"
