"""``forge import-trac TRAC_ENV PROJECT``: a Trac environment as a project archive.

Trac keeps everything in ``<env>/db/trac.db`` (SQLite; its attachments under
``<env>/files/attachments``), read here with the standard library: no Trac is
needed. ``convert`` rebuilds the environment as a project in a scratch forge in
memory (``mim://``) through the forge's own actions, so every record is one the
forge itself would write. The core keeps what is Trac's and not a tool's: the
database, the users for Trac's authors, Trac's times on the versions, the
attachments and the archive. The tools convert their own part through the hook
``add_trac_import(config, tool, convert, order=)`` (``forge.api``), called in
their ``includeme``: the wiki its pages version after version
(``tools/wiki/trac_import.py``), the tracker its options and its tickets change
after change with comments as posts (``tools/tracker/trac_import.py``). Every
tool with a converter is installed at its default mount, then each converter
runs (by ``order``, then tool name) with a ``TracConversion`` and the tool's
instance, and returns ``{Trac parent type: {Trac id: artifact}}`` (``"wiki"``
by page name, ``"ticket"`` by number as text), where Trac's attachments of that
type and id go. The archive is then written with ``export_project``; ``forge
import-trac`` imports it like any other (checked first, new ids).

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


@dataclass(frozen=True)
class TracImporter:
    tool: str
    convert: object
    order: int


def add_trac_import(config, tool, convert, order=100):
    """Declare how ``tool`` converts its part of a Trac environment for ``forge
    import-trac`` (a Pyramid action: two converters for one tool conflict).

    ``convert(trac, tool_doc)`` gets a ``TracConversion`` and the tool's
    instance in the scratch project, and returns ``{Trac parent type: {Trac
    resource id (text): artifact}}`` so Trac's attachments find their artifact.
    Converters run by ``order``, then tool name (Trac's authors become users in
    the order they are first met)."""
    importer = TracImporter(tool, config.maybe_dotted(convert), order)

    def register():
        registry = config.registry
        importers = dict(getattr(registry, "forge_trac_imports", {}))
        importers[tool] = importer
        registry.forge_trac_imports = importers

    config.action(("forge.trac_import", tool), register, introspectables=())


def trac_importers(registry):
    importers = getattr(registry, "forge_trac_imports", {}).values()
    return sorted(importers, key=lambda importer: (importer.order, importer.tool))


class TracConversion:
    """The scratch forge the environment is rebuilt in, as converters see it:
    ``registry``, ``project``, ``data`` (a ``TracData``), ``user(author)``,
    ``restore_history``, ``restore_post_time``, ``resource(path)``, and Trac's
    values as the forge's: ``label(value)``, ``time(value)``."""

    label = staticmethod(label)
    time = staticmethod(trac_time)

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
        self.project = None

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

    def restore_history(self, artifact_id, times):
        """Trac's times on the versions (snapshots) the actions made, oldest
        first: ``times`` is ``[(Trac time, author), ...]``, one per version."""
        db = self.db
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

    def restore_post_time(self, post, when):
        """A comment's Trac time on the post that carries it."""
        stamp = trac_time(when)
        if stamp is not None:
            self.db.post.update_one({"_id": post._id}, {"$set": {"created": stamp,
                                                                 "modified": stamp}})

    def resource(self, path):
        """The resource at ``path`` in the scratch forge ("/p/PROJECT/MOUNT/NAME/")."""
        from pyramid.testing import DummyRequest
        from pyramid.traversal import find_resource

        from forge.resources import SiteRoot
        request = DummyRequest()
        request.registry = self.registry
        return find_resource(SiteRoot(request), path)


def convert(env, project_name, out_path):
    """Rebuild the Trac environment ``env`` as project ``project_name`` and
    write it to the archive ``out_path``; returns the export summary."""
    from forge.actions.projects import create_project, install_tool
    from forge.archive import export_project
    from forge.model import Neighborhood, session
    data = read_trac(env)
    trac = TracConversion(data)
    admin = trac.user("trac-admin")
    project = create_project(trac.registry, Neighborhood.query.get(name="p"), project_name,
                             project_name, admin)
    trac.project = project
    importers = trac_importers(trac.registry)
    tools = {}              # every tool with a converter, at its default mount
    for importer in importers:
        mount = trac.registry.forge_tools[importer.tool].default_mount
        tools[importer.tool] = install_tool(trac.registry, project, importer.tool, mount, admin)
    session.flush()
    targets = {}            # Trac parent type -> {Trac id: artifact}
    for importer in importers:
        converted = importer.convert(trac, tools[importer.tool]) or {}
        for parent_type, artifacts in converted.items():
            targets.setdefault(parent_type, {}).update(artifacts)
    _attachments(trac, targets)
    session.flush()
    session.close()
    return export_project(trac.registry, project._id, out_path)


def _attachments(trac, targets):
    """Each of Trac's attachments on the artifact its parent became."""
    from forge.attachments.actions import attach_files
    from forge.model import session
    for row in trac.data.attachments:
        target = targets.get(row["type"], {}).get(str(row["id"]))
        path = attachment_path(trac.data.env, row["type"], row["id"], row["filename"])
        if target is None or not os.path.isfile(path):
            continue
        with open(path, "rb") as stream:
            content = io.BytesIO(stream.read())
        kind = mimetypes.guess_type(row["filename"])[0] or "application/octet-stream"
        attach_files(trac.registry, type(target).query.get(_id=target._id),
                     [(row["filename"], content, kind)], trac.user(row["author"]),
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
