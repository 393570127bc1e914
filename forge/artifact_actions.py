"""Changes to artifacts of a declared type: create (optionally private), save, delete, undelete.

Creation and saves go through ``forge.actions.versions`` (snapshots,
optimistic saves); deletion is a flag, audited, logged and announced like any
change.  ``ArtifactActions`` holds the steps of every declared type; a tool
whose type does more (a wiki page's sub-pages, a ticket's number) subclasses
it and passes ``actions=`` to ``config.add_artifact_type``.  The module
functions find the type's actions through the registry, for callers that
hold a model or a document.
"""
from .actions.roles import role_named
from .actions.versions import create_versioned, save_versioned
from .events import ArtifactDeleted, ArtifactModified
from .model.acl import user_principal, with_privacy
from .model.session import set_fields
from .unit_of_work import change

#: in ``private_readers``: the artifact's author reads it
AUTHOR = "author"


class ArtifactActions:
    """The steps of each change; the methods get the ``ArtifactType`` as ``kind``."""

    def private_acl(self, kind, project_doc, author):
        """A private artifact's own ACL: readable by ``kind.private_readers``
        (project role names, or ``AUTHOR``) and denied to everyone else."""
        readers = []
        for reader in kind.private_readers:
            if reader == AUTHOR:
                if author is not None:
                    readers.append(user_principal(author._id))
                continue
            role = role_named(project_doc, reader)
            if role is not None:
                readers.append(role.principal)
        return with_privacy([], True, readers)

    def create(self, registry, kind, project_doc, tool_doc, parent_doc, name, fields, actor,
               private=False, comment="", source="web"):
        """Create the artifact named ``name`` at the top of the tool or under
        ``parent_doc`` (types whose model has a ``parent_path``); ``source``:
        where the change comes from ("web", "system", "demo", ...)."""
        parent_path = parent_doc.path if parent_doc is not None else ""
        path = parent_path + "/" + name if parent_path else name
        data = {k: fields[k] for k in kind.model.versioned_fields if k in fields}
        if kind.nested:
            # a name may itself be a path ("Guide/Install", a wiki's): its parent is
            # what comes before the last "/"
            data["parent_path"] = path.rpartition("/")[0]
        acl = self.private_acl(kind, project_doc, actor) if private else []
        return create_versioned(registry, kind.model, actor, comment=comment, source=source,
                                path=path, project_id=tool_doc.project_id,
                                tool_id=tool_doc._id, acl=acl, **data)

    def save(self, registry, kind, doc, edited_version, fields, actor, comment=""):
        """Save ``fields`` as the next version; raises StaleSave if
        ``edited_version`` is not the current one.  Returns (doc, changed)."""
        changes = {k: fields[k] for k in doc.versioned_fields if k in fields}
        return save_versioned(registry, doc, edited_version, changes, actor, comment=comment)

    def delete(self, registry, kind, doc, actor):
        """Mark the artifact deleted: it answers 404 from now on, and so do the
        artifacts under it (they are reached through it)."""
        self._set_deleted(registry, kind, doc, actor, ArtifactDeleted, "delete")

    def undelete(self, registry, kind, doc, actor):
        """Bring a deleted artifact back (an update with ``undeleted=True``)."""
        self._set_deleted(registry, kind, doc, actor, ArtifactModified, "undelete",
                          version=doc.version, undeleted=True)

    def _set_deleted(self, registry, kind, doc, actor, event_class, action, **event_detail):
        deleted = action == "delete"
        with change(registry, event_class, node=doc, actor=actor,
                    old={"deleted": not deleted}, new={"deleted": deleted}) as unit:
            set_fields(doc, deleted=deleted)
            unit.log("%s.%s" % (kind.tool, action), "%sd %s %s" % (action, kind.noun, doc.title),
                     path=doc.path)
            unit.event_detail.update(event_detail)


def kind_of(registry, doc_or_model):
    """The declared ``ArtifactType`` of a model or a document (LookupError: none)."""
    kind = registry.forge_artifact_types.of(doc_or_model)
    if kind is None:
        raise LookupError("no artifact type declared for %r" % doc_or_model)
    return kind


def create_artifact(registry, model, *args, **kw):
    """``ArtifactActions.create`` of ``model``'s declared type."""
    kind = kind_of(registry, model)
    return kind.actions.create(registry, kind, *args, **kw)


def save_artifact(registry, doc, edited_version, fields, actor, comment=""):
    kind = kind_of(registry, doc)
    return kind.actions.save(registry, kind, doc, edited_version, fields, actor, comment)


def delete_artifact(registry, doc, actor):
    kind = kind_of(registry, doc)
    return kind.actions.delete(registry, kind, doc, actor)


def undelete_artifact(registry, doc, actor):
    kind = kind_of(registry, doc)
    return kind.actions.undelete(registry, kind, doc, actor)
