"""Who and what an address names, answered at ``RCPT TO`` and again at ``DATA``.

``check_recipient`` answers ``RCPT TO`` (is this an address we take mail
for, now?).  The same lookups run again when the message is applied, since
anything may change between the two (an account closed, a page made
private).  An address of a tool, or of one of its artifacts, that not
everyone may read exists only for a ``MAIL FROM`` whose account may read it:
the answer never tells strangers the names of private projects.

Where ``RCPT TO`` found an artifact (tool id and path) is kept for the
message (``seen``) and walked first at ``DATA``: the walk reads the tree
as it is then (a page moved, deleted or made private since is seen), and
it saves the read of the artifact by its id (``NodeResolver.artifact``'s
``seen_at``).  ``RCPT TO`` itself walks first where it last found the same
artifact (``KnownPlaces``, a hint per forge), and reads the reply's user as a
read-only stored document (``DATA`` makes the Ming object the action needs).
In a tool whose every level is found by its own path (the discussion's
forum, then thread), both walks read the whole lineage in one query
(``prefetch_lineage``).
"""
import threading
from dataclasses import dataclass

from pyramid.authorization import Everyone

from ..fragments import generation_prefetch
from ..model import Artifact, ProjectRole, User, session
from ..model.cache import cached_find, cached_raw, cached_value, find_raw
from ..model.registry_objects import registry_object
from ..notifications.messages import mail_request
from ..notifications.readers import cached_user, stored_user
from ..one_path_family import OnePathFamily
from ..security import can, user_principals
from ..visibility import NodeResolver
from .addresses import ArtifactAddress, Reply, ToolAddress, parse_address
from .policy import REFUSED, mail_policy


@dataclass(frozen=True)
class Outcome:
    """An SMTP reply: ``code`` and text (with its enhanced status code)."""
    code: int
    text: str

    def smtp(self):
        return "%d %s" % (self.code, " ".join(self.text.split())[:400])

    @property
    def accepted(self):
        return self.code < 400


OK = Outcome(250, "2.1.5 OK")
NO_SUCH_ADDRESS = Outcome(550, "5.1.1 No such address here.")
# the same answer for a page that is gone and one the user may no longer read
NO_LONGER_VALID = Outcome(550, "5.1.1 This reply address is no longer valid: what it "
                               "answered is gone or closed to you.")
TAKES_NO_MAIL = Outcome(550, "5.7.1 This tool takes no mail.")


class Refused(Exception):
    def __init__(self, outcome):
        super().__init__(outcome.text)
        self.outcome = outcome


def refuse(code, text):
    raise Refused(Outcome(code, text))


def reply_target(request, reply, seen_at=(None, None), user_of=cached_user):
    """(user, principals, artifact node) of a reply address, or ``Refused``
    (the user and their principals through the tree cache: exact; ``user_of``
    ``stored_user`` for a read-only user, which ``RCPT TO`` needs)."""
    user = user_of(request, reply.user_id)
    if user is None or user.disabled:
        raise Refused(Outcome(550, "5.7.1 This reply address is no longer valid: its "
                                   "account is closed."))
    principals = principals_of(request, user)
    node = resolve_artifact(request, reply.artifact_id, seen_at)
    if node is None or not can(node, principals, "read"):
        raise Refused(NO_LONGER_VALID)
    if not can(node, principals, "post"):
        raise Refused(Outcome(550, "5.7.1 You may not comment there."))
    return user, principals, node


def principals_of(request, user):
    """``forge.notifications.readers.cached_principals`` (under its key), the
    roles read through the tree cache under the query of the spam check
    (``forge.spam.trusted_author``): a message reads its sender's roles once,
    not at ``RCPT TO`` for the principals and again at ``DATA`` for the check."""
    def load():
        return user_principals(user, cached_raw(request, ProjectRole,
                                                ProjectRole.held_by_query(user._id)))
    return cached_value(request, ("principals", user._id), load)


def resolve_artifact(request, artifact_id, seen_at=(None, None)):
    """``NodeResolver.artifact``, its walk of ``seen_at`` read in one query
    when the tool resolves each level by its own path (``prefetch_lineage``)."""
    prefetch_lineage(request, seen_at)
    node = NodeResolver(request).artifact(artifact_id, seen_at=seen_at)
    if node is not None:
        known_places(request.registry).note_tool(node)
    return node


def one_path_key(tool_id, path):
    """The key under which ``forge.resources.tool.stored_artifacts`` keeps the
    query of a ``OnePathFamily`` (the artifact at one path of a tool)."""
    return ("stored-artifacts", repr(sorted({"tool_id": tool_id, "path": path}.items())))


def prefetch_lineage(request, seen_at):
    """Before walking ``seen_at`` (tool id, path) in a tool whose levels each
    read their own path (a ``OnePathFamily``: a forum, then its thread), read
    every level at once, after the request's generations, and keep each as
    the walk will ask for it (``forge.fragments.generation_prefetch``): one
    query instead of one per level.  Only for reading requests (the walk
    keeps nothing for others), and only for tools seen to walk that way."""
    tool_id, path = seen_at
    if not tool_id or not path or "/" not in path or \
            getattr(request, "method", None) not in ("GET", "HEAD") or \
            not known_places(request.registry).one_path(tool_id):
        return
    segments = path.split("/")
    paths = {one_path_key(tool_id, "/".join(segments[:n])): "/".join(segments[:n])
             for n in range(1, len(segments) + 1)}

    def load(missing):
        found = {}
        for raw in find_raw(Artifact, {"tool_id": tool_id,
                                       "path": {"$in": [paths[key] for key in missing]}}):
            found.setdefault(raw["path"], []).append(raw)
        return {key: tuple(found.get(paths[key], ())) for key in missing}
    generation_prefetch(request, list(paths), load)


def tool_target(request, target):
    """The resource of a tool address whose tool type takes mail, or ``Refused``.

    Walked from the request's root (``p``, the project's path, the mount), as
    ``NodeResolver.tool`` walks to a tool it read by id: the neighborhood,
    the project's family and its tools come through the tree cache, so
    ``RCPT TO`` and ``DATA`` of the same address read them at most once
    between them (were three finds each, outside the cache, and three more
    by id).  Only a live project reached at its own path counts (a deleted,
    moved or shadowed one does not), and only a tool mounted there."""
    node = walk(request.root, ["p"] + target.shortname.split("/") + [target.mount])
    project = getattr(node, "__parent__", None)
    if getattr(node, "kind", None) != "tool" or getattr(project, "kind", None) != "project" \
            or stored_doc(project).shortname != target.shortname \
            or stored_doc(node).mount != target.mount \
            or stored_doc(node).tool not in request.registry.forge_mail_handlers:
        raise Refused(NO_SUCH_ADDRESS)
    return node


def walk(node, segments):
    """The node at ``segments`` below ``node`` (each one a child's name,
    never a traversal path: nothing is unquoted or resolved), or None."""
    for segment in segments:
        try:
            node = node[segment]
        except (KeyError, TypeError):
            return None
    return node


def stored_doc(node):
    """A node's document as stored (no Ming object built), or its Ming object
    when the request built one already."""
    return getattr(node, "_doc", None) or node.doc


def artifact_target(request, target, seen_at=(None, None)):
    """The artifact of an artifact address whose tool type takes comments by
    mail (and which is where the address says), or ``Refused``."""
    node = resolve_artifact(request, target.artifact_id, seen_at)
    tool = getattr(node, "tool_node", None)
    if tool is None or tool.doc.mount != target.mount or \
            tool.project.doc.shortname != target.shortname or \
            tool.doc.tool not in request.registry.forge_mail_comments:
        raise Refused(NO_SUCH_ADDRESS)
    return node


def check_open(request, node, tool_doc, envelope_from):
    """A tool's (or its artifact's) address: hidden from senders who may not
    read it, then the tool's mail policy."""
    if not can(node, [Everyone], "read"):
        users = cached_find(request, User, {"email": (envelope_from or "").lower()}) \
            if envelope_from else []
        user = users[0] if users else None
        if user is None or user.disabled or \
                not can(node, principals_of(request, user), "read"):
            raise Refused(NO_SUCH_ADDRESS)
    if mail_policy(tool_doc) == REFUSED:
        raise Refused(TAKES_NO_MAIL)


def check_recipient(registry, address, envelope_from="", seen=None):
    """The answer to ``RCPT TO:<address>`` (``Refused`` answers are returned).
    ``seen``: a dict of the message's addresses; an accepted artifact's
    (tool id, path) is put there for ``DATA``."""
    try:
        with message_unit(registry) as request:
            target = parse_address(registry.settings, address)
            node = None
            places = known_places(registry)
            if isinstance(target, Reply):
                node = reply_target(request, target, places.get(target.artifact_id),
                                    user_of=stored_user)[2]
            elif isinstance(target, ToolAddress):
                tool = tool_target(request, target)
                check_open(request, tool, tool.doc, envelope_from)
            elif isinstance(target, ArtifactAddress):
                node = artifact_target(request, target, places.get(target.artifact_id))
                check_open(request, node, node.tool_node.doc, envelope_from)
            else:
                return NO_SUCH_ADDRESS
            if node is not None:
                # the stored document: RCPT needs no Ming object of the artifact
                stored = stored_doc(node)
                place = (stored.tool_id, stored.path)
                places.put(stored._id, place)
                if seen is not None:
                    seen[address] = place
            return OK
    except Refused as refused:
        return refused.outcome


class KnownPlaces:
    """Where ``RCPT TO`` last found each artifact (id -> (tool id, path)), per
    forge: replies come to the same few artifacts, and walking a known place
    saves reading the artifact by its id (``NodeResolver.artifact``'s
    ``seen_at``).  Only a hint: the walk reads the tree as it is now, and a
    place that no longer holds that artifact (moved, renamed, deleted) is
    walked in vain and the artifact read by its id, as without a hint."""

    MAX_PLACES = 10000

    def __init__(self):
        self._places = {}
        self._lock = threading.Lock()
        self._one_path = {}         # tool id -> each level of its artifacts reads its path

    def note_tool(self, node):
        """Whether each level from ``node`` up to its tool was found by its own
        path (``OnePathFamily``), for ``prefetch_lineage``."""
        tool, one_path = getattr(node, "tool_node", None), True
        while node is not None and node is not tool:
            one_path = one_path and isinstance(getattr(node, "family", None), OnePathFamily)
            node = getattr(node, "__parent__", None)
        if tool is None or node is None:
            return
        tool_id = stored_doc(tool)._id
        with self._lock:
            if len(self._one_path) >= self.MAX_PLACES and tool_id not in self._one_path:
                self._one_path.clear()
            self._one_path[tool_id] = one_path

    def one_path(self, tool_id):
        with self._lock:
            return self._one_path.get(tool_id, False)

    def get(self, artifact_id):
        with self._lock:
            return self._places.get(artifact_id, (None, None))

    def put(self, artifact_id, place):
        with self._lock:
            if len(self._places) >= self.MAX_PLACES and artifact_id not in self._places:
                self._places.clear()
            self._places[artifact_id] = place


def known_places(registry):
    return registry_object(registry, "forge_mail_in_places", KnownPlaces)


class message_unit:
    """A request on ``forge.base_url`` for one message; the session is closed
    after it, so a thread of the server starts each message afresh."""

    def __init__(self, registry):
        self.registry = registry

    def __enter__(self):
        session.close()
        self.context = mail_request(self.registry)
        return self.context.__enter__()

    def __exit__(self, *exc):
        try:
            return self.context.__exit__(*exc)
        finally:
            session.close()
