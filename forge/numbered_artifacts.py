"""Artifact types whose artifacts are numbered 1, 2, 3... per tool (a tracker's
tickets; a code tool's merge requests would be too).

``NumberedActions`` is the ``actions=`` of such a type: an artifact's path and
family are its number as a string (``/<mount>/12`` resolves in the usual one
query) and the number is kept in its ``number`` field.  The number is taken
inside the unit of work, after the ``{type}.created`` auditors accepted the
artifact, from the tool's counter (``forge.counters``), so a refused artifact
uses no number and the insert that follows cannot collide::

    class TicketActions(NumberedActions):
        counter = TicketCounter          # a mapped class: _id (the tool's id), last

        def prepare(self, kind, tool_doc, fields):
            fields.setdefault("status", "open")
            return fields
"""
from .actions import flush_or_refuse
from .artifact_actions import ArtifactActions
from .counters import next_number
from .events import ArtifactCreated
from .model import Snapshot, utcnow
from .unit_of_work import change


class NumberedActions(ArtifactActions):
    """See the module docstring; ``counter``: the mapped class of the counters."""

    counter = None

    def prepare(self, kind, tool_doc, fields):
        """The fields to store (the type's versioned fields given), run before
        the auditors and again on what they left; raise ``ActionError`` to refuse."""
        return fields

    def stored_with(self, actor):
        """Fields the new artifact is inserted with besides the form's (its
        reporter, say): set here, not in ``created``, they cost no update
        after the insert (default: none)."""
        return {}

    def created(self, doc, actor):
        """Called in the unit of work once the artifact is stored (default: nothing)."""

    def create(self, registry, kind, project_doc, tool_doc, parent_doc, name, fields, actor,
               private=False, comment="", source="web"):
        """Create artifact N+1 of the tool (``parent_doc`` and ``name`` are unused:
        the number is the name)."""
        def versioned(values):
            return {k: v for k, v in values.items() if k in kind.model.versioned_fields}
        fields = self.prepare(kind, tool_doc, versioned(fields))
        acl = self.private_acl(kind, project_doc, actor) if private else []
        with change(registry, ArtifactCreated, node_type=kind.model, new=fields, actor=actor,
                    source=source, tool_id=tool_doc._id, private=private) as unit:
            fields = self.prepare(kind, tool_doc, versioned(unit.new))
            number = next_number(self.counter, tool_doc._id)
            now, author_id = utcnow(), actor._id if actor else None
            doc = unit.node = kind.model(
                path=str(number), family=str(number), number=number, acl=acl, version=1,
                project_id=tool_doc.project_id, tool_id=tool_doc._id, created=now, modified=now,
                author_id=author_id, **dict(fields, **self.stored_with(actor)))
            flush_or_refuse("%s #%d exists already." % (kind.noun.capitalize(), number), doc)
            Snapshot(artifact_id=doc._id, version=1, author_id=author_id, timestamp=now,
                     comment=comment or "created", data=doc.snapshot_data())
            self.created(doc, actor)
            unit.event_detail["number"] = number
        return doc
