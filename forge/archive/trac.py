"""``forge import-trac TRAC_ENV PROJECT``: a Trac environment as a project archive.

Trac keeps everything in ``<env>/db/trac.db`` (SQLite; its attachments under
``<env>/files/attachments``), read here with the standard library: no Trac is
needed. ``convert`` rebuilds the environment as a project in a scratch forge in
memory (``mim://``) through the forge's own actions, so every record is one the
forge itself would write: wiki pages version after version, tickets change
after change with their comments as posts, milestones, components (and
types and keywords) as labels, attachments. It then puts back Trac's times
and authors and writes the archive with ``export_project``; ``forge
import-trac`` imports that archive like any other (checked first, new ids).

It runs in a process of its own (``python -m forge.archive.trac ENV PROJECT
FILE``): the scratch forge binds Ming's session to its own database.
"""
import datetime
import hashlib
import io
import mimetypes
import os
import re
import secrets
import sqlite3
import sys
from dataclasses import dataclass, field

from ..names import USERNAME

WORD = re.compile(r"[^a-z0-9_.-]+")
MAX_LABEL = 40


class TracError(Exception):
    """The environment cannot be read (the message says why)."""


@dataclass
class TracData:
    wiki: list = field(default_factory=list)          # rows by name, version
    tickets: list = field(default_factory=list)
    changes: dict = field(default_factory=dict)       # ticket id -> [rows by time]
    milestones: list = field(default_factory=list)
    components: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    env: str = ""


def trac_time(value):
    """Trac 0.12+ stores microseconds since the epoch (UTC)."""
    if not value:
        return None
    return datetime.datetime(1970, 1, 1) + datetime.timedelta(microseconds=int(value))


def read_trac(env):
    path = os.path.join(env, "db", "trac.db")
    if not os.path.isfile(path):
        raise TracError("%s is not a Trac environment (no db/trac.db)." % env)
    try:
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
    except sqlite3.Error as error:
        raise TracError("Cannot open %s: %s" % (path, error))
    db.row_factory = sqlite3.Row
    data = TracData(env=env)
    try:
        data.wiki = [dict(r) for r in db.execute(
            "SELECT name, version, time, author, text, comment FROM wiki "
            "ORDER BY name, version")]
        data.tickets = [dict(r) for r in db.execute("SELECT * FROM ticket ORDER BY id")]
        for row in db.execute("SELECT ticket, time, author, field, oldvalue, newvalue "
                              "FROM ticket_change ORDER BY ticket, time, field"):
            data.changes.setdefault(row["ticket"], []).append(dict(row))
        data.milestones = [dict(r) for r in db.execute(
            "SELECT name, due, completed, description FROM milestone ORDER BY name")]
        data.components = [r["name"] for r in db.execute("SELECT name FROM component")]
        data.attachments = [dict(r) for r in db.execute(
            "SELECT type, id, filename, size, time, description, author FROM attachment "
            "WHERE type IN ('wiki', 'ticket') ORDER BY type, id, time")]
    except sqlite3.Error as error:
        raise TracError("%s is not a Trac 1.x database: %s" % (path, error))
    finally:
        db.close()
    return data


def attachment_path(env, parent_type, parent_id, filename):
    """Where Trac 1.x keeps an attachment's bytes."""
    parent = hashlib.sha1(str(parent_id).encode("utf-8")).hexdigest()
    name = hashlib.sha1(filename.encode("utf-8")).hexdigest()
    return os.path.join(env, "files", "attachments", parent_type, parent[:3], parent,
                        name + os.path.splitext(filename)[1])


def username_for(author, taken):
    """A forge username for a Trac author (a name, an e-mail or "anonymous")."""
    base = (author or "anonymous").split("@")[0].strip().lower()
    base = re.sub(r"[^a-z0-9_-]+", "-", base).strip("-_")[:32] or "trac-user"
    if not USERNAME.match(base):
        base = ("trac-" + base)[:32].strip("-_")
    candidate, number = base, 1
    while candidate in taken.values():
        number += 1
        candidate = "%s-%d" % (base[:28], number)
    return candidate


def label(value):
    word = WORD.sub("-", (value or "").strip().lower()).strip("-")
    return word[:MAX_LABEL]


class _Scratch:
    """The scratch forge the environment is rebuilt in."""

    def __init__(self, data):
        from forge import main
        from forge.model.session import doc_session
        self.data = data
        self.app = main({}, **{"ming.main.uri": "mim://", "ming.main.database": "trac_import",
                               "forge.secret": secrets.token_hex(16),
                               "forge.bus.url": "memory://", "forge.bus.relay": "off"})
        self.registry = self.app.registry
        self.db = doc_session.db
        self.users = {}           # trac author -> User
        self.names = {}           # trac author -> username

    def user(self, author):
        from forge.actions.users import create_user
        author = (author or "anonymous").strip() or "anonymous"
        if author not in self.users:
            username = username_for(author, self.names)
            self.names[author] = username
            email = author if "@" in author and " " not in author else \
                "%s@trac-import.invalid" % username
            self.users[author] = create_user(self.registry, username, email,
                                             secrets.token_urlsafe(24))
        return self.users[author]


def convert(env, project_name, out_path):
    """Rebuild the Trac environment ``env`` as project ``project_name`` and
    write it to the archive ``out_path``; returns the export summary."""
    from forge.actions.projects import create_project, install_tool
    from forge.archive import export_project
    from forge.model import Neighborhood, session
    data = read_trac(env)
    scratch = _Scratch(data)
    admin = scratch.user("trac-admin")
    project = create_project(scratch.registry, Neighborhood.query.get(name="p"), project_name,
                             project_name, admin)
    wiki = install_tool(scratch.registry, project, "wiki", "wiki", admin)
    tracker = install_tool(scratch.registry, project, "tracker", "tickets", admin)
    session.flush()
    _configure_tracker(scratch, tracker, admin)
    pages = _wiki_pages(scratch, project, wiki)
    tickets = _tickets(scratch, project, tracker)
    _attachments(scratch, pages, tickets)
    session.flush()
    session.close()
    return export_project(scratch.registry, project._id, out_path)


def _configure_tracker(scratch, tracker, admin):
    from forge.actions.tool_options import set_tool_options
    data = scratch.data
    statuses = {label(t["status"]) for t in data.tickets if t.get("status")}
    for rows in data.changes.values():
        statuses |= {label(r["newvalue"]) for r in rows if r["field"] == "status"
                     and r["newvalue"]}
    open_states = sorted(s for s in statuses if s and s != "closed") or ["new"]
    priorities = [label(t["priority"]) for t in data.tickets if t.get("priority")]
    priorities = list(dict.fromkeys(p for p in priorities if p)) or ["normal"]
    milestones = [{"name": m["name"][:80], "description": (m["description"] or "")[:2000],
                   "due": trac_time(m["due"]).strftime("%Y-%m-%d") if m["due"] else "",
                   "closed": bool(m["completed"])} for m in data.milestones]
    set_tool_options(scratch.registry, tracker, {
        "open_states": open_states, "closed_states": ["closed"], "priorities": priorities,
        "default_priority": priorities[0], "milestones": milestones[:200]},
        admin, "options", "imported from Trac")


def _wiki_pages(scratch, project, wiki):
    """Every page, version after version; {trac name: page document}."""
    from forge.actions.versions import save_versioned
    from forge.model import session
    from tools.wiki.actions import create_page
    from tools.wiki.model import WikiPage
    pages, history = {}, {}
    for row in scratch.data.wiki:
        history.setdefault(row["name"], []).append(row)
    for name in sorted(history):        # a parent's name sorts before its children's
        path = "/".join(segment.strip() or "-" for segment in name.split("/"))
        _parents(scratch, project, wiki, path, pages)
        rows = history[name]
        first = rows[0]
        page = create_page(scratch.registry, project, wiki, path, path.rsplit("/", 1)[-1],
                           first["text"] or "", scratch.user(first["author"]),
                           comment=first["comment"] or "")
        session.flush()
        for row in rows[1:]:
            page = WikiPage.query.get(_id=page._id)
            page, _ = save_versioned(scratch.registry, page, page.version,
                                     {"text": row["text"] or ""}, scratch.user(row["author"]),
                                     comment=row["comment"] or "", source="import")
            session.flush()
        _restore_history(scratch, page._id, [(r["time"], r["author"]) for r in rows])
        pages[name] = page
    return pages


def _parents(scratch, project, wiki, path, pages):
    """Trac has ``A/B`` without ``A``; the forge's pages have parents."""
    from forge.model import session
    from tools.wiki.actions import create_page
    from tools.wiki.model import WikiPage
    parts = path.split("/")[:-1]
    for depth in range(1, len(parts) + 1):
        parent = "/".join(parts[:depth])
        if parent not in pages and WikiPage.query.get(tool_id=wiki._id, path=parent) is None:
            pages[parent] = create_page(scratch.registry, project, wiki, parent, parts[depth - 1],
                                        "", scratch.user("trac-admin"))
            session.flush()


def _tickets(scratch, project, tracker):
    """Every ticket as first reported, then each change in turn, comments as posts."""
    from forge.model import session
    from tools.tracker.actions import create_ticket, update_ticket
    from tools.tracker.model import Ticket
    tickets = {}
    for row in scratch.data.tickets:
        changes = scratch.data.changes.get(row["id"], [])
        initial = dict(row)
        for change in reversed(changes):        # undo the changes, newest first
            if change["field"] in initial:
                initial[change["field"]] = change["oldvalue"]
        ticket = create_ticket(scratch.registry, project, tracker,
                               _ticket_fields(scratch, initial), scratch.user(row["reporter"]),
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
                    scratch.registry, ticket, ticket.version,
                    _ticket_fields(scratch, current), scratch.user(author), source="import")
                session.flush()
                initial = current
                if changed:
                    times.append((when, author))
            comment = next((c["newvalue"] for c in group if c["field"] == "comment"), "")
            if comment and comment.strip():
                _comment(scratch, project, tracker, ticket, comment, author, when)
        _restore_history(scratch, ticket._id, times)
        tickets[row["id"]] = Ticket.query.get(_id=ticket._id)
    return tickets


def _groups(changes):
    group, when = [], None
    for change in changes:
        if group and (change["time"], change["author"]) != when:
            yield when[0], group
            group = []
        when = (change["time"], change["author"])
        group.append(change)
    if group:
        yield when[0], group


def _ticket_fields(scratch, row):
    labels = [label(row.get("component")), label(row.get("type"))]
    labels += [label(k) for k in re.split(r"[,\s]+", row.get("keywords") or "")]
    owner = (row.get("owner") or "").strip()
    status = label(row.get("status")) or "new"
    return {"title": (row.get("summary") or "(no summary)")[:250],
            "description": row.get("description") or "",
            "status": status, "priority": label(row.get("priority")) or "normal",
            "milestone": (row.get("milestone") or "")[:80],
            "labels": list(dict.fromkeys(x for x in labels if x))[:20],
            "assigned_to_id": scratch.user(owner)._id if owner else None}


def _comment(scratch, project, tracker, ticket, text, author, when):
    from pyramid.testing import DummyRequest
    from pyramid.traversal import find_resource

    from forge.discussion.actions import add_post
    from forge.model import session
    from forge.resources import SiteRoot
    request = DummyRequest()
    request.registry = scratch.registry
    node = find_resource(SiteRoot(request), "/p/%s/%s/%d/" % (
        project.shortname, tracker.mount, ticket.number))
    post = add_post(scratch.registry, node, text, scratch.user(author),
                    may_skip_moderation=True, trusted=True, source="import")
    session.flush()
    stamp = trac_time(when)
    if stamp is not None:
        scratch.db.post.update_one({"_id": post._id}, {"$set": {"created": stamp,
                                                                "modified": stamp}})


def _restore_history(scratch, artifact_id, times):
    """Trac's times and authors on the versions (snapshots) the actions made."""
    db = scratch.db
    snapshots = sorted(db.snapshot.find({"artifact_id": artifact_id}),
                       key=lambda s: s["version"])
    for snapshot, (when, author) in zip(snapshots, times):
        stamp = trac_time(when)
        if stamp is not None:
            db.snapshot.update_one({"_id": snapshot["_id"]}, {"$set": {"timestamp": stamp}})
    stamps = [trac_time(w) for w, _a in times if w]
    if stamps:
        db.artifact.update_one({"_id": artifact_id}, {"$set": {"created": stamps[0],
                                                               "modified": stamps[-1]}})


def _attachments(scratch, pages, tickets):
    from forge.attachments.actions import attach_files
    from forge.model import session
    for row in scratch.data.attachments:
        target = pages.get(row["id"]) if row["type"] == "wiki" else \
            tickets.get(int(row["id"])) if str(row["id"]).isdigit() else None
        path = attachment_path(scratch.data.env, row["type"], row["id"], row["filename"])
        if target is None or not os.path.isfile(path):
            continue
        with open(path, "rb") as stream:
            content = io.BytesIO(stream.read())
        kind = mimetypes.guess_type(row["filename"])[0] or "application/octet-stream"
        attach_files(scratch.registry, type(target).query.get(_id=target._id),
                     [(row["filename"], content, kind)], scratch.user(row["author"]),
                     source="import")
        session.flush()


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 3:
        sys.stderr.write("usage: python -m forge.archive.trac TRAC_ENV PROJECT FILE\n")
        return 2
    from forge.actions import ActionError
    try:
        summary = convert(*argv)
    except (TracError, ActionError) as error:     # ActionError: the project name, say
        sys.stderr.write("%s\n" % error)
        return 1
    sys.stdout.write("%d records\n" % summary.records)
    return 0


if __name__ == "__main__":
    sys.exit(main())
