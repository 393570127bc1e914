"""One unit of work: every change to forge data runs the same steps, here.

An action validates what it was given, then describes the change and applies
it inside ``change(...)``::

    from forge.api import ProjectUpdated, change

    def rename(registry, project, title, actor, edited_version=None):
        with change(registry, ProjectUpdated, node=project, actor=actor,
                    old={"title": project.title}, new={"title": title},
                    validate=check, version=edited_version) as ch:
            project.title = ch.new["title"]         # what the auditors left
            ch.log("project.update", "changed the title")
            ch.event_detail["changes"] = ["title"]

The steps, in this order and nowhere else:

1. ``validate(new)`` (the caller's input check; it may return a cleaned dict);
2. with ``version=``: the form's version must be the node's (else ``StaleSettings``,
   409, before anything else runs);
3. the auditors of the topic (``forge.bus.auditing``): they may alter
   ``ch.new`` (then ``validate`` runs again on what they left) or raise
   ``Rejected``; a rejection writes nothing;
4. the ``with`` body applies ``ch.new`` to the documents (and may create the
   node: set ``ch.node``);
5. with ``version=``: the node's version goes up by one, claimed atomically so
   that of two saves from one stale form exactly one wins;
6. the audit-log entries the body asked for (``ch.log``);
7. the flush;
8. once it succeeded, the event (``EventClass(ch.node, actor=, source=,
   **ch.event_detail)``) and any ``ch.also_emit(event)``, in that order: their
   outbox records, numbered after the highest number written, in one
   ``insert_many`` (``forge.model.outbox.emit``); then they reach subscribers
   and the relay.

A unit of work nested in another (a mail's comment inside its
``mail.received``, a thread's opening post inside the thread) flushes its
documents and tells its subscribers when it ends, as above, but its outbox
records wait for the outermost unit: all of them, the nested ones first, go
in that unit's one ``insert_many`` (one command for the whole change, in the
order the units ended).  When the outermost unit fails after nested ones
flushed, their documents are saved, so their records are written then and
the exception goes on.

An exception anywhere (a refusal, a stale form, a failed flush, a bug in the
body) leaves nothing behind: the documents this unit created or changed are
dropped from the session unflushed and no event escapes.

Why a context manager and not a function taking an ``apply`` callback: the
body usually needs the action's local variables and computes values (what
really changed, the summary line) that the log and the event then carry; a
``with`` block keeps that in one straight-line function instead of a closure
that hands results back through the unit.
"""
import copy
import logging
import threading
from contextlib import contextmanager

from ming.odm import state
from ming.odm.odmsession import ObjectState
from pymongo.errors import DuplicateKeyError

from .actions import ActionError, Conflict
from .bus.auditing import Change, run_auditors
from .events import ArtifactEvent
from .model import Artifact, Project, ToolInstance, User, emit, session
from .model.change_log import log_change
from .model.outbox import write_for_relay
from .model.session import collection

__all__ = ["change", "form_version", "StaleSettings", "UnitOfWork"]

log = logging.getLogger(__name__)


class StaleSettings(Conflict):
    """A settings form saved after someone else saved the same settings (409)."""

    def __init__(self, edited_version):
        super().__init__("Someone else saved these settings after you opened this form; "
                         "your change was not saved. Reload the page to see theirs, then "
                         "make your change again.")
        self.edited_version = edited_version


class UnitOfWork:
    """What the ``with`` body sees: the audited change and what to write after it.

    ``new``, ``old``, ``actor``, ``source``, ``topic`` and ``detail`` are those
    the auditors saw (``new`` as they left it); ``node`` may be set by a body
    that creates it; ``event_detail`` is the main event's detail."""

    def __init__(self, audited):
        self.audited = audited
        self.on_duplicate = None
        self.event_actor = audited.actor      # the event's actor, when it differs
        self.event_detail = {}
        self.logs = []
        self.extra_events = []
        self.empty = False

    def __getattr__(self, name):
        if name in ("topic", "node_type", "old", "new", "actor", "source", "registry",
                    "detail"):
            return getattr(self.audited, name)
        raise AttributeError(name)

    @property
    def node(self):
        return self.audited.node

    @node.setter
    def node(self, doc):
        self.audited.node = doc

    def log(self, action, summary, node=None, kind=None, project_id=None, **detail):
        """Write an audit-log entry (who did what, for admins) with this change,
        on ``node`` (default: the changed node); ``kind`` and ``project_id`` are
        found from the node when not given."""
        self.logs.append((node, kind, action, summary, project_id, detail))

    def also_emit(self, event):
        """Emit ``event`` too, after the main one, in the same flush."""
        self.extra_events.append(event)

    def nothing_changed(self):
        """The change turned out empty (what the auditors left equals what is
        stored): leave the ``with`` block writing nothing and emitting nothing."""
        self.empty = True


def node_kind(doc):
    """The audit-log kind of a document: project, tool, user, artifact or site."""
    if isinstance(doc, Project):
        return "project"
    if isinstance(doc, ToolInstance):
        return "tool"
    if isinstance(doc, User):
        return "user"
    if isinstance(doc, Artifact):
        return "artifact"
    return "site"


def _project_id(doc):
    return doc._id if isinstance(doc, Project) else getattr(doc, "project_id", None)


def _topic(event_class, node, node_type, detail):
    if event_class is None:
        return None
    if issubclass(event_class, ArtifactEvent):
        type_name = node.type if node is not None else node_type.__mongometa__.polymorphic_identity
        return "%s.%s" % (type_name, event_class.verb)
    if hasattr(event_class, "topic_for"):
        return event_class.topic_for(detail["kind"])
    return event_class.topic


@contextmanager
def change(registry, event_class, *, node=None, actor, old=None, new, source="web",
           topic=None, node_type=None, validate=None, version=None, version_field="version",
           on_duplicate=None, audited=None, auditors=True, **detail):
    """Run one change to forge data (see the module docstring for the steps).

    ``event_class``  the event it emits (its topic is the auditors' topic), or
                     None for a change that emits none (``topic=`` then names
                     the auditors' topic, if any run)
    ``node``         the document changed; None when the body creates it
    ``node_type``    the class of a node the body creates (auditors see its name;
                     an artifact event takes its type from it)
    ``old``, ``new`` the values before and proposed (auditors may alter ``new``)
    ``validate``     ``fn(new)`` raising ``ActionError``, returning None or a
                     cleaned dict; runs before the auditors and on what they
                     changed
    ``version``      the version the form edited (optimistic concurrency for
                     settings: ``StaleSettings`` when the node moved on; the node's
                     ``version`` goes up by one with the save; a document stored
                     without one counts as version 0); ``version_field`` names
                     the counter when a document keeps several (``roles_version``)
    ``on_duplicate`` the message of the ``ActionError`` raised when a unique
                     index refuses the flush (the answer to a race); the body
                     may refine it (``ch.on_duplicate``)
    ``audited``      a ``Change`` whose auditors already ran (a user's personal
                     project is audited before the user is saved): not run again
    ``auditors``     False for the system undoing a refused change (nothing may
                     refuse the undo): no auditors run
    ``detail``       facts for the auditors (``change.detail``)
    """
    if topic is None:
        topic = _topic(event_class, node, node_type, detail)
    if node_type is None and node is not None:
        node_type = type(node)
    new = dict(new)
    if validate is not None:
        new = validate(new) or new
    if version is not None and node is not None and current_version(node, version_field) != version:
        raise StaleSettings(version)
    proposed = copy.deepcopy(new)
    if audited is None:
        audited = run_auditors(registry, topic, node_type=getattr(node_type, "__name__", node_type),
                               node=node, old=old, new=new, actor=actor, source=source,
                               detail=detail) if topic and auditors else _unaudited(
            node, old, new, actor, source, registry, detail)
    if validate is not None and audited.new != proposed:
        audited.new = validate(audited.new) or audited.new
    unit = UnitOfWork(audited)
    unit.on_duplicate = on_duplicate
    pending = _pending_ids()
    events = []
    outermost = _start_gathering()
    try:
        try:
            yield unit
            if not unit.empty:
                if version is not None:
                    _claim_version(unit.node, version_field, version)
                for doc, kind, action, summary, project_id, log_detail in unit.logs:
                    doc = doc if doc is not None else unit.node
                    log_change(doc, kind or node_kind(doc), actor, action, summary,
                               project_id=project_id if project_id is not None
                               else _project_id(doc), **log_detail)
                if event_class is not None:
                    events.append(event_class(unit.node, actor=unit.event_actor,
                                              source=source, **unit.event_detail))
                events.extend(unit.extra_events)
                session.flush()
        except DuplicateKeyError:
            _drop_unflushed(pending)
            if unit.on_duplicate is None:
                raise
            raise ActionError(unit.on_duplicate)
        except BaseException:
            _drop_unflushed(pending)
            raise
    except BaseException:
        if outermost:
            # the units nested in this one flushed their documents: those
            # are saved, so their events go out although this one failed
            # (the failure the caller sees stays this unit's own)
            gathered = _stop_gathering()
            try:
                _write_gathered(registry, gathered)
            except Exception:
                log.exception("unit of work: the events of %d nested changes were not "
                              "written after the change around them failed", len(gathered))
        raise
    if not outermost:
        # nested: its documents are flushed, its subscribers told now (as
        # before), its records written with the outermost unit's
        _gathered.events.extend(events)
        for event in events:
            registry.notify(event)
        return
    gathered = _stop_gathering()
    if not gathered:
        # after the documents, so a flush that failed leaves no event; all the
        # unit's events in one command (their numbered records)
        emit(registry, events)
        return
    _write_gathered(registry, gathered + events, notify=events)


# The events of the units of work nested in this thread's outermost one, in
# the order they were flushed: their records are written with the outermost
# unit's, in one insert (a mail's comment and its ``mail.received``).
_gathered = threading.local()


def _start_gathering():
    """True when this is the thread's outermost unit of work (it then gathers)."""
    if getattr(_gathered, "events", None) is not None:
        return False
    _gathered.events = []
    return True


def _stop_gathering():
    events, _gathered.events = _gathered.events, None
    return events


def _write_gathered(registry, events, notify=()):
    """The outbox records of ``events`` in one insert, numbered in this order
    (as ``emit`` does), then ``notify`` (the outermost unit's own events: the
    nested ones were told at their flush) to subscribers, then the relay."""
    if not events:
        return
    write_for_relay(registry, events)
    for event in notify:
        registry.notify(event)
    wake = getattr(registry, "forge_bus_wake", None)
    if wake is not None:
        wake()


def _unaudited(node, old, new, actor, source, registry, detail):
    return Change(None, type(node).__name__ if node is not None else None, node, dict(old or {}), new, actor, source,
                  registry, detail)


def current_version(doc, field="version"):
    """The settings version of ``doc``; a document stored before versions were kept is 0."""
    return getattr(doc, field, None) or 0


def _claim_version(doc, field, edited):
    """Move ``doc`` from version ``edited`` to ``edited + 1`` in one conditional
    write: of two saves from one stale form, the second finds no match."""
    at_edited = {field: edited} if edited else {"$or": [
        {field: {"$in": [0, None]}}, {field: {"$exists": False}}]}
    claimed = collection(type(doc)).update_one(dict(at_edited, _id=doc._id),
                                               {"$set": {field: edited + 1}})
    if claimed.matched_count != 1:
        raise StaleSettings(edited)
    setattr(doc, field, edited + 1)


def _pending_ids():
    """The documents already waiting in the session before this unit began."""
    return {id(obj) for obj in session.uow if _unflushed(obj)}


def _unflushed(obj):
    return state(obj).status != ObjectState.clean


def _drop_unflushed(before):
    """Forget what this unit created or changed and did not flush, so no later
    flush in the request writes half a change (or an outbox record for it)."""
    dropped = [obj for obj in list(session.uow) if id(obj) not in before and _unflushed(obj)]
    for obj in dropped:
        session.expunge(obj)


def form_version(params, name="version"):
    """The settings version a form carried (``params``: ``request.POST``), or
    None when it carried none (a script or an old page: saved without the check)."""
    raw = params.get(name)
    if raw is None or not str(raw).strip():
        return None
    raw = str(raw).strip()
    if not raw.isdigit() or len(raw) > 12:
        raise ActionError("The form's version must be a whole number; reload the page.")
    return int(raw)
