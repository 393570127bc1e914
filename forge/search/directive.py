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
    to_document = config.maybe_dotted(to_document)
    if not callable(to_document):
        raise ConfigurationError("search type %r: to_document is not callable" % artifact_type)

    def register():
        config.registry.forge_search_types[artifact_type] = to_document

    intr = config.introspectable("forge search types", artifact_type, artifact_type,
                                 "forge search type")
    intr["to_document"] = to_document
    config.action(("forge.search_type", artifact_type), register, introspectables=(intr,))


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
    documents = config.maybe_dotted(documents)
    if not callable(documents):
        raise ConfigurationError("search source %r: documents is not callable" % tool_type)

    def register():
        config.registry.forge_search_sources[tool_type] = documents

    intr = config.introspectable("forge search sources", tool_type, tool_type,
                                 "forge search source")
    intr["documents"] = documents
    config.action(("forge.search_source", tool_type), register, introspectables=(intr,))


def includeme(config):
    if not hasattr(config.registry, "forge_search_types"):
        config.registry.forge_search_types = {}
    if not hasattr(config.registry, "forge_search_sources"):
        config.registry.forge_search_sources = {}
    config.add_directive("add_search_type", add_search_type, action_wrap=False)
    config.add_directive("add_search_source", add_search_source, action_wrap=False)
