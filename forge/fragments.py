"""Pieces of signed-in pages kept per process while nothing they show changed.

Signed-in readers get no page cache (``forge.page_cache``): their pages carry
per-person chrome and forms.  But most of what such a page costs is pieces
that are the same on every view until something is written: a comment
thread's posts, whether the reader watches the node.  ``generation_cached``
keeps such a value under the (``tree``, ``content``) generations the request
read (``forge.model.cache.page_generations``), so after every write that could
change it the value is made again, in every process, with no TTL (a request
is given only values made under the generations it read; the last few
generations are kept, so requests a write apart do not empty the store for
each other)::

    html = reader_cached(request, ("post", post_id), lambda: render_post(...))

The caller's key must name everything else the value depends on besides the
generations; ``reader_cached`` adds ``reader_key(request)``: the user, their
effective principals (roles, token scope markers included) and the session's
CSRF token (forms carry it), so no reader is ever shown a piece made for
another.  A request that wrote (its generations are then unknown) always
computes the value.

A reader's first view finds nothing kept for them (a new session is a new
CSRF token), and most of what it renders is the same for every reader who
may do the same things there.  ``verdict_cached`` keeps such HTML once for
all of them, under the caller's ``verdicts()`` (what decides what this
reader is shown: their permissions' answers, their own posts, ...), made
with ``CSRF_SLOT`` where a form's token goes, and puts the reader's token
there on the way out.
"""
import secrets
import threading
from collections import OrderedDict

from markupsafe import Markup, escape

from .model.cache import page_generations
from .model.registry_objects import registry_object

# entries per process; a thread page stores one per post, so this holds the
# threads of a few hundred readers between two writes
MAX_ENTRIES = 20000
# and characters of kept text per process: whole pages are kept per reader
# (a ticket's content is ~30-60 KB), so the count alone would let 20,000 of
# them hold a gigabyte; other values are charged a flat estimate
MAX_CHARS = 48 * 1024 * 1024
OTHER_VALUE_CHARS = 512
# generations kept at once: requests and reactors that read the generations a
# moment apart (a write between them) each find their own, and one write no
# longer throws away what requests still at the previous generation use
KEPT_GENERATIONS = 3


def _charge(value):
    return len(value) if isinstance(value, (str, bytes)) else OTHER_VALUE_CHARS


class GenerationStore:
    """A bounded LRU (entries and characters of text, over all generations)
    of values kept per generations: a value is given only to a request that
    read the generations it was made under.  The last ``KEPT_GENERATIONS``
    (the highest: generations only grow) are kept; a request at an older one
    computes its value and keeps nothing."""

    def __init__(self, size=MAX_ENTRIES, max_chars=MAX_CHARS, generations=KEPT_GENERATIONS):
        self.size = size
        self.max_chars = max_chars
        self.kept_generations = max(1, generations)
        self._lock = threading.Lock()
        self._empty()

    def get(self, generations, key, load):
        with self._lock:
            items = self._by_generation.get(generations)
            if items is not None and key in items:
                self._lru.move_to_end((generations, key))
                return items[key]
        value = load()
        self.put(generations, key, value)
        return value

    def missing(self, generations, keys):
        """Those of ``keys`` not kept under ``generations``."""
        with self._lock:
            items = self._by_generation.get(generations) or {}
            return [key for key in keys if key not in items]

    def put(self, generations, key, value):
        """Keep ``value`` (read after ``generations`` were) as ``get`` keeps a
        loaded one."""
        with self._lock:
            items = self._slot(generations)
            if items is None:
                return
            if key in items:
                self._chars -= _charge(items[key])
            items[key] = value
            self._lru[(generations, key)] = None
            self._lru.move_to_end((generations, key))
            self._chars += _charge(value)
            self._trim()

    def _trim(self):
        while self._lru and (len(self._lru) > self.size or self._chars > self.max_chars):
            (old_generations, old_key), _ = self._lru.popitem(last=False)
            self._chars -= _charge(self._by_generation[old_generations].pop(old_key))

    def _slot(self, generations):
        """The dict of ``generations``' values, made when it is among the
        newest kept (the oldest then goes); None for an older one."""
        items = self._by_generation.get(generations)
        if items is not None:
            return items
        if len(self._by_generation) >= self.kept_generations:
            oldest = min(self._by_generation)
            if generations < oldest:
                return None
            self._drop(oldest)
        items = self._by_generation[generations] = {}
        return items

    def _drop(self, generations):
        for key, value in self._by_generation.pop(generations).items():
            del self._lru[(generations, key)]
            self._chars -= _charge(value)

    def _empty(self):
        self._by_generation = {}        # generations -> {key: value}
        self._lru = OrderedDict()       # (generations, key), least recent first
        self._chars = 0

    @property
    def _items(self):
        """The newest generation's values (read by tests)."""
        with self._lock:
            if not self._by_generation:
                return {}
            return dict(self._by_generation[max(self._by_generation)])

    def __len__(self):
        return len(self._lru)

    def clear(self):
        with self._lock:
            self._empty()


def generation_store(registry):
    return registry_object(registry, "forge_generation_store", GenerationStore)


def generation_cached(request, key, load):
    """``load()``, kept while the site's generations are those the request
    read; computed every time by a request that wrote or has no forge root."""
    generations = _request_generations(request)
    if generations is None:
        return load()
    return generation_store(request.registry).get(generations, key, load)


def generation_prefetch(request, keys, load):
    """For a caller about to ask ``generation_cached`` for several ``keys``:
    those not kept yet are read at once, ``load(missing)`` answering
    ``{key: value}`` for them (after the request's generations were read, as
    ``generation_cached`` calls its ``load``), and kept.  Nothing is read for
    a request whose values are not kept (it wrote, or has no forge root)."""
    generations = _request_generations(request)
    if generations is None:
        return
    store = generation_store(request.registry)
    missing = store.missing(generations, keys)
    if missing:
        for key, value in load(missing).items():
            store.put(generations, key, value)


def _request_generations(request):
    """``page_generations`` read once per request (a thread page asks for each
    of its posts): pages render after their view is done, and views never
    write, so what the first piece saw holds for the rest."""
    memo = request.__dict__
    if "forge_fragment_generations" not in memo:
        memo["forge_fragment_generations"] = page_generations(request)
    return memo["forge_fragment_generations"]


def reader_key(request):
    """What decides what a signed-in reader is shown: user, effective
    principals (token scope markers included) and the CSRF token their forms
    carry ("" for a request signed by an API token alone); None for a visitor
    (the page cache serves them; a form's token would start a session)."""
    user = request.user
    if user is None:
        return None
    return (user._id, tuple(request.principals), request.csrf_token)


def reader_cached(request, key, load):
    """``generation_cached`` under ``key`` and the reader's ``reader_key``;
    computed every time for a visitor."""
    memo = request.__dict__
    if "forge_reader_key" not in memo:
        memo["forge_reader_key"] = reader_key(request)
    reader = memo["forge_reader_key"]
    if reader is None:
        return load()
    return generation_cached(request, (key, reader), load)


#: where a form's CSRF token goes in HTML kept for many readers
#: (``verdict_cached``); random per process, so no text a user wrote (a post
#: that would have a reader's token put into a link) can name it
CSRF_SLOT = "forge-csrf-" + secrets.token_hex(16)


def with_csrf_token(request, html):
    """``html`` with this reader's CSRF token in each ``CSRF_SLOT``; the
    token is asked for only when a form needs it (a visitor's would start a
    session)."""
    if CSRF_SLOT not in html:
        return html
    return Markup(str(html).replace(CSRF_SLOT, str(escape(request.csrf_token))))


def verdict_cached(request, key, verdicts, load):
    """HTML for this reader from ``load()``, kept per generation for every
    signed-in reader whose ``verdicts()`` are equal; ``load`` puts
    ``CSRF_SLOT`` where a form carries the reader's CSRF token, the answer
    has the reader's token there.  ``key`` names the piece (and, as for
    ``reader_cached``, where its links point: the page's URL); ``verdicts()``
    names everything else that differs between readers, or answers None when
    it cannot (the piece is then made for this reader alone).  Visitors, and
    a request that wrote, get it made every time."""
    generations = _request_generations(request)
    decided = verdicts() if generations is not None and request.user is not None else None
    if decided is None:
        return with_csrf_token(request, load())
    return with_csrf_token(request, generation_store(request.registry).get(
        generations, ("verdicts", key, decided), load))
