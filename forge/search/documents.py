"""From a resource to an index document: the indexing contract.

A tool describes its artifact types with ``config.add_search_type(type,
to_document)``; ``to_document(doc, node) -> dict`` returns any of ``title``,
``text``, ``labels`` and ``fields`` (a dict of typed tool fields: status,
milestone, ...).  Without one, ``default_document`` is used for any
``Artifact``: title, ``text`` if the document has one, labels, custom fields
and extension fields.  The core adds what every document has: ids, project
and its ancestors, tool, author, dates, URL, custom fields (``fields``, as
strings: ``severity:high`` and ``_severity:high`` both find them) and the
read terms of ``forge.search.acl`` computed from the node's whole lineage.

**Comments** (the core's posts) are part of their artifact's document: the
visible posts' texts (status "ok", not deleted) are appended to ``text``, so
a pending or spam post is never indexed and a thread's words find the
artifact they discuss.  Each post is made plain text on its own (so one
post's Markdown cannot run into the next) and they are joined in thread
order; that lets the reactor append a new last post to the text already
indexed (``forge.search.appending``) instead of re-reading the thread.
"""
import datetime
import functools

from ..rendering import markdown_to_text
from ..model import Artifact
from ..model.session import collection, session
from ..resources import lineage_list
from .acl import acl_terms, lineage_clauses

MAX_TEXT = 200_000          # characters of text kept per document


CACHED_TEXT = 20_000        # Markdown up to this length is converted once per process


@functools.lru_cache(maxsize=1024)
def _plain_text(markdown):
    return markdown_to_text(markdown)


def plain_text(markdown):
    """``markdown_to_text``, remembered for short texts: a thread's own text
    and its latest posts are converted for every reply indexed."""
    markdown = markdown or ""
    return _plain_text(markdown) if len(markdown) <= CACHED_TEXT else \
        markdown_to_text(markdown)


def default_document(doc, node):
    text = getattr(doc, "text", "")
    return {"title": getattr(doc, "title", "") or "",
            "text": text if isinstance(text, str) else "",
            "labels": list(getattr(doc, "labels", None) or ())}


def _epoch(value):
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=datetime.timezone.utc)
        return value.timestamp()
    if isinstance(value, (int, float)):
        return float(value)
    return 0.0


def _strings(value):
    """Custom and tool field values as index strings (JSON leaves)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        out = {str(k): _strings(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in (None, "", [])}
    if isinstance(value, (list, tuple)):
        return " ".join(s for s in (_strings(v) for v in value) if isinstance(s, str))
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    return str(value)


def visible_posts_text(artifact_id):
    """The plain texts of an artifact's visible comments in thread order
    (depth first, by slug), each post converted on its own."""
    db = session.db
    thread = db["thread"].find_one({"ref_id": artifact_id}, {"_id": 1})
    if thread is None:
        return ""
    posts = db["post"].find({"thread_id": thread["_id"]},
                            {"text": 1, "status": 1, "deleted": 1}).sort("slug", 1)
    return join_comments(plain_text(p.get("text") or "") for p in posts
                         if p.get("status", "ok") == "ok" and not p.get("deleted"))


def join_comments(texts):
    """Plain post texts as one string (markdown_to_text collapses whitespace,
    so one space is what a single conversion of the whole thread gave)."""
    return " ".join(t for t in texts if t)


def with_comments(own_text, comments):
    """An artifact's indexed text: its own text, then its comments."""
    if comments:
        return own_text + "\n\n" + comments if own_text else comments
    return own_text


def stored_comments(stored_text, own_text):
    """The comments part of an indexed ``text`` whose own part is
    ``own_text``; None when it cannot be told (own text changed since,
    or the text was cut at ``MAX_TEXT``)."""
    if stored_text is None or len(stored_text) >= MAX_TEXT:
        return None
    if not own_text:
        return stored_text
    if stored_text == own_text:
        return ""
    if stored_text.startswith(own_text + "\n\n"):
        return stored_text[len(own_text) + 2:]
    return None


def project_nodes(node):
    from ..interfaces import IProject
    return [n for n in lineage_list(node) if IProject.providedBy(n)]


def build_document(registry, request, node, comments=None):
    """The index document of an artifact node (a dict for ``Batch.add``), or
    None when the tool's ``to_document`` returned None.  ``comments(doc,
    own_text)`` may give the comments' plain text without reading the thread
    (None: it cannot; they are read)."""
    doc = node.doc
    adapter = registry.forge_search_types.get(doc.type, default_document)
    # just before the tool's document, which may look the same person up
    # (a ticket's reporter): the name is then kept (``_username``)
    author = _username(doc.author_id)
    data = adapter(doc, node)
    if data is None:
        return None             # the tool says: not searchable now
    projects = project_nodes(node)
    tool = node.tool_node
    # indexed (and shown in snippets) as the reader sees it: no Markdown syntax
    own_text = plain_text(data.get("text") or "")
    known = comments(doc, own_text) if comments is not None else None
    text = with_comments(own_text, visible_posts_text(doc._id) if known is None else known)
    fields = {}
    for source in (doc.custom or {}, doc.ext or {}, data.get("fields") or {}):
        value = _strings(dict(source))
        if value:
            fields.update(value)
    url = request.resource_path(node)
    root = request.resource_path(request.root)
    labels = [str(label).lower() for label in (data.get("labels") or ())]
    result = {
        "id": doc._id,
        "type": [doc.type.lower(), doc.type.rsplit(".", 1)[-1].lower()],
        "project_id": doc.project_id or "",
        "projects": [p.doc._id for p in projects],
        "project": [p.doc.shortname.lower() for p in projects[-1:]],
        "tool_id": doc.tool_id or "",
        "tool": sorted({tool.doc.tool.lower(), tool.doc.mount.lower()}),
        "title": data.get("title") or "",
        "text": text[:MAX_TEXT],
        "labels": labels,
        "author": [author] if author else [],
        "created": _epoch(getattr(doc, "created", None)),
        "modified": _epoch(getattr(doc, "modified", None)),
        "url": url[len(root):] if url.startswith(root) else url.lstrip("/"),
        "where": "%s › %s" % (projects[-1].title if projects else "", tool.title),
    }
    if fields:
        result["fields"] = fields
    result.update({k: v for k, v in acl_terms(lineage_clauses(lineage_list(node))).items()
                   if v})
    return {k: v for k, v in result.items() if v not in ([], None)}


def _username(user_id):
    """The author's username, looked up as tools look people up
    (``forge.user_lookup``, kept under the generations of the current request:
    the indexer's, ``forge.search.indexer.current``), so a tool's document
    naming the same person (a ticket's reporter) costs no second read."""
    if not user_id:
        return ""
    from ..user_lookup import user_names
    names = user_names(user_id)
    return names[0].lower() if names else ""


def artifact_records(query):
    """Stored artifacts (``_id, project_id, tool_id, path, type``) matching ``query``."""
    for raw in collection(Artifact).find(
            query, {"_id": 1, "project_id": 1, "tool_id": 1, "path": 1, "type": 1,
                    "deleted": 1}):
        if not raw.get("deleted"):
            yield raw
