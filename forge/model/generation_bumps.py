"""Writes move the generations (``forge.model.cache`` reads them): which
classes move which counter, and the two paths a write bumps through.

* ``tree``: a write of a tree document (``TREE_CLASS_NAMES``: site,
  neighborhood, project, tool, role, user);
* ``content``: a write of anything a page may show (all but ``NOT_ON_PAGES``
  and the classes marked ``@not_on_pages``);
* a class's own generation (``@own_generation(name)``: watches and mail
  preferences), with ``content``, never ``tree``.

The paths: a Ming flush (``ChangeTracking``, a session extension) and a raw
pymongo write through ``forge.model.session.collection`` (``BumpingCollection``).
Each bump follows its write; ``one_bump`` makes a change's bumps once.
"""
import contextlib
import functools
import threading

from ming.odm.odmsession import SessionExtension

from .site_config_read import GENERATIONS_KEY


class ChangeTracking(SessionExtension):
    """Bumps the generations after a flush that wrote a tree document or
    anything shown on pages."""

    def __init__(self, session):
        super().__init__(session)
        self.tree = self.content = False
        self.own = set()

    def _note(self, name):
        if name in TREE_CLASS_NAMES:
            self.tree = True
        if name in OWN_GENERATION:
            self.own.add(OWN_GENERATION[name])
        if name not in NOT_ON_PAGES:
            self.content = True

    def after_insert(self, obj, st):
        self._note(type(obj).__name__)

    def after_update(self, obj, st):
        self._note(type(obj).__name__)

    def after_delete(self, obj, st):
        self._note(type(obj).__name__)

    def after_remove(self, cls, *args, **kwargs):
        self._note(cls.__name__)
        self.after_flush()

    def after_flush(self, obj=None):
        tree, content, own = self.tree, self.content, self.own
        self.tree = self.content = False
        self.own = set()
        if tree or content or own:
            note_change(tree=tree, content=content, own=own)


TREE_CLASS_NAMES = {"SiteConfig", "Neighborhood", "Project", "ToolInstance", "ProjectRole",
                    "User"}


# {class name: the name of its own generation}
OWN_GENERATION = {}


def own_generation(name):
    """Class decorator: these documents are cached per process under a
    generation of their own, ``name``, a counter beside ``tree`` and
    ``content`` in the generations document (read in the same query).
    Every write of one, through the Ming session or ``collection(cls)``,
    moves it and ``content`` (pages show them), never ``tree``, so writing
    one keeps the cached users, roles and projects.  ``cached_raw(request,
    cls, ...)`` then keeps them in the tree cache's store for ``name``.
    For documents read often and written more often than the tree::

        @own_generation("watches")
        class Watch(MappedClass): ...
    """
    def mark(cls):
        OWN_GENERATION[cls.__name__] = name
        return cls
    return mark

# Documents no page shows (bookkeeping): writing them needs no bump, which would
# cost a round trip and empty every page cache for nothing.  The bus's records
# are named here (an event's save must stay cheap); others use the decorator.
NOT_ON_PAGES = {"OutboxEvent", "ProcessedEvent"}


def not_on_pages(cls):
    """Class decorator: no page shows these documents, so writing them bumps no
    generation.  Only for bookkeeping: a page that shows one would go stale."""
    NOT_ON_PAGES.add(cls.__name__)
    return cls


def note_change(tree=False, content=True, own=()):
    """Bump the generations after a write (the rest of this request then reads
    the tree, or the ``own`` generations' documents, from the database and
    stores no page)."""
    from .session import session
    odm = session._get()
    inc = {}
    if tree:
        odm.forge_tree_changed = True
        inc["tree"] = 1
    if content:
        odm.forge_content_changed = True
        inc["content"] = 1
    if own:
        odm.forge_own_changed = getattr(odm, "forge_own_changed", frozenset()) | set(own)
        inc.update((name, 1) for name in own)
    held = getattr(_held_bumps, "inc", None)
    if held is not None:            # inside one_bump(): made once, when it ends
        held.update(inc)
    elif inc:
        session.db["site_config"].update_one({"key": GENERATIONS_KEY}, {"$inc": inc},
                                             upsert=True)


_held_bumps = threading.local()     # inc: what one_bump() will add (this thread)


@contextlib.contextmanager
def one_bump():
    """The bumps of the writes made within (by this thread's session) are
    made once, when it ends, also after an error: still after the writes,
    so no cache keeps an older document under a newer generation.  For a
    change whose writes go in several commands (a mail's comment and its
    thread's counters): one round trip instead of one per write.  Nested uses
    bump once, at the outermost end.  End it before the change's events go
    out, so that their reactors read at the new generations."""
    from .session import session
    if getattr(_held_bumps, "inc", None) is not None:
        yield
        return
    _held_bumps.inc = held = {}
    try:
        yield
    finally:
        _held_bumps.inc = None
        if held:
            session.db["site_config"].update_one({"key": GENERATIONS_KEY}, {"$inc": held},
                                                 upsert=True)


def note_tree_change():
    """For writes of tree documents that bypass the Ming unit of work."""
    note_change(tree=True)


class BumpingCollection:
    """A pymongo collection whose writes bump the content generation once
    they are done (also when they fail: some of a bulk write may have landed),
    the tree one too with ``tree``, and its class's ``own_generation``
    (``own``: its name, or None)."""

    WRITES = frozenset((
        "insert_one", "insert_many", "update_one", "update_many", "replace_one",
        "delete_one", "delete_many", "find_one_and_update", "find_one_and_replace",
        "find_one_and_delete", "bulk_write"))

    def __init__(self, collection, tree=False, own=None):
        self._collection = collection
        self._tree = tree
        self._own = (own,) if own else ()

    def __getattr__(self, name):
        attribute = getattr(self._collection, name)
        if name not in self.WRITES:
            return attribute

        @functools.wraps(attribute)
        def write(*args, **kwargs):
            try:
                return attribute(*args, **kwargs)
            finally:
                note_change(tree=self._tree, own=self._own)
        return write
