"""The site root (``/``): neighborhoods are its children."""
from zope.interface import implementer

from ..interfaces import ISiteRoot
from ..model import Neighborhood, SiteConfig
from ..model.cache import attach, cached_find, site_config_for
from .base import Node
from .neighborhood import NeighborhoodResource

CORE_PERMISSIONS = ("read", "create", "update", "delete", "admin", "create_project")


@implementer(ISiteRoot)
class SiteRoot(Node):
    kind = "site"

    def __init__(self, request):
        self._request = request
        self.__name__ = ""
        self.__parent__ = None
        self._doc = None
        self._generations = None

    @property
    def request(self):
        return self._request

    @property
    def doc(self):
        if self._doc is None:
            raw, self._generations = site_config_for(self._request)
            self._doc = attach(SiteConfig, raw) if raw else SiteConfig(key="site", acl=[])
        return self._doc

    @property
    def generations(self):
        """(tree, content) as read with the site's document (forge.model.cache)."""
        self.doc
        return self._generations

    @property
    def title(self):
        return self.doc.title

    @property
    def project(self):
        return None

    def permission_names(self):
        # once each, in order: tools share names with the core ("read", "admin")
        return tuple(dict.fromkeys(CORE_PERMISSIONS + self.request.registry.forge_tools
                                   .all_permissions()))

    def __getitem__(self, name):
        if name.startswith("@@"):
            raise KeyError(name)
        docs = cached_find(self.request, Neighborhood, {"name": name})
        if not docs:
            raise KeyError(name)
        return NeighborhoodResource(docs[0], name, self)


def root_factory(request):
    return SiteRoot(request)
