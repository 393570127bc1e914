"""Search nodes: one index per machine, each fed by its own queue from the bus.

Without ``forge.search.node`` every worker of the forge consumes the one
``forge.search`` reactor queue and writes the one index that every web process
reads (``forge.search.path``): one directory, so one machine or a shared disk.

With ``forge.search.node = web1`` (env ``FORGE_SEARCH_NODE``) the search reactor
is named ``forge.search.web1``: its queue (``<namespace>.reactor.forge.search.web1``)
is bound to every event like the shared one, so each node gets a copy of every
change, and its index is ``<forge.data_dir>/search-index-web1`` (or
``forge.search.path``).  The web processes and the worker of a machine name the
same node; adding a machine adds a replica: start its worker (which declares its
queue), then ``forge admin reindex`` with its settings for what came before.
"""
import os
import re

from pyramid.exceptions import ConfigurationError

from ..settings import env_name

NODE_SETTING = "forge.search.node"
SHARED_REACTOR = "forge.search"
_NODE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$")


def search_node(settings, environ=None):
    """The node name (None: the shared index), checked: it names a queue and a directory."""
    environ = os.environ if environ is None else environ
    value = environ.get(env_name(NODE_SETTING), settings.get(NODE_SETTING)) or None
    if value is not None and not _NODE.match(value):
        raise ConfigurationError("%s must be 1-40 letters, digits, '_' or '-' "
                                 "(it names a queue and a directory), not %r"
                                 % (NODE_SETTING, value))
    return value


def reactor_name(settings):
    node = search_node(settings)
    return SHARED_REACTOR if node is None else "%s.%s" % (SHARED_REACTOR, node)


def index_directory(settings):
    """``forge.search.path``, else the data dir's ``search-index`` (``search-index-NODE``
    for a node), else "" (in memory)."""
    if settings.get("forge.search.path"):
        return settings["forge.search.path"]
    if not settings.get("forge.data_dir"):
        return ""
    node = search_node(settings)
    name = "search-index" if node is None else "search-index-%s" % node
    return os.path.join(settings["forge.data_dir"], name)
