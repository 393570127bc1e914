"""The wiki's resources: the tool, a tree with a home page whose old paths redirect
(``forge.api.HomeTreeToolResource``), and its pages."""
from zope.interface import implementer

from forge.api import HomeTreeToolResource, ITool, ITypedArtifact


class IWikiTool(ITool):
    """A mounted wiki."""


class IWikiPage(ITypedArtifact):
    """One wiki page."""


@implementer(IWikiTool)
class WikiTool(HomeTreeToolResource):
    nav_template = "tools.wiki:templates/wiki/_nav.jinja2"
    welcome = ("Welcome to the wiki of this project.\n\nEdit this page to say what the project "
               "is about, and link other pages with `[[Page Name]]`: a page that does not "
               "exist yet shows as a link that creates it.\n")
