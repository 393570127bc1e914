"""The tracker's part of ``forge import-trac``: options, then tickets change by change.

Registered in ``includeme`` with ``forge.api.add_trac_import``; the core hands
``convert`` the conversion (the scratch project, Trac's rows, its authors as
users) and this tool's instance. Trac's milestones, statuses and priorities
become the tracker's options; each ticket is created as first reported (its
changes undone) and then changed as Trac recorded, its comments posted as
comments, its components, types and keywords as labels.
"""
import re

from forge.api import add_post, session, set_tool_options

from .actions import create_ticket, update_ticket
from .model import Ticket


def convert(trac, tracker):
    """The tracker's options and every ticket; returns ``{"ticket": {Trac
    ticket id as text: ticket}}`` for Trac's ticket attachments."""
    _configure_tracker(trac, tracker)
    return {"ticket": {str(number): ticket
                       for number, ticket in _tickets(trac, tracker).items()}}


def _configure_tracker(trac, tracker):
    data, label = trac.data, trac.label
    statuses = {label(t["status"]) for t in data.tickets if t.get("status")}
    for rows in data.changes.values():
        statuses |= {label(r["newvalue"]) for r in rows if r["field"] == "status"
                     and r["newvalue"]}
    open_states = sorted(s for s in statuses if s and s != "closed") or ["new"]
    priorities = [label(t["priority"]) for t in data.tickets if t.get("priority")]
    priorities = list(dict.fromkeys(p for p in priorities if p)) or ["normal"]
    milestones = [{"name": m["name"][:80], "description": (m["description"] or "")[:2000],
                   "due": trac.time(m["due"]).strftime("%Y-%m-%d") if m["due"] else "",
                   "closed": bool(m["completed"])} for m in data.milestones]
    set_tool_options(trac.registry, tracker, {
        "open_states": open_states, "closed_states": ["closed"], "priorities": priorities,
        "default_priority": priorities[0], "milestones": milestones[:200]},
        trac.user("trac-admin"), "options", "imported from Trac")


def _tickets(trac, tracker):
    """Every ticket as first reported, then each change in turn, comments as posts."""
    tickets = {}
    for row in trac.data.tickets:
        changes = trac.data.changes.get(row["id"], [])
        initial = dict(row)
        for change in reversed(changes):        # undo the changes, newest first
            if change["field"] in initial:
                initial[change["field"]] = change["oldvalue"]
        ticket = create_ticket(trac.registry, trac.project, tracker,
                               _ticket_fields(trac, initial), trac.user(row["reporter"]),
                               source="import")
        session.flush()
        times = [(row["time"], row["reporter"])]
        for when, group in _groups(changes):
            author = group[0]["author"]
            fields = {c["field"]: c["newvalue"] for c in group if c["field"] in initial}
            if fields:
                ticket = Ticket.query.get(_id=ticket._id)
                current = dict(initial, **fields)
                ticket, changed = update_ticket(
                    trac.registry, ticket, ticket.version,
                    _ticket_fields(trac, current), trac.user(author), source="import")
                session.flush()
                initial = current
                if changed:
                    times.append((when, author))
            comment = next((c["newvalue"] for c in group if c["field"] == "comment"), "")
            if comment and comment.strip():
                _comment(trac, tracker, ticket, comment, author, when)
        trac.restore_history(ticket._id, times)
        tickets[row["id"]] = Ticket.query.get(_id=ticket._id)
    return tickets


def _groups(changes):
    """Trac's change rows grouped by (time, author): one edit each."""
    group, when = [], None
    for change in changes:
        if group and (change["time"], change["author"]) != when:
            yield when[0], group
            group = []
        when = (change["time"], change["author"])
        group.append(change)
    if group:
        yield when[0], group


def _ticket_fields(trac, row):
    label = trac.label
    labels = [label(row.get("component")), label(row.get("type"))]
    labels += [label(k) for k in re.split(r"[,\s]+", row.get("keywords") or "")]
    owner = (row.get("owner") or "").strip()
    status = label(row.get("status")) or "new"
    return {"title": (row.get("summary") or "(no summary)")[:250],
            "description": row.get("description") or "",
            "status": status, "priority": label(row.get("priority")) or "normal",
            "milestone": (row.get("milestone") or "")[:80],
            "labels": list(dict.fromkeys(x for x in labels if x))[:20],
            "assigned_to_id": trac.user(owner)._id if owner else None}


def _comment(trac, tracker, ticket, text, author, when):
    node = trac.resource("/p/%s/%s/%d/" % (trac.project.shortname, tracker.mount,
                                            ticket.number))
    post = add_post(trac.registry, node, text, trac.user(author),
                    may_skip_moderation=True, trusted=True, source="import")
    session.flush()
    trac.restore_post_time(post, when)
