"""The site root (``/``): neighborhoods are its children."""
from zope.interface import implementer

from ..interfaces import ISiteRoot
from ..model import Neighborhood, SiteConfig
from ..model.acl import is_private, to_pyramid
from ..model.cache import attach, cached_raw, site_config_for
from .base import Node, StoredDocument
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
        self._raw = None
        self._generations = None
        self._read_done = False

    @property
    def request(self):
        return self._request

    @property
    def doc(self):
        """The site's Ming document (built on first use)."""
        if self._doc is None:
            raw = self._stored()
            self._doc = attach(SiteConfig, raw) if raw else SiteConfig(key="site", acl=[])
        return self._doc

    @doc.setter
    def doc(self, value):
        self._doc = value

    def _stored(self):
        """The site's stored document (None when there is none), read once
        with the generations."""
        if not self._read_done:
            self._raw, self._generations = site_config_for(self._request)
            self._read_done = True
        return self._raw

    def _read(self):
        """The Ming document when this request built it (it may hold a change
        not yet saved), else a ``StoredDocument`` to read."""
        raw = self._stored()
        if self._doc is None and raw:
            return StoredDocument(SiteConfig, raw)
        return self.doc

    @property
    def generations(self):
        """(tree, content) as read with the site's document (forge.model.cache)."""
        self._stored()
        return self._generations

    def __acl__(self):
        return to_pyramid(self._read().acl)

    @property
    def title(self):
        return self._read().title

    @property
    def private(self):
        return is_private(self._read().acl)

    @property
    def banner(self):
        """The site admins' one-line notice."""
        return self._read().banner

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
        docs = cached_raw(self.request, Neighborhood, {"name": name})
        if not docs:
            raise KeyError(name)
        return NeighborhoodResource(StoredDocument(Neighborhood, docs[0]), name, self)


def root_factory(request):
    return SiteRoot(request)
