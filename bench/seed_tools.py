"""Seed the tool pages of the page benchmark (issue 4's rows).

Called by ``seed.py`` after the notes rows, in the same project ``d1``:

* ``wiki-anon``: a wiki page of ~2 KB of Markdown (the notes rows' text, the
  same kinds of markup as the Trac wiki page the peers script serves);
* ``ticket20-anon``: ticket #1 of a tracker with a custom field, three field
  changes and 20 comments (replies included), like a busy Roundup issue;
* ``list10k-anon``: the ticket list of a tracker holding 10,000 tickets,
  filtered (``status:open label:ui``) and on its third page;
* ``thread50-anon``: a forum thread of 50 posts;
* ``home-anon``: the project's home; ``search-anon``: the site search page.

Every row has its ``-signed`` twin for a signed-in project member (a Member
of ``d1``, ``benchmember``): the render path, not the page cache (issue 18).

Tickets 1-10 and the comments are made by the tools' own actions.  The other
9,990 tickets are copies of ticket 10's stored document with their own
number, status, labels and milestone, written with ``insert_many`` and the
counter set to match: the list reads tickets, never their snapshots, and
10,000 actions over the embedded server would take minutes of set-up.
"""
import copy
import random

from pyramid.scripting import prepare
from pyramid.traversal import find_resource

from forge.actions.fields import add_custom_field
from forge.actions.projects import install_tool
from forge.model.session import collection, new_id

WIKI_TITLE = "Benchmark wiki page"
TICKET_TITLE = "Benchmark ticket with twenty comments"
LIST_TITLE = "Tickets"
TICKETS = 10_000
COMMENTS = 20
THREAD_TITLE = "Benchmark thread with fifty posts"
POSTS = 50
LABELS = ["ui", "backend", "docs", "perf", "security", "build"]
STATUSES = ["open", "accepted", "in-progress", "closed", "wont-fix"]
MILESTONES = ["1.0", "1.1", "2.0"]
COMMENT = ("I can reproduce this on the **current** release. Steps: open the page, "
           "wait for the list to load, then sort by `modified`. See [#2] for a related "
           "report; the fix may touch the same code.")


def seed_tools(registry, user, project, wiki_text):
    """Create the tool rows' data; return their benchmark targets."""
    from tools.tracker.actions import create_ticket, update_ticket
    from tools.tracker.model import Ticket, TicketCounter
    from tools.wiki.actions import create_page
    from forge.discussion.actions import add_post

    wiki = install_tool(registry, project, "wiki", "wiki", user)
    create_page(registry, project, wiki, "Bench", WIKI_TITLE, wiki_text, user)

    tracker = install_tool(registry, project, "tracker", "tickets", user)
    add_custom_field(registry, tracker, "severity", "Severity", "select", user,
                     options=("low", "medium", "high"))
    rng = random.Random(4)
    first = None
    for n in range(1, 11):
        ticket = create_ticket(registry, project, tracker, {
            "title": TICKET_TITLE if n == 1 else "Seeded ticket %d" % n,
            "description": wiki_text[:600], "labels": ["ui", "perf"][: 1 + n % 2],
            "milestone": "", "custom": {"severity": "high"}}, user)
        first = first or ticket
    for status in ("accepted", "in-progress", "open"):
        first, _changed = update_ticket(registry, first, first.version,
                                        {"status": status}, user, comment="triaged")

    env = prepare(registry=registry)
    try:
        node = find_resource(env["root"], "/p/%s/tickets/1/" % project.shortname)
        parent = None
        for i in range(COMMENTS):
            post = add_post(registry, node, "%s (comment %d)" % (COMMENT, i + 1), user,
                            parent_id=parent, may_skip_moderation=True, trusted=True)
            parent = post._id if i % 4 == 0 else None      # some replies
    finally:
        env["closer"]()

    tickets = collection(Ticket)
    template = tickets.find_one({"tool_id": tracker._id, "number": 10})
    batch = []
    for number in range(11, TICKETS + 1):
        doc = copy.deepcopy(template)
        status = rng.choice(STATUSES)
        doc.update(_id=new_id(), number=number, path=str(number), family=str(number),
                   title="Seeded ticket %d" % number, status=status,
                   closed=status in ("closed", "wont-fix"),
                   labels=rng.sample(LABELS, rng.randint(1, 3)),
                   milestone=rng.choice(MILESTONES), priority=rng.choice(
                       ["low", "normal", "high"]))
        batch.append(doc)
        if len(batch) == 1000:
            tickets.insert_many(batch)
            batch = []
    if batch:
        tickets.insert_many(batch)
    collection(TicketCounter).update_one({"_id": tracker._id}, {"$set": {"last": TICKETS}})

    thread_path = seed_thread(registry, user, project, wiki_text)

    base = "/p/%s/" % project.shortname
    pages = [
        ("wiki", base + "wiki/Bench/", WIKI_TITLE),
        ("ticket20", base + "tickets/1/", TICKET_TITLE),
        ("list10k", base + "tickets/?q=status:open%20label:ui&page=3", "Seeded ticket"),
        ("thread50", base + thread_path, THREAD_TITLE),
        ("home", base, project.title),
        ("search", "/@@search?q=benchmark", WIKI_TITLE),
    ]
    # each page for an anonymous reader (page cache) and for a signed-in
    # project member (the render path: issue 18's rows)
    return [(label + suffix, path, title, signed)
            for label, path, title in pages for suffix, signed in (("-anon", 0), ("-signed", 1))]


def seed_thread(registry, user, project, text):
    """A forum thread with ``POSTS`` posts (the opening one included), as a
    busy discussion; returns its path under the project."""
    from tools.discussion.actions import create_forum, create_thread
    forums = install_tool(registry, project, "discussion", "forums", user)
    create_forum(registry, project, forums, "general", "General", "Anything goes.", user)
    from forge.discussion.actions import add_post
    env = prepare(registry=registry)
    try:
        forum = find_resource(env["root"], "/p/%s/forums/general/" % project.shortname)
        thread, _post = create_thread(registry, forum, THREAD_TITLE, text[:600], user,
                                      may_skip_moderation=True, trusted=True)
        for i in range(POSTS - 1):
            add_post(registry, thread, "%s (reply %d)" % (COMMENT, i + 1), user,
                     may_skip_moderation=True, trusted=True)
        return "forums/general/%s/" % thread.__name__
    finally:
        env["closer"]()
