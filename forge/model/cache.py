"""Generation counters, and a per-process cache of the tree documents kept
exact by one of them.

The counters live in one small document of ``site_config`` (key
``generations``), read together with the site's own document by the root of
every request (one query):

* ``tree``: incremented after every write of a tree document (site,
  neighborhood, project, tool, role, user).  These change rarely but are read
  on every request, so they are cached per process (``TreeCache``): a request
  whose tree generation equals the cache's uses the cached raw documents, any
  other clears the cache first;
* ``content``: incremented after every write of anything a page may show
  (every document but the bus's bookkeeping, ``NOT_ON_PAGES``).  The page
  cache (``forge.page_cache``) keeps whole anonymous pages per (tree, content),
  and reads them on every hit through a ``SharedRead`` (requests that arrive
  together share one read that started after each of them arrived);
* one per group of classes that has a generation of its own
  (``own_generation``: ``watches`` for watches and mail preferences), moved
  by every write of one of them (and ``content`` too) but not ``tree``:
  documents written far more often than users and roles (every new ticket
  adds its reporter's watch) are cached by the same rule, in a store of
  their own, without emptying the tree cache.

Writes bump (``forge.model.generation_bumps``, whose names this module
also exports) through one of two paths: a Ming flush (``ChangeTracking``, a
session extension) or a raw pymongo write through ``forge.model.session.
collection`` (which wraps the collection so that its writes bump).  The bump
happens after the write, so a process can never keep serving a document older
than the generation it saw: no TTL, no staleness across processes (web,
workers, CLI).  The counters have their own document because Ming saves a
changed document whole: a save of the site's document must not move them back.

Cached values are raw pymongo documents; each request gets its own Ming
objects built from deep copies, attached to its session like queried ones, so
changing and flushing them works as usual and never touches the cache.
"""
import copy
import threading

from ming.base import Object
from ming.odm import state
from ming.odm.odmsession import ObjectState

from .generation_bumps import (NOT_ON_PAGES, OWN_GENERATION,  # noqa: F401
                               TREE_CLASS_NAMES, BumpingCollection, ChangeTracking,
                               not_on_pages, note_change, note_tree_change, one_bump,
                               own_generation)
from .site_config_read import (GENERATIONS_KEY, all_generations,  # noqa: F401
                               current_generations, read_site_config)

MAX_ENTRIES = 20000


def current_odm():
    """The thread's Ming session, as ``session._get()`` gives it: read from
    the proxy's thread-local slot when the thread has one (``_get`` also
    registers the session by name each time, which made its 20-odd calls a
    page a few percent of a signed-in page's time)."""
    from .session import session
    odm = getattr(session._registry, "value", None)
    return odm if odm is not None else session._get()


class GenerationCache:
    """Values kept for one generation at a time: a different one empties it."""

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


class TreeCache(GenerationCache):
    """The tree documents under ``tree``, and a ``GenerationCache`` of its own
    (``own(name)``) for each class group with an ``own_generation``."""

    def __init__(self):
        super().__init__()
        self._own = {}

    def own(self, name):
        store = self._own.get(name)
        if store is None:
            with self._lock:
                store = self._own.setdefault(name, GenerationCache())
        return store


def find_raw(cls, query, sort=None):
    from .session import collection
    cursor = collection(cls).find(query)
    if sort:
        cursor = cursor.sort(sort)
    return list(cursor)


def copy_document(value):
    """A deep copy of a stored document: dicts and lists are copied, the
    leaves (str, numbers, datetime, ObjectId, bytes) are immutable and shared.
    Several times faster than ``copy.deepcopy``, which a page calls per cached
    document it uses."""
    if isinstance(value, dict):
        return {key: copy_document(item) for key, item in value.items()}
    if isinstance(value, list):
        return [copy_document(item) for item in value]
    return value


def attach(cls, raw):
    """A Ming object of ``cls`` for a raw document, in the current session."""
    odm = current_odm()
    obj = odm.imap.get(cls, raw["_id"])
    if obj is None:
        obj = cls.query.mapper.create(copy_document(raw), Object(), remake=True)
        state(obj).status = ObjectState.clean
        odm.save(obj)
    return obj


def cached_find(request, cls, query, sort=None):
    """``cls.query.find(query)`` through the tree cache when the request knows
    its generation, straight from the database otherwise."""
    return [attach(cls, raw) for raw in cached_raw(request, cls, query, sort)]


def cached_raw(request, cls, query, sort=None):
    """Like ``cached_find`` but the stored documents themselves (shared: never
    change them); ``attach`` one when its Ming object is needed.  A class with
    an ``own_generation`` is kept in its own store, under that generation."""
    name = OWN_GENERATION.get(cls.__name__)
    generation = tree_generation(request) if name is None else own_generation_of(request, name)
    if generation is None:
        return find_raw(cls, query, sort)
    cache = request.registry.forge_tree_cache
    return (cache if name is None else cache.own(name)).get(
        generation, _key(cls, query, sort), lambda: find_raw(cls, query, sort))


def _key(cls, query, sort=None):
    return cls.__name__, repr(sorted(query.items())), repr(sort)


def cached_value(request, key, load):
    """A computed value (such as a user's principals) valid for one generation."""
    generation = tree_generation(request)
    if generation is None:
        return load()
    return request.registry.forge_tree_cache.get(generation, key, load)


def tree_generation(request):
    """The tree generation the request saw, or None when the cache must not be
    used (no forge root, or this request changed the tree)."""
    if getattr(getattr(request, "registry", None), "forge_tree_cache", None) is None:
        return None
    generations = _seen_generations(request, "forge_tree_changed")
    return generations[0] if generations is not None else None


def own_generation_of(request, name):
    """The generation ``name`` (``own_generation``) the request saw, or None
    when its store must not be used (no forge root, or this request wrote
    one of its documents)."""
    if getattr(getattr(request, "registry", None), "forge_tree_cache", None) is None:
        return None
    if name in getattr(current_odm(), "forge_own_changed", ()):
        return None
    generations = _seen_generations(request)
    own = getattr(generations, "own", None)
    return None if own is None else generations.of(name)


def page_generations(request):
    """(tree, content) as the request saw them at its start, or None when the
    request wrote something (its page may show its own change half-made)."""
    return _seen_generations(request, "forge_tree_changed", "forge_content_changed")


def _seen_generations(request, *written_flags):
    """The site root's (tree, content), unless this unit of work set one of
    ``written_flags`` (see ``note_change``) or the request has no forge root."""
    odm = current_odm()
    if any(getattr(odm, flag, False) for flag in written_flags):
        return None
    root = getattr(request, "root", None)
    if getattr(root, "kind", None) != "site":
        return None
    return root.generations


EARLY_SITE_CONFIG = "forge.site_config_early"


def early_cached_raw(request, cls, query):
    """``cached_raw`` for a check made before traversal (the forge tween's API
    token check): the request's site document and generations are read now,
    in the one query the root would make, and handed to the root
    (``site_config_for``), so the tree cache costs the request no extra find.
    The key is ``cached_raw``'s: what is loaded here, the views find there."""
    read = request.environ.get(EARLY_SITE_CONFIG)
    if read is None:
        read = request.environ[EARLY_SITE_CONFIG] = read_site_config(current_odm().db)
    cache = getattr(request.registry, "forge_tree_cache", None)
    if cache is None or cls.__name__ in OWN_GENERATION:     # the tree's documents only
        return find_raw(cls, query)
    return cache.get(read[1][0], _key(cls, query), lambda: find_raw(cls, query))


def site_config_for(request):
    """The root's read of the site's document and the generations: the one
    ``early_cached_raw`` made for this request (taken once), else a query."""
    environ = getattr(request, "environ", None)
    read = environ.pop(EARLY_SITE_CONFIG, None) if isinstance(environ, dict) else None
    if read is None:
        read = read_site_config(current_odm().db)
    return read


class SharedRead:
    """``read()`` for every caller, one read at a time, each read shared by
    every caller that asked before it started.

    A caller that asks while a read is on its way does not take that read's
    answer (it may have been read before the caller's request arrived, and
    miss a write that finished since): it waits for the next read, which
    starts after it asked, and shares it with everyone else who asked
    meanwhile.  So each caller gets a value read after it asked, as if it had
    read alone -- exact across processes, no TTL -- while requests that come
    together cost one round trip between them.  An error of the read is
    raised to every caller that shared it."""

    def __init__(self, read):
        self._read = read
        self._changed = threading.Condition(threading.Lock())
        self._started = 0           # reads started so far (the number of the last)
        self._finished = 0          # the number of the last read that gave an answer
        self._reading = False
        self._answer = None         # that read's value, or its exception

    def __call__(self):
        with self._changed:
            wanted = self._started + 1          # the first read to start from now on
            while self._finished < wanted:
                if self._reading:
                    self._changed.wait()
                    continue
                self._reading = True
                self._started += 1
                number, answer = self._started, _NO_ANSWER
                self._changed.release()
                try:
                    answer = self._read()
                except Exception as error:
                    answer = error
                finally:
                    self._changed.acquire()
                    self._reading = False
                    if answer is not _NO_ANSWER:
                        self._finished, self._answer = number, answer
                    self._changed.notify_all()
            answer = self._answer
        if isinstance(answer, Exception):
            raise _own_copy(answer)
        return answer


_NO_ANSWER = object()


def _own_copy(error):
    """A copy of a shared exception, so that callers raising it in several
    threads do not chain their tracebacks onto one object."""
    try:
        return copy.copy(error)
    except Exception:
        return error


def start_request():
    """Called by the forge tween: a new request may use the caches again."""
    odm = current_odm()
    odm.forge_tree_changed = odm.forge_content_changed = False
    odm.forge_own_changed = frozenset()
