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

from pyramid.exceptions import ConfigurationError

from .documents import default_document  # noqa: F401
from .indexer import on_event, reindex  # noqa: F401
from .query import QueryError, search  # noqa: F401

REACTOR_NAME = "forge.search"


def add_search_type(config, artifact_type, to_document):
    """Index artifacts of ``artifact_type`` with ``to_document(doc, node) -> dict``
    (keys ``title``, ``text``, ``labels``, ``fields``).  One per type: a second
    registration of a type is a configuration conflict."""
    to_document = config.maybe_dotted(to_document)
    if not callable(to_document):
        raise ConfigurationError("search type %r: to_document is not callable" % artifact_type)

    def register():
        config.registry.forge_search_types[artifact_type] = to_document

    intr = config.introspectable("forge search types", artifact_type, artifact_type,
                                 "forge search type")
    intr["to_document"] = to_document
    config.action(("forge.search_type", artifact_type), register, introspectables=(intr,))


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
    config.registry.forge_search_types = {}
    config.registry.forge_search_index = IndexHolder(config.registry.settings)
    config.add_directive("add_search_type", add_search_type, action_wrap=False)
    config.add_reactor("#", on_event, name=REACTOR_NAME)
    config.scan(".views")
