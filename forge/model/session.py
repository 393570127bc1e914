"""The Ming session every document class maps to, and how it is bound.

Ming keeps sessions in a process-wide registry by name; we use one named
``main``.  ``bind_datastore`` points it at ``ming.main.uri`` (``mim://`` in unit
tests, ``mongodb://`` everywhere else).
"""
from datetime import datetime, timezone

from ming import Session, create_datastore
from ming.odm import Mapper, ThreadLocalODMSession

doc_session = Session.by_name("main")
session = ThreadLocalODMSession(doc_session=doc_session)


def utcnow():
    """Naive UTC, as Ming and BSON store it."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def bind_datastore(uri, database="forge"):
    if uri.startswith("mim://"):
        datastore = create_datastore("mim:///" + database)
    else:
        datastore = create_datastore(uri, database=database,
                                     serverSelectionTimeoutMS=5000)
    doc_session.bind = datastore
    return datastore


def ensure_indexes():
    """Create every index declared in a ``__mongometa__`` (idempotent)."""
    Mapper.compile_all()
    Mapper.ensure_all_indexes()


def collection(cls):
    """The pymongo collection behind a mapped class (for atomic operations)."""
    return session.db[cls.query.mapper.collection.m.collection_name]
