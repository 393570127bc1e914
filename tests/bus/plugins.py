"""Auditors a test forge loads through ``forge.tools = tests.bus.plugins``.

They record what they saw on the registry (``registry.bus_test_seen``), so a
test reads exactly the changes its own forge audited.  Each one is switched
on by what the change proposes (a word in a title, a label, a principal) or
by ``registry.bus_test_veto``, so the other tests of the suite are untouched.
"""
import copy

from forge.bus.auditing import Rejected
from forge.bus.topics import matches
from forge.model.acl import AUTHENTICATED, EVERYONE


def record(change):
    """Last auditor of every change: what it finally proposes."""
    change.registry.bus_test_seen.append({
        "topic": change.topic,
        "node_type": change.node_type,
        "node_id": getattr(change.node, "_id", None),
        "old": copy.deepcopy(change.old),
        "new": copy.deepcopy(change.new),
        "actor": getattr(change.actor, "username", None),
        "source": change.source,
        "detail": dict(change.detail),
    })


def veto(change):
    """Refuse every change while a test sets ``registry.bus_test_veto`` to True,
    or the changes whose topic matches it when it is a pattern."""
    veto = getattr(change.registry, "bus_test_veto", False)
    if veto is True or (veto and matches(veto, change.topic)):
        raise Rejected("Vetoed: %s" % change.topic, status=409)


def tidy_title(change):
    title = change.new.get("title")
    if title and "darn" in title:
        change.new["title"] = title.replace("darn", "d**n")


def no_swearing(change):
    for name in ("title", "text"):
        if "heck" in str(change.new.get(name, "")).lower():
            raise Rejected("no swearing", status=422)


def pinned_notes_stay(change):
    if "pinned" in (change.node.labels or ()):
        raise Rejected("Pinned notes stay.", status=409)


def reserved_project_titles(change):
    if change.new.get("title") == "Reserved":
        raise Rejected("That title is reserved.", status=403)


def everyone_only_reads(change):
    if any(e["principal"] == EVERYONE and e["access"] == "allow" and e["permission"] != "read"
           for e in change.new["acl"]):
        raise Rejected("Everyone may only read.", status=403)


def signed_in_users_never_delete(change):
    """A modifying ACL auditor: "allow signed-in users delete" becomes "update"."""
    change.new["acl"] = [
        dict(e, permission="update") if (e["principal"] == AUTHENTICATED
                                         and e["access"] == "allow"
                                         and e["permission"] == "delete") else e
        for e in change.new["acl"]]


def order_marker(label):
    def mark(change):
        change.registry.bus_test_order.append(label)
        if "marks" in change.new:       # only the changes a test made up for this
            change.new["marks"].append(label)
    mark.__qualname__ = "mark_%s" % label
    return mark


def includeme(config):
    config.registry.bus_test_seen = []
    config.registry.bus_test_order = []
    config.registry.bus_test_veto = False
    config.add_auditor("#", record, priority=1000)
    config.add_auditor("#", veto, priority=0)
    config.add_auditor("notes.note.*", tidy_title, priority=100)
    config.add_auditor("notes.note.*", no_swearing, priority=50)
    config.add_auditor("notes.note.deleted", pinned_notes_stay)
    config.add_auditor("project.#", reserved_project_titles)
    config.add_auditor("*.acl.changed", everyone_only_reads)
    config.add_auditor("#.acl.changed", signed_in_users_never_delete)
    # registered out of order on purpose: the run order is priority, then name
    config.add_auditor("scm.#", order_marker("late"), name="test.late", priority=500)
    config.add_auditor("scm.commit", order_marker("b"), name="test.b")
    config.add_auditor("*.commit", order_marker("c"), name="test.c")
    config.add_auditor("scm.*", order_marker("a"), name="test.a")
    config.add_auditor("#", order_marker("first"), name="test.first", priority=5)
    config.add_auditor("wiki.#", order_marker("never"), name="test.never", priority=1)
