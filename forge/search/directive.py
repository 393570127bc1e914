"""``config.add_search_type``: a tool's indexing contract (see ``forge.search.documents``).

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


def includeme(config):
    if not hasattr(config.registry, "forge_search_types"):
        config.registry.forge_search_types = {}
    config.add_directive("add_search_type", add_search_type, action_wrap=False)
