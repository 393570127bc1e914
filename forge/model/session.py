"""The Ming session every document class maps to, and how it is bound.

Ming keeps sessions in a process-wide registry by name; we use one named
``main``.  ``bind_datastore`` points it at ``ming.main.uri`` (``mim://`` in unit
tests, ``mongodb://`` everywhere else).
"""
from datetime import datetime, timezone

from bson import ObjectId

from ming import Session, create_datastore
from ming.odm import Mapper, ThreadLocalODMSession, state
from ming.odm.odmsession import ObjectState
from pymongo.errors import BulkWriteError, DuplicateKeyError
from pymongo.uri_parser import parse_uri

from .generation_bumps import (NOT_ON_PAGES, OWN_GENERATION, TREE_CLASS_NAMES,
                               BumpingCollection, ChangeTracking)

SERVER_SELECTION_TIMEOUT_MS = 3000
doc_session = Session.by_name("main")
session = ThreadLocalODMSession(doc_session=doc_session,
                                extensions=[ChangeTracking])


def new_id():
    """Document ids are ObjectId hex strings, and references to them are the
    same strings.  The embedded wire-protocol server (nx-27017) cannot match a
    BSON ObjectId stored in an ordinary field (it falls back to a Python scan
    that compares unequal), while strings match by index on it and on MongoDB.
    """
    return str(ObjectId())


def utcnow():
    """Naive UTC, as Ming and BSON store it."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def bind_datastore(uri, database="forge", auto_ensure_indexes=True):
    """``auto_ensure_indexes=False`` (a server, not mim://): Ming does not create a
    collection's indexes again at its first use in the process; for an app that
    ensured every index at start (``forge.ensure_indexes``) that was ~180
    createIndexes per process, ~0.45 s of CPU between client and nx-27017."""
    if uri.startswith("mim://"):
        datastore = create_datastore("mim:///" + database)
    else:
        # a request fails within seconds (503, forge.unavailable) while the
        # server is down, rather than holding its thread; a server back within
        # that time (the embedded one restarting) answers the waiting request
        datastore = create_datastore(with_database(uri, database),
                                     serverSelectionTimeoutMS=SERVER_SELECTION_TIMEOUT_MS,
                                     auto_ensure_indexes=auto_ensure_indexes)
    doc_session.bind = datastore
    return datastore


def with_database(uri, database):
    """``mongodb://h:p/?opts`` -> ``mongodb://h:p/forge?opts``; a URI naming a
    database keeps its own."""
    if parse_uri(uri)["database"]:
        return uri
    base, sep, query = uri.partition("?")
    if base.count("/") == 2:          # mongodb://host:port
        base += "/"
    return base + database + sep + query


def ensure_indexes(equality_indexes="auto"):
    """Create every index declared in a ``__mongometa__`` (idempotent), and on
    the embedded server the prefixes it needs to use them
    (``forge.model.equality_indexes``)."""
    from .equality_indexes import ensure_equality_indexes
    from .index_changes import drop_changed_indexes
    Mapper.compile_all()
    drop_changed_indexes(doc_session.db)
    Mapper.ensure_all_indexes()
    ensure_equality_indexes(doc_session.db, equality_indexes)


def set_fields(doc, **fields):
    """Write only these fields of ``doc``, so a concurrent change to its other
    fields (a new version of an artifact, say) is not overwritten by Ming's
    whole-document save of the copy this request loaded.

    Read, change, and replace the current document (guarded by its version
    when it has one, retried if that moved).  Not ``$set``: the embedded
    server stores a ``$set`` datetime as a string and a boolean as an integer.
    """
    documents = collection(type(doc))
    for _attempt in range(20):
        current = documents.find_one({"_id": doc._id})
        if current is None:
            raise LookupError("%s %s no longer exists" % (type(doc).__name__, doc._id))
        guard = {"_id": doc._id}
        if "version" in current:
            guard["version"] = current["version"]
        if documents.replace_one(guard, dict(current, **fields)).matched_count == 1:
            break
    else:
        raise RuntimeError("could not update %s %s: it kept changing" % (
            type(doc).__name__, doc._id))
    for name, value in fields.items():
        setattr(doc, name, value)
    state(doc).status = ObjectState.clean


def collection(cls, bump=True):
    """The pymongo collection behind a mapped class (for atomic operations).

    Its writes bump the generations (``forge.model.cache``) like a flush does,
    unless the class is bus bookkeeping that no page shows, or the caller says
    ``bump=False`` for fields no page and no cached read uses."""
    raw = session.db[cls.query.mapper.collection.m.collection_name]
    if not bump or cls.__name__ in NOT_ON_PAGES:
        return raw
    return BumpingCollection(raw, tree=cls.__name__ in TREE_CLASS_NAMES,
                             own=OWN_GENERATION.get(cls.__name__))


def find_by_ids(target, ids, fields=None):
    """{_id: stored document} of ``ids`` (falsy ones left out) in the pymongo
    collection ``target``, in one read: ``_id $in`` is indexed on both
    servers (the embedded one scans only for other fields), and one id alone
    is one equality.  The reactors read a batch's posts and artifacts so."""
    ids = sorted({i for i in ids if i})
    if not ids:
        return {}
    query = {"_id": ids[0]} if len(ids) == 1 else {"_id": {"$in": ids}}
    return {raw["_id"]: raw for raw in target.find(query, fields)}


def insert_all_new(target, documents):
    """Insert ``documents`` into the pymongo collection ``target`` in one
    unordered write; those whose ``_id`` is stored already (a duplicate
    delivery, a retry's markers) are left as they are, any other error
    raises.  mim:// stops at the first duplicate: the rest go one by one."""
    if not documents:
        return
    try:
        target.insert_many(documents, ordered=False)
    except BulkWriteError as error:
        others = [e for e in error.details.get("writeErrors", ()) if e.get("code") != 11000]
        if others or error.details.get("writeConcernErrors"):
            raise
    except DuplicateKeyError:
        for document in documents:
            try:
                target.insert_one(document)
            except DuplicateKeyError:
                pass
