"""Extra indexes that let the embedded server use the declared ones.

nx-27017 (on neosqlite) writes an equality ``{"tool_id": x}`` as a plain,
indexable SQL comparison only when the field *ends* some index's key list
(that is how it decides a field "has an index"); for any other field it adds
an OR for array membership, and that OR makes SQLite scan the whole
collection, whatever compound index starts with the field.  Measured on the
page benchmark's 10,000 tickets: ``{"tool_id": t, "path": "5000"}`` 155 ms
before, 0.9 ms after; a filtered, sorted ticket page 218 ms before, 4 ms after.

So on that server every field that leads a compound index gets an index that
ends with it: the shortest prefix of a declared index ending there
(``(tool_id, deleted, number)`` gives ``(tool_id,)`` and ``(tool_id,
deleted)``).  Array fields are left out: an equality on an indexed array field
finds nothing there (DESIGN.md, "Writing portably").  MongoDB needs none of
this (prefixes of a compound index serve it already), so the extra indexes are
created only where the server names itself ``nx_27017`` in ``buildInfo``, or
where ``forge.db.equality_indexes`` says ``true``.
"""
import logging

from ming import schema as S
from ming.odm import Mapper

log = logging.getLogger(__name__)


def declared_indexes():
    """collection name -> (list of index key lists, set of array field names),
    over every mapped class (polymorphic subclasses share their base's collection)."""
    found = {}
    for mapper in Mapper.all_mappers():
        meta = mapper.collection.m
        name = meta.collection_name
        if not name:
            continue
        keys, arrays = found.setdefault(name, ([], set()))
        for index in meta.indexes:
            spec = [field for field, _direction in index.index_spec]
            if spec not in keys:
                keys.append(spec)
        schema = meta.schema
        for field, kind in getattr(schema, "fields", {}).items():
            if isinstance(kind, S.Array):
                arrays.add(field)
    return found


def equality_prefixes(index_keys, array_fields):
    """The prefixes to add so that each field leading an index ends one."""
    ending = {keys[-1] for keys in index_keys}
    wanted = []
    for keys in index_keys:
        for i, field in enumerate(keys[:-1]):
            if field in ending or field in array_fields or "." in field:
                continue
            prefix = keys[:i + 1]
            ending.add(field)
            wanted.append(prefix)
    return wanted


def server_wants_them(db, setting="auto"):
    if setting in (True, "true", "1", "yes", "on"):
        return True
    if setting in (False, "false", "0", "no", "off"):
        return False
    try:
        return db.client.admin.command("buildInfo").get("process") == "nx_27017"
    except Exception:          # a server that will not say is not the embedded one
        return False


def ensure_equality_indexes(db, setting="auto"):
    """Create the prefixes on the embedded server; return how many were asked for."""
    if not server_wants_them(db, setting):
        return 0
    count = 0
    for name, (keys, arrays) in declared_indexes().items():
        for prefix in equality_prefixes(keys, arrays):
            db[name].create_index([(field, 1) for field in prefix])
            count += 1
    log.debug("ensured %d equality indexes for the embedded server", count)
    return count
