"""Creating and saving versioned artifacts: snapshots, optimistic saves, revert, diff.

A save names the version it edited.  The update is one atomic
``find_one_and_update`` conditioned on that version, so of two people saving
the same version exactly one wins; the other gets ``StaleSave`` (a 409 page
showing what changed meanwhile) and nothing of theirs overwrites anything.
"""
import difflib


from ..events import ArtifactCreated, ArtifactModified
from ..model import Snapshot, session, utcnow
from ..model.artifact import plain_value
from ..model.session import collection
from ..unit_of_work import change
from . import ActionError, Conflict, flush_or_refuse


class StaleSave(Conflict):
    def __init__(self, artifact, edited_version, changes):
        super().__init__("Someone saved version %d while you were editing version %d; "
                         "your change was not saved." % (artifact.version, edited_version))
        self.artifact = artifact
        self.edited_version = edited_version
        self.changes = changes       # what the other saves changed since edited_version


def create_versioned(registry, cls, actor, comment="", source="web", **fields):
    """Insert a new versioned artifact and its first snapshot (version 1).

    The ``{type}.created`` auditors see ``fields`` as ``change.new``; what they
    leave there is what is saved."""
    with change(registry, ArtifactCreated, node_type=cls, new=fields, actor=actor,
                source=source, comment=comment) as ch:
        fields = ch.new
        now = utcnow()
        path = fields["path"]
        artifact = ch.node = cls(family=path.split("/", 1)[0], version=1, created=now,
                                 modified=now, author_id=actor._id if actor else None, **fields)
        # the holder may be a node the user may not read: the message does not
        # tell that one exists
        flush_or_refuse("The name “%s” is not available here; choose another name." % path,
                        artifact)
        Snapshot(artifact_id=artifact._id, version=1, author_id=artifact.author_id,
                 timestamp=now, comment=comment or "created", data=artifact.snapshot_data())
    return artifact


def save_versioned(registry, artifact, edited_version, changes, actor, comment="",
                   source="web"):
    """Apply ``changes`` (field -> new value) as version ``edited_version + 1``.

    The ``{type}.updated`` auditors get the fields that differ as ``change.new``
    (they may alter or add versioned fields) and every versioned field's
    current value as ``change.old``."""
    changes = _real_changes(artifact, changes)
    if not changes:
        return artifact, False
    with change(registry, ArtifactModified, node=artifact, old=artifact.snapshot_data(),
                new=changes, actor=actor, source=source, edited_version=edited_version,
                comment=comment) as ch:
        changes = _real_changes(artifact, ch.new)
        if not changes:
            ch.nothing_changed()
            return artifact, False
        fresh = _replace_version(artifact, edited_version, changes, actor, comment)
        ch.node = fresh
        ch.event_detail.update(version=fresh.version, fields=sorted(changes))
    return fresh, True


def _replace_version(artifact, edited_version, changes, actor, comment):
    now = utcnow()
    # one conditional whole-document write: exactly one of two saves of the same
    # edited version wins (replace, not $set, keeps datetimes typed on nx-27017)
    documents = collection(type(artifact))
    current = documents.find_one({"_id": artifact._id})
    replaced = None
    if current is not None and current.get("version") == edited_version:
        document = dict(current, **changes)
        document.update(modified=now, version=edited_version + 1)
        replaced = documents.replace_one({"_id": artifact._id, "version": edited_version},
                                         document)
    session.expunge(artifact)
    fresh = type(artifact).query.get(_id=artifact._id)
    if replaced is None or replaced.matched_count != 1:
        raise StaleSave(fresh, edited_version, changes_since(fresh, edited_version))
    Snapshot(artifact_id=fresh._id, version=fresh.version,
             author_id=actor._id if actor else None, timestamp=now,
             comment=comment, data=fresh.snapshot_data())
    return fresh


def _real_changes(artifact, changes):
    return {k: plain_value(v) for k, v in changes.items()
            if k in artifact.versioned_fields
            and plain_value(getattr(artifact, k)) != plain_value(v)}


def revert(registry, artifact, to_version, edited_version, actor):
    """A revert is a new version whose content equals an old one."""
    old = Snapshot.query.get(artifact_id=artifact._id, version=to_version)
    if old is None:
        raise ActionError("There is no version %s." % to_version)
    return save_versioned(registry, artifact, edited_version, dict(old.data), actor,
                          comment="reverted to version %d" % to_version)


def history(artifact, limit=500):
    return Snapshot.query.find({"artifact_id": artifact._id}).sort(
        "version", -1).limit(limit).all()


def snapshot(artifact, version):
    return Snapshot.query.get(artifact_id=artifact._id, version=version)


def changes_since(artifact, version):
    old = snapshot(artifact, version)
    return diff_data(old.data if old else {}, artifact.snapshot_data())


def diff_data(old, new):
    """[(field, [unified diff lines])] for every field that differs."""
    result = []
    for name in sorted(set(old) | set(new)):
        a, b = _text(old.get(name)), _text(new.get(name))
        if a != b:
            lines = list(difflib.unified_diff(a.splitlines(), b.splitlines(),
                                              "before", "after", lineterm="", n=3))
            result.append((name, lines[2:]))
    return result


def _text(value):
    if value is None:
        return ""
    if isinstance(value, dict):
        return "\n".join("%s: %s" % (k, _text(v)) for k, v in sorted(value.items()))
    if isinstance(value, list):
        return "\n".join(_text(v) for v in value)
    return str(value)
