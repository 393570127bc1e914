"""Full-text search with tantivy: every tool's artifacts, trimmed by ``read``.

* ``config.add_search_type(artifact_type, to_document)``: how a tool's
  artifact type becomes a document (``forge.search.documents``);
* the ``forge.search`` reactor keeps the index equal to the database
  (``forge.search.indexer``); ``forge admin reindex [PROJECT]`` rebuilds it;
* ``@@search`` on the site, a project (with its subprojects) and a tool
  (``forge.search.views``), the query language in ``forge.search.query``;
* security trimming inside the query: ``forge.search.acl``.
"""
import threading

from .directive import add_search_type  # noqa: F401
from .documents import default_document  # noqa: F401
from .indexer import on_event, reindex  # noqa: F401
from .node import SHARED_REACTOR, reactor_name
from .query import QueryError, search  # noqa: F401

REACTOR_NAME = SHARED_REACTOR      # the reactor's name without forge.search.node


class IndexHolder:
    """Opens the index on first use (a web process that never searches opens none)."""

    def __init__(self, settings):
        self.settings = settings
        self._index = None
        self._lock = threading.Lock()

    def __call__(self):
        if self._index is None:
            with self._lock:
                if self._index is None:
                    from .index import open_index
                    self._index = open_index(self.settings)
        return self._index


def includeme(config):
    config.include(".directive")
    config.registry.forge_search_index = IndexHolder(config.registry.settings)
    # idempotent: it indexes what the database holds now, whatever ran before;
    # on a search node (forge.search.node) the reactor and its queue are the node's
    config.add_reactor("#", on_event, name=reactor_name(config.registry.settings),
                       idempotent=True)
    config.scan(".views")
