"""Commit messages in the forge's search (``forge.search``), trimmed by the
repository's ``read``.

Commits are not artifacts, so the core's indexer does not build them: the
``code.commit_search`` reactor (on ``scm.commit``) writes one document per
commit, ``id`` = ``commit:{tool id}:{sha}``, with the fields every search
document has (``type`` ``code.commit`` / ``commit``, the project and tool
terms that scope a project's or a tool's ``@@search``, title = the subject,
text = the whole message, ``author`` = the linked user's name when the
author's e-mail is a user's verified address, ``created`` = the author date,
``url`` = the commit page) and ``fields`` ``sha``, ``branch`` and
``author_name`` (``sha:1a2b3c4`` or ``sha:1a2b3c4d5e6f``, the 7- and 12-character
short ids; ``branch:main``).  The read terms come from
the repository's lineage as it is when the event is handled, like an
artifact's (``forge.search.acl``), so a private repository's commits are
found by its readers only.

Re-running on one event writes the same document again (``idempotent``).
Changes of the repository's or project's read rights go through the core's
``forge.search`` reactor, which drops every document of the tool (so nothing
leaks) but re-indexes artifacts only: the commits come back only with their
next push (not built: a core hook that lets a tool add its own documents when
a tool is re-indexed, and ``forge admin reindex`` of commits).
"""
from forge.api import NodeResolver, User, acl_terms, lineage_clauses, lineage_list, mail_request

REACTOR_NAME = "code.commit_search"
TYPE = "code.commit"
MAX_TEXT = 100_000


def document_id(tool_id, sha):
    return "commit:%s:%s" % (tool_id, sha)


def index_commit(event, context):
    """The reactor (``fn(event, context)``) on ``scm.commit``."""
    detail = event.get("detail") or {}
    if not detail.get("sha") or not event.get("tool_id"):
        return
    registry = context.registry
    if not hasattr(registry, "forge_search_index"):
        return                  # a forge configured without search
    with mail_request(registry) as request:     # on forge.base_url, with the root
        tool = NodeResolver(request).tool(event["tool_id"])
        index = registry.forge_search_index()
        with index.writing() as batch:
            if tool is None:        # removed since the push
                batch.delete(document_id(event["tool_id"], detail["sha"]))
                return
            batch.add(commit_document(request, tool, detail))


def commit_document(request, tool, detail):
    """The search document of one commit of the repository ``tool``."""
    projects = [node for node in lineage_list(tool) if getattr(node, "kind", "") == "project"]
    url = request.forge_url(tool, "commit", detail["sha"])
    root = request.forge_url(request.root)
    message = (detail.get("message") or "")[:MAX_TEXT]
    author = linked_username(detail.get("email"))
    branch = (detail.get("ref") or "")
    branch = branch[len("refs/heads/"):] if branch.startswith("refs/heads/") else branch
    document = {
        "id": document_id(tool.doc._id, detail["sha"]),
        "type": [TYPE, TYPE.rsplit(".", 1)[-1]],
        "project_id": tool.doc.project_id or "",
        "projects": [p.doc._id for p in projects],
        "project": [p.doc.shortname.lower() for p in projects[-1:]],
        "tool_id": tool.doc._id,
        "tool": sorted({tool.doc.tool.lower(), tool.doc.mount.lower()}),
        "title": detail.get("subject") or message.split("\n", 1)[0],
        "text": message,
        "author": [author] if author else [],
        "created": float(detail.get("time") or 0),
        "modified": float(detail.get("time") or 0),
        "url": url[len(root):] if url.startswith(root) else url,
        "where": "%s › %s" % (projects[-1].title if projects else "", tool.title),
        # short ids: the index drops tokens of 40 bytes or more (a full id)
        "fields": {"sha": "%s %s" % (detail["sha"][:7], detail["sha"][:12]), "branch": branch,
                   "author_name": detail.get("author") or ""},
    }
    document.update({k: v for k, v in acl_terms(lineage_clauses(lineage_list(tool))).items()
                     if v})
    return {k: v for k, v in document.items() if v not in ([], None, "")}


def linked_username(email):
    """The user name whose verified address is the commit's author e-mail."""
    email = (email or "").strip()
    if "@" not in email:
        return ""
    for candidate in dict.fromkeys((email, email.lower())):
        user = User.query.get(email=candidate)
        if user is not None:
            return user.username.lower()
    return ""


def includeme(config):
    config.add_reactor("scm.commit", index_commit, name=REACTOR_NAME, idempotent=True)
