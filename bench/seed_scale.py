"""Seed one database of the scale benchmark (``bench/scale.py``, issue 18 item 3).

    python bench/seed_scale.py MONGO_PORT TICKETS [PROJECTS]

In project ``d1`` (users ``benchadmin``, its admin, and ``benchmember``, a
Member: the signed-in reader, as in ``seed.py``): a tracker ``tickets`` with
a custom field, ticket #1 with three changes and 20 comments and tickets 2-10
made by the tracker's own actions; then ``TICKETS - 10`` copies of ticket 10's
stored document (own number, status, labels, milestone) and one activity
entry per copy, written with ``insert_many`` in batches (an action per ticket
over the embedded server would take an hour at 100,000); ``PROJECTS`` (1,000)
top-level projects, copies of one made by ``create_project``; and the search
index of all of it.  The counters that the pages keep (the tracker's last
number) are set to match what was copied.
"""
import copy
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import forge  # noqa: E402
from forge_settings import settings  # noqa: E402

BATCH = 2000
# the search index is built once this many tickets exist (reindexing takes ~20 ms a
# document on this machine: 100,000 would take over half an hour); the rest are
# copied after it, so at 100,000 tickets the index holds the first SEARCH_MAX
SEARCH_MAX = int(os.environ.get("SEARCH_MAX", 10000))
LIST_QUERY = "status:open label:ui"


def log(message, started=[time.monotonic()]):  # noqa: B006 (the run's start)
    print("[seed %6.1fs] %s" % (time.monotonic() - started[0], message), flush=True)


def seed_people_and_tracker(registry):
    """The action-made part: users, d1, its tracker and tickets 1-10."""
    from pyramid.scripting import prepare
    from pyramid.traversal import find_resource

    from forge.actions.fields import add_custom_field
    from forge.actions.projects import create_project, install_tool
    from forge.actions.roles import add_member, role_named
    from forge.actions.users import create_user
    from forge.discussion.actions import add_post
    from forge.model import Neighborhood
    from seed import MEMBER, NOTE_TEXT, PASSWORD, USERNAME
    from seed_tools import COMMENT, COMMENTS, TICKET_TITLE
    from tools.tracker.actions import create_ticket, update_ticket

    admin = create_user(registry, USERNAME, "benchadmin@example.test", PASSWORD,
                        display_name="Bench Admin")
    member = create_user(registry, MEMBER, "benchmember@example.test", PASSWORD,
                         display_name="Bench Member")
    projects = Neighborhood.query.get(name="p")
    d1 = create_project(registry, projects, "d1", "Depth 1", admin,
                        description="The scale benchmark's project.")
    add_member(registry, d1, role_named(d1, "Member"), member, admin)
    tracker = install_tool(registry, d1, "tracker", "tickets", admin)
    add_custom_field(registry, tracker, "severity", "Severity", "select", admin,
                     options=("low", "medium", "high"))
    first = None
    for n in range(1, 11):
        ticket = create_ticket(registry, d1, tracker, {
            "title": TICKET_TITLE if n == 1 else "Seeded ticket %d" % n,
            "description": NOTE_TEXT[:600], "labels": ["ui", "perf"][: 1 + n % 2],
            "milestone": "", "custom": {"severity": "high"}}, admin)
        first = first or ticket
    for status in ("accepted", "in-progress", "open"):
        first, _changed = update_ticket(registry, first, first.version,
                                        {"status": status}, admin, comment="triaged")
    env = prepare(registry=registry)
    try:
        node = find_resource(env["root"], "/p/d1/tickets/1/")
        parent = None
        for i in range(COMMENTS):
            post = add_post(registry, node, "%s (comment %d)" % (COMMENT, i + 1), admin,
                            parent_id=parent, may_skip_moderation=True, trusted=True)
            parent = post._id if i % 4 == 0 else None
    finally:
        env["closer"]()
    other = create_project(registry, projects, "s0000", "Scale project 0", admin)
    return admin, d1, tracker, other


def copy_tickets(tracker, total, rng, on_count=None):
    """Tickets 11..total as copies of ticket 10, and one activity entry each;
    ``on_count(number)`` after each batch."""
    from forge.activity.model import ActivityEntry
    from forge.model.session import collection, new_id
    from seed_tools import LABELS, MILESTONES, STATUSES
    from tools.tracker.model import Ticket, TicketCounter

    tickets, activity = collection(Ticket), collection(ActivityEntry)
    template = tickets.find_one({"tool_id": tracker._id, "number": 10})
    entry = activity.find_one({"node_id": template["_id"]}) or {}
    now = time.time() - total           # one entry a second, the newest now
    batch, entries = [], []
    for number in range(11, total + 1):
        doc = copy.deepcopy(template)
        status = rng.choice(STATUSES)
        doc.update(_id=new_id(), number=number, path=str(number), family=str(number),
                   title="Seeded ticket %d" % number, status=status,
                   closed=status in ("closed", "wont-fix"),
                   labels=rng.sample(LABELS, rng.randint(1, 3)),
                   milestone=rng.choice(MILESTONES),
                   priority=rng.choice(["low", "normal", "high"]))
        batch.append(doc)
        event_id = new_id()
        entries.append(dict(entry, _id=event_id, event_id=event_id, node_id=doc["_id"],
                            artifact_id=doc["_id"], path=doc["path"], title=doc["title"],
                            project_id=tracker.project_id, tool_id=tracker._id,
                            node_type=entry.get("node_type", "Ticket"),
                            topic=entry.get("topic", "tracker.ticket.created"),
                            verb="created", summary="", timestamp=now + number))
        if len(batch) == BATCH:
            tickets.insert_many(batch)
            activity.insert_many(entries)
            batch, entries = [], []
            if on_count is not None:
                on_count(number)
            if number % 10000 == 0:
                log("%d tickets" % number)
    if batch:
        tickets.insert_many(batch)
        activity.insert_many(entries)
    collection(TicketCounter).update_one({"_id": tracker._id}, {"$set": {"last": total}})


def copy_projects(other, count):
    """Top-level projects 1..count-1 as copies of ``other`` (project s0000)."""
    from forge.model import Project
    from forge.model.session import collection, new_id
    projects = collection(Project)
    template = projects.find_one({"_id": other._id})
    batch = []
    for i in range(1, count):
        name = "s%04d" % i
        doc = copy.deepcopy(template)
        doc.update(_id=new_id(), shortname=name, family=name, name="Scale project %d" % i)
        if "title" in doc:
            doc["title"] = "Scale project %d" % i
        batch.append(doc)
    if batch:
        projects.insert_many(batch)


def main(argv):
    port, total = int(argv[1]), int(argv[2])
    project_count = int(argv[3]) if len(argv) > 3 else 1000
    app = forge.main({}, **settings(port))
    registry = app.registry
    _admin, _d1, tracker, other = seed_people_and_tracker(registry)
    log("actions done")
    from forge.search.indexer import reindex
    indexed = []

    def index_once(number):
        if not indexed and number >= min(total, SEARCH_MAX):
            indexed.append(reindex(registry, None))
            log("search index: %s documents" % indexed[0])

    copy_projects(other, project_count)
    log("%d projects" % project_count)
    copy_tickets(tracker, total, random.Random(4), index_once)
    index_once(total)
    log("%d tickets" % total)


if __name__ == "__main__":
    main(sys.argv)
