"""``config.add_search_type``: a tool's indexing contract (see ``forge.search.documents``);
``config.add_search_source``: documents a tool keeps itself (not artifacts), rebuilt
whenever the core re-indexes one of its instances.

Its own module, included by ``forge.plugins`` with ``add_tool``, so a tool has it
also where the forge core is not (a Configurator with ``forge.plugins`` only).
"""
from pyramid.exceptions import ConfigurationError


def add_search_type(config, artifact_type, to_document):
    """Index artifacts of ``artifact_type`` with ``to_document(doc, node) -> dict``
    (keys ``title``, ``text``, ``labels``, ``fields``; None: not searchable now).
    One per type: a second registration of a type is a configuration conflict."""
    _register(config, "type", artifact_type, "to_document", to_document)


def add_search_source(config, tool_type, documents):
    """Add ``documents(request, tool) -> iterable of search documents`` of each
    instance of ``tool_type`` whenever the core re-indexes that instance: after a
    change of its, its project's or a parent's read rights, a rename, and in
    ``forge admin reindex``.  The core first deletes every document of the tool
    (artifacts and these alike), so a source must yield all of its documents,
    each with the read terms of the tool's lineage as it is now.  ``tool`` is the
    resolved tool node (the ACLs pages see).  One source per tool type.  Example,
    the code tool's commits::

        config.add_search_source("code", "tools.code.commit_search.commit_documents")
    """
    _register(config, "source", tool_type, "documents", documents)


def _register(config, kind, key, what, function):
    """One callable per ``key`` in ``registry.forge_search_{kind}s``: a Pyramid
    action, so a second registration of a key is a configuration conflict."""
    function = config.maybe_dotted(function)
    if not callable(function):
        raise ConfigurationError("search %s %r: %s is not callable" % (kind, key, what))

    def register():
        getattr(config.registry, "forge_search_%ss" % kind)[key] = function

    intr = config.introspectable("forge search %ss" % kind, key, key, "forge search %s" % kind)
    intr[what] = function
    config.action(("forge.search_%s" % kind, key), register, introspectables=(intr,))


def includeme(config):
    if not hasattr(config.registry, "forge_search_types"):
        config.registry.forge_search_types = {}
    if not hasattr(config.registry, "forge_search_sources"):
        config.registry.forge_search_sources = {}
    config.add_directive("add_search_type", add_search_type, action_wrap=False)
    config.add_directive("add_search_source", add_search_source, action_wrap=False)
