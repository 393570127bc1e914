"""A per-process cache of the tree documents, kept exact by a generation counter.

Site, neighborhood, project, tool, role and user documents change rarely but are
read on every request.  Every flush that writes one of them increments
``SiteConfig.generation`` (``TreeChanges``, a Ming session extension), and every
request reads the site config anyway (the root's ACL).  A request whose
generation equals the cache's uses the cached raw documents; any other
generation clears the cache first.  The bump happens after the write, so a
process can never keep serving a document older than the generation it saw:
no TTL, no staleness across processes (web, workers, CLI).

Cached values are raw pymongo documents; each request gets its own Ming
objects built from deep copies, attached to its session like queried ones, so
changing and flushing them works as usual and never touches the cache.
"""
import copy
import threading

from ming.base import Object
from ming.odm import state
from ming.odm.odmsession import ObjectState, SessionExtension

MAX_ENTRIES = 20000


class TreeCache:
    def __init__(self):
        self._lock = threading.Lock()
        self._generation = None
        self._entries = {}

    def get(self, generation, key, load):
        """The cached value for ``key`` at ``generation``, loading it on a miss."""
        with self._lock:
            if generation != self._generation:
                self._entries = {}
                self._generation = generation
            if key in self._entries:
                return self._entries[key]
        value = load()
        with self._lock:
            if generation == self._generation:
                if len(self._entries) >= MAX_ENTRIES:
                    self._entries = {}
                self._entries[key] = value
        return value


def find_raw(cls, query, sort=None):
    from .session import collection
    cursor = collection(cls).find(query)
    if sort:
        cursor = cursor.sort(sort)
    return list(cursor)


def attach(cls, raw):
    """A Ming object of ``cls`` for a raw document, in the current session."""
    from .session import session
    odm = session._get()
    obj = odm.imap.get(cls, raw["_id"])
    if obj is None:
        obj = cls.query.mapper.create(copy.deepcopy(raw), Object(), remake=True)
        state(obj).status = ObjectState.clean
        odm.save(obj)
    return obj


def cached_find(request, cls, query, sort=None):
    """``cls.query.find(query)`` through the tree cache when the request knows
    its generation, straight from the database otherwise."""
    generation = tree_generation(request)
    if generation is None:
        return [attach(cls, raw) for raw in find_raw(cls, query, sort)]
    return [attach(cls, raw) for raw in cached_raw(request, cls, query, sort)]


def cached_raw(request, cls, query, sort=None):
    """Like ``cached_find`` but the stored documents themselves (shared: never
    change them); ``attach`` one when its Ming object is needed."""
    generation = tree_generation(request)
    if generation is None:
        return find_raw(cls, query, sort)
    key = (cls.__name__, repr(sorted(query.items())), repr(sort))
    return request.registry.forge_tree_cache.get(
        generation, key, lambda: find_raw(cls, query, sort))


def cached_value(request, key, load):
    """A computed value (such as a user's principals) valid for one generation."""
    generation = tree_generation(request)
    if generation is None:
        return load()
    return request.registry.forge_tree_cache.get(generation, key, load)


def tree_generation(request):
    """The generation the request saw in the site config, or None when the
    cache must not be used (no forge root, or this request changed the tree)."""
    from .session import session
    if getattr(session._get(), "forge_tree_changed", False):
        return None
    cache = getattr(getattr(request, "registry", None), "forge_tree_cache", None)
    root = getattr(request, "root", None)
    if cache is None or getattr(root, "kind", None) != "site":
        return None
    return root.doc.generation


class TreeChanges(SessionExtension):
    """Bumps the generation after a flush that wrote a tree document."""

    def __init__(self, session):
        super().__init__(session)
        self.changed = False

    def _note(self, obj):
        if type(obj).__name__ in TREE_CLASS_NAMES:
            self.changed = True

    def after_insert(self, obj, st):
        self._note(obj)

    def after_update(self, obj, st):
        self._note(obj)

    def after_delete(self, obj, st):
        self._note(obj)

    def after_remove(self, cls, *args, **kwargs):
        if cls.__name__ in TREE_CLASS_NAMES:
            self.session.forge_tree_changed = True
            bump_generation()

    def after_flush(self, obj=None):
        if self.changed:
            self.changed = False
            # the rest of this request reads the tree from the database
            self.session.forge_tree_changed = True
            bump_generation()


TREE_CLASS_NAMES = frozenset(
    ("SiteConfig", "Neighborhood", "Project", "ToolInstance", "ProjectRole", "User"))


def note_tree_change():
    """For writes that bypass the Ming unit of work (see ``set_fields``)."""
    from .session import session
    session._get().forge_tree_changed = True
    bump_generation()


def start_request():
    """Called by the forge tween: a new request may use the cache again."""
    from .session import session
    session._get().forge_tree_changed = False


def bump_generation():
    from .session import session
    session.db["site_config"].update_one({"key": "site"}, {"$inc": {"generation": 1}})
