"""The tantivy index: one schema, one writer at a time, readers that reload.

**Concurrency.**  tantivy allows one ``IndexWriter`` per index directory
(a lock file).  The writer is taken for one batch (``writing()``: add,
delete, commit) and released right after, so the process running the
``forge.search`` reactor (``forge worker``, or ``forge serve``'s worker
threads on ``memory://``) and ``forge admin reindex`` take turns; a writer
busy elsewhere is waited for (up to ``LOCK_WAIT`` seconds, then the reactor
fails and the bus retries it).  Searchers (every web process) open the same
directory read-only and ``reload()`` when ``meta.json`` changed since they
last looked (one ``stat`` per search), so a commit made by another process
is seen by the next query.  ``signature()`` names the committed state a
searcher sees (``meta.json``'s inode, size, mtime and ctime: tantivy replaces
that file on every commit; a counter of commits for an index in memory,
which only this process writes), and ``view(at)`` gives a searcher at least
as new as a signature read before: the search page is kept by the page cache
under it (``forge.page_cache.depends_on``).  Several machines need one index each (each fed
by its own reactor queue), or a shared file system; see DESIGN.md.
"""
import logging
import os
import re
import tempfile
import itertools
import threading
import time
from contextlib import contextmanager

import tantivy

from .node import index_directory

log = logging.getLogger(__name__)

LOCK_WAIT = 10.0
WRITER_HEAP = 32_000_000
# tantivy's default tokenizer: alphanumeric runs, lower-cased, tokens of 40+ bytes dropped
TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_INSTANCES = itertools.count(1)
RAW_FIELDS = ("id", "type", "project_id", "projects", "project", "tool_id", "tool",
              "labels", "author", "acl_shape", "acl_allow", "acl_deny")


def tokens(text):
    return [t for t in (m.lower() for m in TOKEN.findall(text or ""))
            if len(t.encode("utf-8")) < 40]


def build_schema():
    builder = tantivy.SchemaBuilder()
    for name in ("id", "type", "project_id", "tool_id"):
        builder.add_text_field(name, stored=True, tokenizer_name="raw")
    for name in ("projects", "project", "tool", "labels", "author"):
        builder.add_text_field(name, stored=name in ("labels", "author"),
                               tokenizer_name="raw")
    for name in ("acl_shape", "acl_allow", "acl_deny"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_text_field("title", stored=True)
    builder.add_text_field("text", stored=True)
    builder.add_json_field("fields")
    builder.add_float_field("created", stored=True, fast=True, indexed=False)
    builder.add_float_field("modified", stored=True, fast=True, indexed=False)
    # where the result lives: URL path below the forge root, and "Project › Tool"
    builder.add_text_field("url", stored=True, index_option="basic", tokenizer_name="raw")
    builder.add_text_field("where", stored=True, index_option="basic", tokenizer_name="raw")
    return builder.build()


class SearchIndex:
    """One tantivy index (a directory, or memory when ``path`` is empty)."""

    def __init__(self, path=""):
        self.schema = build_schema()
        self.path = path or None
        if self.path:
            os.makedirs(self.path, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=self.path, reuse=True)
        # the reader moves to a newer commit only in ``refresh`` (which every
        # search calls): then one ``ReaderState`` names exactly what the
        # searchers see, and what is kept on it can never be older
        self.index.config_reader(reload_policy="manual")
        self._lock = threading.RLock()
        self._meta = os.path.join(self.path, "meta.json") if self.path else None
        # the signature of the state the reader was last reloaded to (or newer)
        self._loaded = None
        self._state = None
        # an index in memory: only this process commits to it; count its commits
        self._instance = next(_INSTANCES)
        self._commits = 0

    # -- writing --------------------------------------------------------------

    @contextmanager
    def writing(self):
        """A writer for one batch: ``with index.writing() as w: w.add(...)``."""
        with self._lock:
            writer = self._open_writer()
            batch = Batch(self, writer)
            try:
                yield batch
                writer.commit()
            except BaseException:
                writer.rollback()
                raise
            finally:
                writer.wait_merging_threads()
                del writer
            self.refresh(force=True)
            # after the reload: a signature read from now on names a state
            # that the reader holds
            self._commits += 1

    def _open_writer(self):
        deadline = time.monotonic() + LOCK_WAIT
        while True:
            try:
                return self.index.writer(heap_size=WRITER_HEAP, num_threads=1)
            except ValueError as error:
                if "lock" not in str(error).lower() or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    # -- reading --------------------------------------------------------------

    def signature(self):
        """The committed state, cheaply: what ``meta.json`` is now (tantivy
        rewrites it, by a rename, on every commit), or for an index in memory
        the count of this process's commits."""
        if self._meta is None:
            return ("memory", self._instance, self._commits)
        try:
            st = os.stat(self._meta)
        except OSError:
            return ("none",)
        return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)

    def refresh(self, force=False, at=None):
        """Reload the searchers when another writer committed (``meta.json``
        moved): ``at`` is a signature read before (else read now); afterwards
        the searchers see that state or a newer one."""
        if self._meta is None:
            if force:
                with self._lock:
                    self.index.reload()
                    self._state = None
            return
        signature = self.signature() if at is None else at
        if force or signature != self._loaded:
            with self._lock:
                self.index.reload()
                self._state = None
                self._loaded = signature

    def searcher(self, at=None):
        self.refresh(at=at)
        return self.index.searcher()

    def view(self, at=None):
        """(searcher, state): a searcher at least as new as the signature
        ``at`` (read before; None: now) and the ``ReaderState`` of exactly
        the commit it sees (both taken under the lock ``refresh`` reloads under)."""
        self.refresh(at=at)
        with self._lock:
            searcher = self.index.searcher()
            if self._state is None:
                self._state = ReaderState(searcher, self.schema)
            return searcher, self._state


class ReaderState:
    """What one loaded commit of the index holds, worked out once for every
    search made on it: the ``acl_shape`` terms present (the read filter needs
    one branch each), the read filter's terms that some document carries, and
    what ``kept`` stores (a result's fields and snippet, its row).  Replaced on
    every reload, so nothing kept here outlives the documents it was made from.
    Nothing kept is per reader: which documents a reader gets is decided by the
    trimmed query alone, every time."""

    MAX_KEPT = 4000     # results (and rows) of a few hundred distinct pages

    def __init__(self, searcher, schema):
        self.shapes = [term for term, count in searcher.terms_with_prefix("acl_shape", "")
                       if count]
        self._searcher = searcher
        self._present = {}
        self._kept = {}
        # the one shape that every live document carries, if there is one: a
        # reader's filter then needs no shape term (see ``acl.read_filter``)
        self.universal_shape = None
        if len(self.shapes) == 1:
            only = tantivy.Query.term_query(schema, "acl_shape", self.shapes[0])
            if searcher.search(only, 1, count=True).count == searcher.num_docs:
                self.universal_shape = self.shapes[0]

    def present(self, field, term):
        """Does any document (live or deleted) carry ``term``?  A term no one
        carries can be left out of a query without changing what it matches."""
        key = (field, term)
        known = self._present.get(key)
        if known is None:
            if len(self._present) >= self.MAX_KEPT:
                self._present = {}
            known = self._present[key] = self._searcher.doc_freq(field, term) > 0
        return known

    def kept(self, key, load):
        """``load()`` once per ``key`` for this commit (bounded: the oldest go)."""
        try:
            return self._kept[key]
        except KeyError:
            pass
        value = load()
        if len(self._kept) >= self.MAX_KEPT:
            try:
                del self._kept[next(iter(self._kept))]
            except (KeyError, RuntimeError, StopIteration):
                pass        # another thread evicted it first
        self._kept[key] = value
        return value


class Batch:
    def __init__(self, index, writer):
        self.index = index
        self.writer = writer
        self.added = 0

    def delete(self, doc_id):
        self.writer.delete_documents_by_term("id", doc_id)

    def delete_where(self, field, value):
        self.writer.delete_documents_by_term(field, value)

    def add(self, fields):
        """Replace the document ``fields["id"]``."""
        self.writer.delete_documents_by_term("id", fields["id"])
        self.writer.add_document(tantivy.Document(**fields))
        self.added += 1


def open_index(settings):
    """The index the settings name: ``forge.search.path``, else
    ``<forge.data_dir>/search-index`` (``search-index-NODE`` on a search node,
    ``forge.search.node``), else a temporary one (with a warning)."""
    path = index_directory(settings)
    if not path:
        log.warning("search: neither forge.search.path nor forge.data_dir is set; "
                    "the index lives in memory and is lost on exit")
    return SearchIndex(path)


def temporary_index():
    return SearchIndex(tempfile.mkdtemp(prefix="forge-search-"))
