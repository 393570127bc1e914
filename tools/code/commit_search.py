"""Commit messages in the forge's search (``forge.search``), trimmed by the
repository's ``read``.

Commits are not artifacts, so the core's indexer does not build them: the
``code.commit_search`` reactor (on ``scm.commit``) writes one document per
commit, ``id`` = ``commit:{tool id}:{sha}``, with the fields every search
document has (``type`` ``code.commit`` / ``commit``, the project and tool
terms that scope a project's or a tool's ``@@search``, title = the subject,
text = the whole message, ``author`` = the linked user's name when the
author's e-mail is a user's verified address, else the committer's, ``created`` = the author date,
``url`` = the commit page) and ``fields`` ``sha``, ``branch`` and
``author_name`` (``sha:1a2b3c4`` or ``sha:1a2b3c4d5e6f``, the 7- and 12-character
short ids; ``branch:main``).  The read terms come from
the repository's lineage as it is when the event is handled, like an
artifact's (``forge.search.acl``), so a private repository's commits are
found by its readers only.

Re-running on one event writes the same document again (``idempotent``).
Whenever the core re-indexes the tool (a change of the repository's, its
project's or a parent's read rights or settings; ``forge admin reindex``) it
drops every document of the tool and asks ``commit_documents``, the tool's
search source (``config.add_search_source``), for all of them again: every
commit reachable from a branch or tag, read from the repository, with the read
terms of now.  A commit's ``branch`` is then the first branch reaching it (the
default branch first), where the push's event named the branch it came on.
"""
import os

from forge.api import NodeResolver, User, acl_terms, lineage_clauses, lineage_list, mail_request

from .repository import NotInRepository, Repository, repository_path

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
    return CommitDocuments(request, tool).document(detail)


class CommitDocuments:
    """Documents of one repository's commits: what every commit of the tool
    shares (lineage, read terms, place) is worked out once."""

    def __init__(self, request, tool):
        self.request, self.tool = request, tool
        projects = [node for node in lineage_list(tool) if getattr(node, "kind", "") == "project"]
        self.shared = {
            "type": [TYPE, TYPE.rsplit(".", 1)[-1]],
            "project_id": tool.doc.project_id or "",
            "projects": [p.doc._id for p in projects],
            "project": [p.doc.shortname.lower() for p in projects[-1:]],
            "tool_id": tool.doc._id,
            "tool": sorted({tool.doc.tool.lower(), tool.doc.mount.lower()}),
            "where": "%s › %s" % (projects[-1].title if projects else "", tool.title),
        }
        self.shared.update({k: v for k, v in acl_terms(lineage_clauses(lineage_list(tool)))
                            .items() if v})
        # paths below the forge root, as an artifact's (forge.search.documents)
        self.base = request.resource_path(tool, "commit", "")
        self.root = request.resource_path(request.root)
        self.authors = {}

    def document(self, detail):
        message = (detail.get("message") or "")[:MAX_TEXT]
        addresses = (detail.get("email"), detail.get("committer_email"))
        if addresses not in self.authors:
            self.authors[addresses] = linked_username(*addresses)
        author = self.authors[addresses]
        branch = (detail.get("ref") or "")
        branch = branch[len("refs/heads/"):] if branch.startswith("refs/heads/") else branch
        url = self.base + detail["sha"]
        document = dict(self.shared, **{
            "id": document_id(self.tool.doc._id, detail["sha"]),
            "title": detail.get("subject") or message.split("\n", 1)[0],
            "text": message,
            "author": [author] if author else [],
            "created": float(detail.get("time") or 0),
            "modified": float(detail.get("time") or 0),
            "url": url[len(self.root):] if url.startswith(self.root) else url.lstrip("/"),
            # short ids: the index drops tokens of 40 bytes or more (a full id)
            "fields": {"sha": "%s %s" % (detail["sha"][:7], detail["sha"][:12]),
                       "branch": branch, "author_name": detail.get("author") or ""},
        })
        return {k: v for k, v in document.items() if v not in ([], None, "")}


def commit_documents(request, tool):
    """The search source of a code tool (``config.add_search_source``): a
    document for every commit reachable from its branches and tags, each with
    the first ref reaching it (the default branch first, then the other
    branches, then tags, by name)."""
    path = repository_path(request.registry, tool.doc._id)
    if not os.path.isdir(path):
        return
    repo = Repository(path)
    default = repo.default_branch()
    refs = sorted(((kind != "heads", name != default, kind, name), sha)
                  for kind, name, sha, *_ in repo.refs())
    builder, seen = CommitDocuments(request, tool), []
    for (_tag, _other, kind, name), sha in refs:
        if sha in seen:
            continue
        try:
            commits = repo.new_commits([sha], seen)
        except NotInRepository:
            continue            # a tag of a tree or blob: no commits
        for commit in commits:
            yield builder.document(dict(commit, ref="refs/%s/%s" % (kind, name)))
        seen.append(sha)


def linked_username(email, committer_email=None):
    """The user name whose verified address is the commit's author e-mail, else
    its committer's (who applied someone's patch)."""
    for address in (email, committer_email):
        address = (address or "").strip()
        if "@" not in address:
            continue
        for candidate in dict.fromkeys((address, address.lower())):
            user = User.query.get(email=candidate)
            if user is not None:
                return user.username.lower()
    return ""


def includeme(config):
    config.add_reactor("scm.commit", index_commit, name=REACTOR_NAME, idempotent=True)
    # re-indexing the tool (read rights changed, forge admin reindex) rebuilds them
    config.add_search_source("code", commit_documents)
