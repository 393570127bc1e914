"""Commits that name tickets: the tracker's reactor on ``scm.commit``.

A commit message saying ``fixes #12``, ``closes #12`` or ``refs #12`` (also
``fixes tickets:#12`` / ``[tickets:#12]`` for the tracker mounted at
``tickets``, and ``demo:tickets:#12`` for another project's; several refs may
follow one keyword: ``fixes #1, #2 and #3``) gets one comment on each ticket,
linking the commit; ``fixes`` and ``closes`` on the repository's default
branch also close the ticket (the first of the tracker's closed states named
"fixed" or "closed", else its first closed state).

Who acts: the forge user whose verified address is the commit's author
e-mail; else nobody (the comment is the system's and names the author, an
"unlinked author").  Only tickets that user may ``update`` are touched; for an
unlinked author, tickets the pusher may ``update`` (a push cannot make a
stranger comment where the pusher could not).

Delivery is at least once, so each (ticket, commit) is done once:
``CommitReference`` (``_id`` = ``{ticket id}:{sha}``) records the comment's id
and whether the close was done; a worker killed between the comment's flush and
that record finds the comment again on redelivery by the commit's link in the
ticket's thread, and posts no second one.
"""
import logging
import re
import subprocess
import time
from urllib.parse import urlsplit

from ming.odm import FieldProperty, MappedClass
from pyramid.authorization import Authenticated, Everyone

from forge.api import (ActionError, ITool, NodeResolver, Post, User, add_post, can, collection,
                       mail_request, principals_allowed, repository_settings, session,
                       thread_for, user_principals)

from .resources import ITicket

log = logging.getLogger(__name__)

REACTOR_NAME = "tracker.commit_refs"
CLOSING = {"fix": "fixed", "fixes": "fixed", "fixed": "fixed",
           "close": "closed", "closes": "closed", "closed": "closed"}
REFERRING = ("ref", "refs", "references")
# ``#12``, ``tickets:#12``, ``demo:tickets:#12``, ``team/sub:tickets:#12``, each
# optionally in brackets (the forge's short-link form)
PROJECT_OR_MOUNT = r"[A-Za-z0-9][\w./-]{0,99}"
MOUNT = r"[A-Za-z0-9][\w-]{0,99}"
TICKET = r"\[?(?:(?P<first>%s):(?:(?P<second>%s):)?)?#(?P<number>\d{1,9})(?!\d)\]?" % (
    PROJECT_OR_MOUNT, MOUNT)
ANY_TICKET = r"\[?(?:%s:(?:%s:)?)?#\d{1,9}(?!\d)\]?" % (PROJECT_OR_MOUNT, MOUNT)
KEYWORD = re.compile(
    r"(?<![\w-])(?P<keyword>%s)\s*:?\s+(?P<refs>%s(?:\s*(?:,|\band\b|&)\s*%s)*)" % (
        "|".join(sorted(list(CLOSING) + list(REFERRING), key=len, reverse=True)),
        ANY_TICKET, ANY_TICKET),
    re.IGNORECASE)
ONE_TICKET = re.compile(TICKET)
MAX_REFS = 20           # per commit: a message listing hundreds is not a fix note
MAX_QUOTED = 2000       # characters of the commit message quoted in the comment
REFUSED = "refused"     # CommitReference.post_id of a comment the discussion refused


class CommitReference(MappedClass):
    """One commit's reference to one ticket, done (at most) once."""

    class __mongometa__:
        session = session
        name = "tracker_commit_ref"

    _id = FieldProperty(str)            # "{ticket id}:{commit sha}"
    ticket_id = FieldProperty(str)
    sha = FieldProperty(str)
    post_id = FieldProperty(str, if_missing="")
    close_done = FieldProperty(bool, if_missing=False)
    created = FieldProperty(float, if_missing=time.time)


class TicketRef:
    """``project`` (None: the commit's), ``mount`` (None: the first tracker by
    mount), ``number``, and ``status_word`` ("fixed"/"closed", or None: refs)."""

    def __init__(self, project, mount, number, status_word):
        self.project, self.mount, self.number = project, mount, number
        self.status_word = status_word

    @property
    def target(self):
        return (self.project, self.mount, self.number)

    def __repr__(self):
        return "<TicketRef %s:%s:#%s %s>" % (self.project, self.mount, self.number,
                                             self.status_word or "refs")


def parse_refs(message):
    """The tickets a commit message names, in order, one per target (a close
    wins over a mere reference to the same ticket)."""
    found = {}
    for match in KEYWORD.finditer(message or ""):
        status_word = CLOSING.get(match.group("keyword").lower())
        for one in ONE_TICKET.finditer(match.group("refs")):
            first, second = one.group("first"), one.group("second")
            project, mount = (first, second) if second else (None, first)
            ref = TicketRef(project, mount, int(one.group("number")), status_word)
            known = found.get(ref.target)
            if known is None:
                if len(found) >= MAX_REFS:
                    return list(found.values())
                found[ref.target] = ref
            elif status_word and not known.status_word:
                known.status_word = status_word
    return list(found.values())


def on_commit(event, context):
    """The reactor (``fn(event, context)``) on ``scm.commit``."""
    detail = event.get("detail") or {}
    refs = parse_refs(detail.get("message", ""))
    if not refs or not detail.get("sha"):
        return
    registry = context.registry
    with mail_request(registry) as request:    # on forge.base_url, with the root
        code_tool = NodeResolver(request).tool(event.get("tool_id"))
        if code_tool is None:
            return              # the repository was removed since the push
        author = linked_user(detail.get("email"))
        pusher = User.query.get(_id=event["actor_id"]) if event.get("actor_id") else None
        judge = author if author is not None else pusher
        if judge is None or judge.disabled:
            return
        principals = user_principals(judge)
        on_default = on_default_branch(registry, event, detail)
        for ref in refs:
            ticket = find_ticket(code_tool, ref)
            if ticket is None or not can(ticket, principals, "update"):
                continue        # missing, or not this person's to change: say nothing
            apply_ref(registry, request, code_tool, ticket, ref, detail, author,
                      close=on_default and ref.status_word is not None,
                      may_moderate=can(ticket, principals, "moderate"))


def linked_user(email):
    """The enabled user whose verified address is ``email`` (``User.email``
    holds only verified addresses), or None."""
    email = (email or "").strip()
    if not email or "@" not in email:
        return None
    for candidate in dict.fromkeys((email, email.lower())):
        user = User.query.get(email=candidate)
        if user is not None:
            return None if user.disabled else user
    return None


def find_ticket(code_tool, ref):
    """The ticket resource ``ref`` names from the repository's project, or None."""
    project = code_tool.__parent__
    if ref.project is not None:
        project = other_project(project, ref.project)
    if project is None:
        return None
    tracker = None
    trackers = {tool.__name__: tool for tool in project.tools()
                if getattr(tool.doc, "tool", None) == "tracker"}
    if ref.mount is None:
        tracker = trackers[sorted(trackers)[0]] if trackers else None
    else:
        tracker = trackers.get(ref.mount)
    if tracker is None or not ITool.providedBy(tracker):
        return None
    try:
        ticket = tracker[str(ref.number)]
    except KeyError:
        return None
    if not ITicket.providedBy(ticket) or getattr(ticket.doc, "deleted", False):
        return None
    return ticket


def other_project(project, name):
    """``name`` (``demo`` or ``team/sub``) in the repository's neighborhood."""
    if name == project.doc.shortname:
        return project
    node = project.neighborhood
    try:
        for segment in name.split("/"):
            if not segment or segment.startswith("@@"):
                return None
            node = node[segment]
    except KeyError:
        return None
    return node if getattr(node, "kind", "") == "project" else None


def on_default_branch(registry, event, detail):
    """Whether the commit arrived on the repository's default branch."""
    ref = detail.get("ref") or ""
    default = detail.get("default_branch")
    if default is None:
        default = repository_default_branch(registry, event.get("tool_id"))
    return bool(default) and ref == "refs/heads/" + default


def repository_default_branch(registry, tool_id):
    """HEAD of the bare repository, as the code tool reads it (``HEAD``'s
    branch when it exists, else the first branch).  Only for events that do
    not carry ``default_branch`` themselves."""
    root = getattr(registry, "code_repos_root", None) or \
        repository_settings(registry.settings)[0]
    if not root or not re.match(r"^[A-Za-z0-9_-]{1,64}$", str(tool_id or "")):
        return None
    path = "%s/%s.git" % (root.rstrip("/"), tool_id)
    try:
        head = subprocess.run(["git", "--git-dir", path, "symbolic-ref", "--quiet", "HEAD"],
                              capture_output=True, text=True, timeout=30).stdout.strip()
        heads = subprocess.run(["git", "--git-dir", path, "for-each-ref",
                                "--format=%(refname)", "refs/heads"],
                               capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    branches = [name[len("refs/heads/"):] for name in heads]
    name = head[len("refs/heads/"):] if head.startswith("refs/heads/") else ""
    return name if name in branches else (branches[0] if branches else None)


def apply_ref(registry, request, code_tool, ticket, ref, detail, author, close, may_moderate):
    """The comment (once), then the close (once)."""
    sha = detail["sha"]
    doc = ticket.doc
    mark_id = "%s:%s" % (doc._id, sha)
    mark = CommitReference.query.get(_id=mark_id)
    if mark is None:
        mark = CommitReference(_id=mark_id, ticket_id=doc._id, sha=sha)
    commit_url = root_relative(request.forge_url(code_tool, "commit", sha))
    if not mark.post_id:
        post_id = posted_before(doc, commit_url)
        if post_id is None:
            try:
                post = add_post(registry, ticket, comment_text(code_tool, ticket, detail, ref,
                                                               author, commit_url),
                                author, source="scm", may_skip_moderation=True,
                                trusted=may_moderate)
                post_id = post._id
            except ActionError as refused:
                # a locked discussion, an auditor's refusal: a retry would be refused
                # again, so it is recorded as done; the close does not depend on it
                log.info("commit %s: no comment on ticket %s: %s", sha[:10], doc._id, refused)
                post_id = REFUSED
        mark.post_id = post_id
        session.flush(mark)
    if close and not mark.close_done:
        close_ticket(registry, ticket, ref, detail, author)
        mark.close_done = True
        session.flush(mark)


def posted_before(ticket_doc, commit_url):
    """The id of a comment in the ticket's thread that links this commit
    already (a worker died after posting it, before recording it), or None."""
    thread = thread_for(ticket_doc)
    if thread is None:
        return None
    needle = "](%s)" % commit_url
    for raw in collection(Post).find({"thread_id": thread._id}, {"text": 1}):
        if needle in (raw.get("text") or ""):
            return raw["_id"]
    return None


def close_ticket(registry, ticket, ref, detail, author):
    # imported when used: the tracker's actions are being ported onto the core's
    # artifact types in parallel; only set_status and tracker_settings are called
    from .actions import set_status, tracker_settings
    doc = ticket.doc
    options = tracker_settings(ticket.tool_node.doc)
    if options.is_closed(doc.status) or not options.closed_states:
        return
    preferred = [ref.status_word, "closed", "fixed"]
    status = next((s for s in preferred if s in options.closed_states),
                  options.closed_states[0])
    # a save racing ours makes this stale (StaleSave): the bus retries the event
    set_status(registry, doc, doc.version, status, author,
               comment="%s by commit %s" % (status.capitalize(), detail["sha"][:10]),
               source="scm")


def comment_text(code_tool, ticket, detail, ref, author, commit_url):
    """The comment's Markdown: what the commit did, its link, and (when
    everyone who reads the ticket may read the repository) its branch, author
    and message; a private repository's text never reaches a wider audience."""
    verb = "Fixed" if ref.status_word == "fixed" else \
        "Closed" if ref.status_word == "closed" else "Referenced"
    link = "[`%s`](%s)" % (detail["sha"][:10], commit_url)
    if not readers_may_read(ticket, code_tool):
        return ("%s in commit %s (not everyone who may read this ticket may read the "
                "repository, so the commit is not quoted here)." % (verb, link))
    branch = (detail.get("ref") or "").rpartition("/")[2].replace("`", "")
    who = "" if author is not None else " by %s (not a forge user)" % markdown_escape(
        detail.get("author") or "someone")
    lines = ["%s in commit %s%s%s:" % (verb, link, " on `%s`" % branch if branch else "", who),
             ""]
    message = (detail.get("message") or "").strip()[:MAX_QUOTED]
    lines.extend("> " + markdown_escape(line) if line.strip() else ">"
                 for line in message.splitlines())
    return "\n".join(lines)


def readers_may_read(ticket, repository):
    """Whether every principal the ticket's lineage lets read may read the
    repository (``Everyone`` covers all, ``Authenticated`` all but ``Everyone``)."""
    repository_readers = set(principals_allowed(repository, "read"))
    if Everyone in repository_readers:
        return True
    ticket_readers = set(principals_allowed(ticket, "read"))
    if Authenticated in repository_readers:
        return Everyone not in ticket_readers
    return ticket_readers <= repository_readers


MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")


def markdown_escape(text):
    """Stored as written, shown as written: git's text is not Markdown."""
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def root_relative(url):
    """``/p/demo/code/commit/SHA`` (with the forge's mount prefix): the comment
    is read on this forge, whatever host name it is reached by."""
    parts = urlsplit(url)
    return parts.path


def includeme(config):
    # idempotent: each (ticket, commit) is done once by CommitReference, so the
    # worker keeps no processed markers of its own for this reactor
    config.add_reactor("scm.commit", on_commit, name=REACTOR_NAME, idempotent=True)
