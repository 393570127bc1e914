"""One configured forge per distinct settings for a whole test session.

Configuring the app costs far more than most tests: Pyramid derives some 650
views, and on a fresh database over the wire the indexes take hundreds of
milliseconds more.  So ``fresh_app(settings)`` configures a forge once per
distinct settings (and ``FORGE_*``/``MING_*`` environment) and, before each
test, makes it as new:

* the database is emptied: on ``mim://`` dropped (its indexes cost nothing);
  over the wire only the collections the last test wrote to are cleared
  (``WriteTracker`` watches this process's commands), the indexes kept, and
  the database's counts (documents, collections, indexes: one ``dbStats``)
  must then be what they were after the last reset, else (a write from
  another process, a test that changed an index) every collection is
  cleared, or the database dropped and re-created when the indexes differ;
  the site documents are created again, as at start-up (over the wire: put
  back as copies of the ones made at the last full reset, when written);
* the Ming session of this thread is closed and bound to this app's database;
* the registry's settings, registrations (reactors, auditors, ...) and
  attributes are put back as configured, and its per-process state is made
  new in place (the tweens hold these objects): the tree cache, the page
  cache, the search index and the relay (with its failure count and declared
  queues); state that a module creates lazily on the registry (stream slots,
  the sign-in counter purge) is removed, so it is created again;
* the password hasher gets this app's cost again (it is process-wide), and
  the process-wide kept session records are forgotten.

``fresh_app(settings, world=build)`` starts each test from a world instead of
an empty database: ``build(app)`` (a module-level function) runs once per
configured app on the empty database, every collection is then copied (the
world's snapshot), and each later reset puts the snapshot back where the
reset would empty: over the wire only the collections the last test wrote to
(the counts are then those of the world), on ``mim://`` all of it.  A test
that writes cannot leak into the next; one that only reads costs no rebuild.
``world_value(app, build)`` is what ``build`` returned (plain data: it is
kept across tests).

A forge whose relay runs in a thread is not shared: a new one per test, as
before; so is every forge when ``FORGE_TEST_SHARED_APP=0`` (to tell an
isolation problem from a test's own).  State kept on the registry must be
created lazily or be renewed in ``_renew`` below, or it would leak from one
test to the next (``tests/test_shared_app.py`` checks the ones we know).
"""
import copy
import os
import threading
from collections import OrderedDict

from pymongo import monitoring

KEEP = 6            # configured apps kept (settings with a fresh port each test churn)
_apps = OrderedDict()

# commands that write documents only; anything not read-only and not here may
# change a collection itself (create, drop, indexes, $out) and is "structural"
DATA_WRITES = {"insert", "update", "delete", "findandmodify"}
READS = {"find", "getmore", "count", "distinct", "listcollections", "listindexes",
         "dbstats", "collstats", "killcursors", "endsessions", "ping", "hello",
         "ismaster", "buildinfo", "explain", "saslstart", "saslcontinue",
         "getlasterror", "serverstatus", "connectionstatus", "aborttransaction",
         "committransaction"}


class WriteTracker(monitoring.CommandListener):
    """Which collections of each database (per server) this process wrote to
    since the last ``take``, and whether anything changed a collection itself
    (pymongo command monitoring: every client made after the plugin is
    loaded).  Another process's writes are not seen: the counts check of
    ``_empty_database`` catches those that add or remove documents."""

    def __init__(self):
        self._lock = threading.Lock()
        self._written = {}          # (address, database) -> names of collections
        self._structural = set()    # (address, database)

    def started(self, event):
        name = event.command_name.lower()
        if name in READS:
            return
        if name == "aggregate":
            if not any(("$out" in stage or "$merge" in stage)
                       for stage in event.command.get("pipeline", ())):
                return
        where = (event.connection_id, event.database_name)
        with self._lock:
            if name in DATA_WRITES:
                self._written.setdefault(where, set()).add(event.command[event.command_name])
            else:
                self._structural.add(where)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass

    def take(self, address, database):
        """(collections written, structural change?) since the last take, on the
        server at ``address`` (host, port)."""
        where = (address, database)
        with self._lock:
            structural = where in self._structural
            self._structural.discard(where)
            return self._written.pop(where, set()), structural


_writes = WriteTracker()
monitoring.register(_writes)       # before any forge client exists: the plugin loads first
# (server address, database) -> (the ConfiguredApp that last reset it, the world
# it reset to (None: empty), its counts then)
_reset_by = {}
# where ensure_site writes (an empty database holds only these documents)
SITE_COLLECTIONS = ("site_config", "neighborhood")


def world_value(app, world):
    """What ``world(app)`` returned when ``fresh_app`` built it for ``app``."""
    return _worlds_of[id(app)][world][1]


_worlds_of = {}     # id(app) -> the ConfiguredApp's worlds (for world_value)


def fresh_app(settings, make=None, world=None):
    """A configured forge for ``settings`` on an empty database, with fresh
    per-process state (see the module's docstring).  ``make(settings)``, a
    module-level function, builds the WSGI app instead of ``forge.main`` (a
    host application that includes the forge: ``tests/embedding``).
    ``world(app)``: the database starts as it left it (the module's docstring)."""
    key = _key(settings, make)
    configured = _apps.pop(key, None)
    if configured is None:
        configured = ConfiguredApp(settings, make)
        configured.start(world)
        if not configured.shareable or os.environ.get("FORGE_TEST_SHARED_APP") == "0":
            return configured.app
    else:
        configured.renew(world)
    _apps[key] = configured
    while len(_apps) > KEEP:
        _key_, evicted = _apps.popitem(last=False)
        evicted.close()
    return configured.app


def _key(settings, make=None):
    environment = sorted((k, v) for k, v in os.environ.items()
                         if k.startswith(("FORGE_", "MING_")))
    maker = None if make is None else (make.__module__, make.__qualname__)
    return repr((sorted((k, repr(v)) for k, v in settings.items()), environment, maker))


class ConfiguredApp:
    def __init__(self, settings, make=None):
        from forge import main
        from forge.bus.relay import relay_mode
        from forge.model.session import doc_session, session

        session.close()
        reset_database(settings)
        self.app = main({}, **settings) if make is None else make(dict(settings))
        self.datastore = doc_session.bind
        registry = self.app.registry
        self.shareable = relay_mode(registry.settings) != "thread"
        self.in_memory = registry.settings["ming.main.uri"].startswith("mim://")
        self.settings = _copy(dict(registry.settings))
        self.attributes = {name: value for name, value in vars(registry).items()
                           if name.startswith("forge_")}
        self.contents = {name: _members(value) for name, value in self.attributes.items()
                         if isinstance(value, (dict, list, set))}
        self.indexes = None if self.in_memory else index_fingerprint(doc_session.db)
        self.worlds = {}        # build -> (snapshot: collection -> documents, its value)
        _worlds_of[id(self.app)] = self.worlds

    def start(self, world):
        """After configuring (an empty database with the site): build ``world``."""
        from forge.model.session import doc_session
        if world is None:
            return
        self._load_world(world)
        db = doc_session.db
        if not self.in_memory and self.app.registry.settings["forge.ensure_indexes"]:
            where = (self.datastore.conn.address, db.name)
            _reset_by[where] = (self, world, database_counts(db))
            _writes.take(*where)

    def close(self):
        """Close the client of a server's database (its monitor threads would
        run on, and the module that started the server may stop it)."""
        for where, (app, _world, _counts) in list(_reset_by.items()):
            if app is self:
                del _reset_by[where]
        _worlds_of.pop(id(self.app), None)
        if not self.in_memory:
            self.datastore.conn.close()

    def renew(self, world=None):
        from forge.model.session import doc_session, session
        session.close()
        doc_session.bind = self.datastore
        registry = self.app.registry
        registry.settings.clear()
        registry.settings.update(_copy(self.settings))
        for name in [n for n in vars(registry) if n.startswith("forge_")]:
            if name not in self.attributes:
                delattr(registry, name)
        for name, value in self.attributes.items():
            setattr(registry, name, value)
            if name in self.contents:
                _refill(value, self.contents[name])
        self._renew(registry)
        self._empty_database(doc_session.db, world)
        session.close()

    @staticmethod
    def _renew(registry):
        """New state for the registry's stateful objects, in place: the tweens
        and views that hold them (the page cache tween holds its cache, a
        bound ``forge_bus_wake`` its relay) see the new state too."""
        from forge.actions.users import configure_hasher
        from forge.model.web_session import kept_records
        configure_hasher(registry.settings)
        # kept under generations, which a reset sets back (and a world keeps its
        # session ids): a record kept in the last test must not be found in this one
        kept_records.clear()
        registry.forge_tree_cache.__init__()
        if registry.forge_page_cache is not None:
            registry.forge_page_cache.__init__(registry.forge_page_cache.max_bytes)
        registry.forge_search_index.__init__(registry.settings)
        registry.forge_relay.__init__(registry)

    def _empty_database(self, db, world=None):
        """Over the wire, put back what the last test wrote (emptied, or as in
        ``world``'s snapshot) when the database was last reset by this app to
        the same world (same indexes) and nothing changed a collection itself;
        check the counts; else empty it all (``_empty_everything``) and load
        ``world`` again."""
        settings = self.app.registry.settings
        if self.in_memory or not settings["forge.ensure_indexes"]:
            self._empty_everything(db)
            self._load_world(world)
            return
        where = (self.datastore.conn.address, db.name)
        written, structural = _writes.take(*where)
        last = _reset_by.get(where)
        done = (not structural and last is not None and last[0] is self
                and last[1] is world and world in self.worlds)
        if done:
            snapshot = self.worlds[world][0]
            for name in written:
                if name in self.indexes:
                    db[name].delete_many({})
                else:
                    db.drop_collection(name)      # made by the test: gone, as on a new database
                if snapshot.get(name):
                    db[name].insert_many(_copy(snapshot[name]))
            done = database_counts(db) == last[2]
        if not done:
            self._empty_everything(db)
            if world is None:
                # the site documents ensure_site made: put back as copies next time
                # (one insert each, not its reads and inserts)
                self.worlds[None] = ({name: list(db[name].find()) for name in SITE_COLLECTIONS},
                                     None)
            self._load_world(world)
            _reset_by[where] = (self, world, database_counts(db))
        _writes.take(*where)                      # this reset's own writes

    def _load_world(self, world):
        """On the emptied database: build ``world`` (the first time) and keep a
        copy of every collection, or put that copy back."""
        from forge.model.session import doc_session, session
        if world is None:
            return
        db = doc_session.db         # on mim:// a new one after _empty_everything
        if world not in self.worlds:
            value = world(self.app)
            session.flush()
            session.close()
            snapshot = {name: list(db[name].find()) for name in db.list_collection_names()
                        if not name.startswith("system.")}
            self.worlds[world] = (_copy(snapshot), value)
            return
        for name, documents in self.worlds[world][0].items():
            db[name].delete_many({})
            if documents:
                db[name].insert_many(_copy(documents))

    def _empty_everything(self, db):
        from forge.actions.projects import ensure_site
        from forge.model.session import bind_datastore, ensure_indexes
        settings = self.app.registry.settings
        if self.in_memory or not self._clear_keeping_indexes(db):
            self.datastore.conn.drop_database(self.datastore.name)
            if self.in_memory:
                # a mim datastore keeps the dropped database's object: take a new one
                self.datastore = bind_datastore(settings["ming.main.uri"],
                                                settings["ming.main.database"])
            if not settings["forge.ensure_indexes"]:
                return
            ensure_indexes(settings["forge.db.equality_indexes"])
            self.indexes = None if self.in_memory else index_fingerprint(db)
        if settings["forge.ensure_indexes"]:
            ensure_site()

    def _clear_keeping_indexes(self, db):
        """Empty every collection, keeping the configured indexes; False (nothing
        done) when a test changed or dropped one of them."""
        now = index_fingerprint(db)
        if any(now.get(name) != indexes for name, indexes in self.indexes.items()):
            return False
        for name in now:
            if name in self.indexes:
                db[name].delete_many({})
            else:
                db.drop_collection(name)      # made by the test: gone, as on a new database
        return True


def database_counts(db):
    """(documents, collections, indexes) of a database on a server: one command."""
    stats = db.command("dbStats")
    return stats["objects"], stats["collections"], stats["indexes"]


def index_fingerprint(db):
    """collection name -> its indexes (keys and options), comparable."""
    return {name: sorted(repr(sorted((k, v) for k, v in index.items() if k not in ("v", "ns")))
                         for index in db[name].list_indexes())
            for name in db.list_collection_names() if not name.startswith("system.")}


def _copy(value):
    try:
        return copy.deepcopy(value)
    except Exception:          # an object in the settings that cannot be copied
        return copy.copy(value)


def _members(container):
    if isinstance(container, dict):
        return dict(container)
    return list(container)


def _refill(container, members):
    """Give a dict, list or set the members it had when configured (in place:
    other objects may hold it)."""
    container.clear()
    if isinstance(container, list):
        container.extend(members)
    else:
        container.update(members)


def reset_database(settings):
    """Drop the test database; the app re-creates indexes and the site on start."""
    from forge.model.session import bind_datastore
    datastore = bind_datastore(settings["ming.main.uri"], settings["ming.main.database"])
    datastore.conn.drop_database(settings["ming.main.database"])
