"""Short links in Markdown: ``[#12]``, ``[mount:thing]``, ``[project:mount:thing]``
and, for tools that ask, ``[[Page Name]]``.

A page builds one ``LinkContext`` for the node it shows and hands it to
``forge.rendering.render_markdown(text, links=...)`` / ``render_versioned``::

    links = link_context(request, node)
    html = render_versioned(doc._id, doc.version, doc.text, links=links)

* ``[#12]`` links to ``12`` in the first tool of the project (by mount) whose type
  was registered with ``config.add_tool(..., hash_links=True)`` (the tracker);
* ``[mount:thing]`` to ``thing`` in the tool mounted at ``mount`` in the same
  project; ``[project:mount:thing]`` to another project of the same
  neighborhood (``project`` may name a subproject: ``demo/docs``);
* ``[[Name]]`` only when the tool passes ``wiki_links=callable(name) -> (href,
  exists)`` (or None to leave it as text); a missing page gets ``class="missing"``,
  and ``(None, False)`` shows a missing page's name without a link (for a reader
  who may not create it).

Where ``thing`` goes is the tool type's ``link_resolver(request, tool_node,
thing) -> href or None`` (default: ``thing`` as path segments under the tool).
Anything that does not resolve stays literal text.

A target the reader may not read behaves exactly like a missing one (it
stays literal text), so a link never reveals that a private project or tool
exists: ``[mount:thing]`` and ``[#12]`` consider only the project's tools the
reader may read, and links into *another* project are made only when
anonymous visitors may read that tool.  Whether an artifact exists is never
asked (``thing`` becomes a URL; following it answers 404 to those who may not
read it).  Rendered HTML is cached: the context's ``key`` (project, tree
generation, URL base, the mounts of the tools this reader may read, the
wiki's own key) is part of the render cache key, so readers who see the same
tools share a render and no reader gets another's.

Bare ``#12`` and ``@name`` (``forge.autolinks``) are the exception: they are
resolved after the cache, for this reader, so ``hash_reference`` may ask
whether the artifact exists and whether this reader may read it.
"""
from pyramid.authorization import Everyone
from pyramid.encode import url_quote, urlencode
from pyramid.interfaces import VH_ROOT_KEY, IResourceURL
from pyramid.traversal import quote_path_segment
from pyramid.url import ANCHOR_SAFE, QUERY_SAFE
from zope.interface import providedBy

from .interfaces import INode, ITool
from .model import User
from .model.cache import cached_find, tree_generation
from .resources.base import stored_id
from .security import can, kept_for_reading, lineage_key

MAX_LOOKUPS = 200


class LinkContext:
    """Resolves the short links of one render, memoised."""

    def __init__(self, request, project, wiki_links=None, key=None):
        self.request = request
        self.project = project
        self.wiki_links = wiki_links
        self.key = key
        self._memo = {}
        self._tools = None

    @property
    def cacheable(self):
        return self.key is not None

    # -- what the Markdown rule asks ----------------------------------------

    def hash_link(self, number):
        """The href of ``[#number]``, or None."""
        return self._memoised(("#", number), lambda: self._hash_link(number))

    def short_link(self, first, rest):
        """The href of ``[first:rest]``: ``[project:mount:thing]`` when ``rest``
        has a colon and that resolves, else ``[mount:thing]``."""
        def resolve():
            mount, sep, thing = rest.partition(":")
            if sep and thing:
                href = self._other_project_link(first, mount, thing)
                if href:
                    return href
            return self._tool_link(self._local_tools().get(first), rest)
        return self._memoised((first, rest), resolve)

    def hash_reference(self, number):
        """(href, title) of a bare ``#number`` (``forge.autolinks``), or None:
        unlike ``[#12]``, only when the artifact exists, is not deleted and
        this reader may read it, because the answer is made per reader after
        the render cache (never cached for another reader)."""
        return self._memoised(("ref", number), lambda: self._hash_reference(number))

    def mention(self, username):
        """(href of the profile, display name) of ``@username``, or None when
        no enabled account has that name."""
        return self._memoised(("@", username), lambda: self._mention(username))

    def wiki_link(self, name):
        """(href, exists) of ``[[name]]``, or None."""
        if self.wiki_links is None:
            return None
        return self._memoised(("[[", name), lambda: self.wiki_links(name))

    # -- resolution ---------------------------------------------------------

    def _memoised(self, key, resolve):
        if key not in self._memo:
            if len(self._memo) >= MAX_LOOKUPS:
                return None
            try:
                self._memo[key] = resolve()
            except (KeyError, ValueError, TypeError):
                self._memo[key] = None
        return self._memo[key]

    def _local_tools(self):
        if self._tools is None:
            self._tools = readable_tools(self.request, self.project)
        return self._tools

    def _hash_link(self, number):
        tool = self._hash_tool()
        return self._tool_link(tool, str(int(number))) if tool is not None else None

    def _hash_tool(self):
        tools = self._local_tools()
        return next((tools[m] for m in sorted(tools)
                     if getattr(tools[m].tool_type, "hash_links", False)), None)

    def _hash_reference(self, number):
        tool = self._hash_tool()
        if tool is None:
            return None
        artifact = tool[str(int(number))]          # KeyError: no such artifact
        if getattr(artifact.doc, "deleted", False) or not can(
                artifact, self.request.principals, "read"):
            return None
        return self.request.forge_url(artifact), artifact.title or ""

    def _mention(self, username):
        users = cached_find(self.request, User, {"username": username})
        if not users or users[0].disabled:
            return None
        user = users[0]
        return (self.request.forge_url(self.request.root, "u", username),
                user.display_name or username)

    def _other_project_link(self, project_name, mount, thing):
        if self.project is None:
            return None
        node = self.project.neighborhood
        for segment in project_name.split("/"):
            if not segment or segment.startswith("@@"):
                return None
            node = node[segment]
        if node.doc._id == self.project.doc._id:
            return self._tool_link(self._local_tools().get(mount), thing)
        tool = node[mount]
        if not ITool.providedBy(tool) or not can(tool, [Everyone], "read"):
            return None
        return self._tool_link(tool, thing)

    def _tool_link(self, tool, thing):
        if tool is None or not ITool.providedBy(tool):
            return None
        resolver = getattr(tool.tool_type, "link_resolver", None)
        if resolver is not None:
            return resolver(self.request, tool, thing)
        return default_resolver(self.request, tool, thing)


def default_resolver(request, tool, thing):
    """``thing`` as path segments under the tool (``Guide/Install`` ->
    ``.../wiki/Guide/Install/``); None for a path no artifact could have."""
    segments = thing.strip().split("/")
    if any(s in ("", ".", "..") or s.startswith("@@") for s in segments):
        return None
    return request.forge_url(tool, *segments, "")


def readable_tools(request, project):
    """{mount: tool} of the project's tools the request's reader may read."""
    tools = project.tools() if project is not None else []
    principals = request.principals
    return {tool.__name__: tool for tool in tools if can(tool, principals, "read")}


def link_context(request, node, wiki_links=None, key=None):
    """The ``LinkContext`` for Markdown shown on ``node``'s page.

    ``wiki_links`` resolves ``[[Name]]``; its answers may change without the
    rendered text changing, so pass ``key`` (or give the callable a ``key``
    attribute) that changes when they do.
    """
    project = node.project if INode.providedBy(node) else None
    generation = tree_generation(request)
    wiki_key = key if key is not None else getattr(wiki_links, "key", None)
    context = LinkContext(request, project, wiki_links=wiki_links)
    if generation is not None and (wiki_links is None or wiki_key is not None):
        context.key = ("links", stored_id(project) if project is not None else None,
                       generation, request.forge_url(request.root),
                       readable_mounts(request, project), wiki_key)
    return context


def readable_mounts(request, project):
    """The sorted mounts of ``readable_tools``, kept while the generations and
    the reader's principals are the same (``forge.security.kept_for_reading``):
    the render key names them, a render that is kept needs no tool."""
    if project is None:
        return ()
    def load():
        return tuple(sorted(readable_tools(request, project)))
    key = lineage_key(project)
    if key is None:
        return load()
    return kept_for_reading(request, ("readable-mounts", key, tuple(request.principals)), load)


# -- node URLs ---------------------------------------------------------------
# A page builds 10-30 links; ``request.resource_url`` recomputes webob's
# ``application_url`` (host, port and script name parsed and quoted) and asks the
# registry for an ``IResourceURL`` adapter each time, and ``forge.embedding.
# mounted_url`` computes ``application_url`` again to strip it off.  That was
# about a tenth of a rendered signed-in page.

def application_url(request):
    """``request.application_url``, computed once per request for the environ
    values it is made of (a request whose environ changes gets a new one)."""
    environ = request.environ
    key = (environ.get("wsgi.url_scheme"), environ.get("HTTP_HOST"),
           environ.get("SERVER_NAME"), environ.get("SERVER_PORT"),
           environ.get("SCRIPT_NAME"), request.url_encoding)
    memo = request.__dict__.get("_forge_application_url")
    if memo is None or memo[0] != key:
        memo = request.__dict__["_forge_application_url"] = (key, request.application_url)
    return memo[1]


def node_url(request, node, elements=(), query=None, anchor=None):
    """``request.resource_url(node, *elements, query=..., anchor=...)`` for a
    forge served at the root of its application (no ``mount_forge`` or
    ``mount_tool``, no virtual root header): the same string, built from the
    node's names; None where ``forge.embedding.mounted_url`` or a URL adapter
    may decide (the caller then asks Pyramid)."""
    registry = request.registry
    environ = request.environ
    if VH_ROOT_KEY in environ or registry.settings.get("forge.mount_route") \
            or getattr(registry, "forge_tool_mounts", None) \
            or getattr(node, "__resource_url__", None) is not None \
            or registry.adapters.lookup((providedBy(node), providedBy(request)),
                                        IResourceURL) is not None:
        return None
    names = []
    while node is not None:
        names.append(node.__name__ or "")
        node = getattr(node, "__parent__", None)
    if len(names) == 1 and not names[0]:
        path = "/"
    else:
        names.reverse()
        path = "/".join([quote_path_segment(name) for name in names]) + "/"
    url = application_url(request) + path
    if elements:
        url += "/".join([quote_path_segment(element) for element in elements])
    if query:
        url += "?" + (url_quote(query, QUERY_SAFE) if isinstance(query, str)
                      else urlencode(query, doseq=True))
    if anchor:
        url += "#" + url_quote(anchor, ANCHOR_SAFE)
    return url
