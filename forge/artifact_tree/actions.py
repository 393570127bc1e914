"""Changes to a tree of artifacts: create under a live parent; move, delete, undelete a subtree.

``TreeActions`` widens the core's ``ArtifactActions`` to types whose artifacts
hold others under them by path ("Guide/Install"): an artifact is created only
under a live parent and at a free path; a move takes its sub-artifacts along
and leaves an ``ArtifactRedirect`` per old path; delete takes the live
sub-artifacts along (``deleted_with``) and undelete brings back exactly those.
Each is one unit of work, announced per artifact.  A subclass hears of every
artifact that appears or disappears through ``tree_changed`` (a wiki moves
its link generation there).
"""
from pymongo.errors import DuplicateKeyError

from ..actions import ActionError
from ..actions.tool_options import set_tool_options
from ..actions.versions import save_versioned
from ..artifact_actions import ArtifactActions, kind_of
from ..events import ArtifactDeleted, ArtifactModified
from ..model.session import session, set_fields
from ..names import InvalidName, check_artifact_path
from ..unit_of_work import change
from .model import ArtifactRedirect


def clean_artifact_path(path, noun):
    """A stripped, valid artifact path, or ActionError ("The page name is required.")."""
    try:
        return check_artifact_path((path or "").strip(), "%s name" % noun)
    except InvalidName as e:
        raise ActionError(str(e)) from None


def with_article(noun):
    return ("an " if noun[:1] in "aeiou" else "a ") + noun


def no_parent(noun, path):
    parent_path, _, name = path.rpartition("/")
    return ActionError("There is no %s “%s” to put “%s” under; create it first."
                       % (noun, parent_path, name))


class NameTaken(ActionError):
    """An artifact (live or deleted) holds the path.  The message does not say
    so (the holder may be unreadable); a view that knows the user may read
    ``holder`` shows ``precise`` (``forge.views.artifact_tree``)."""

    def __init__(self, noun, path, holder):
        super().__init__("The name “%s” is not available here; choose another name." % path)
        self.holder = holder
        self.precise = ("A deleted %s is named “%s”: undelete it from the deleted %ss, or "
                        "choose another name." % (noun, path, noun) if holder.deleted
                        else "There is already %s named “%s”." % (with_article(noun), path))


class TreeActions(ArtifactActions):
    """The core's steps, with an artifact's parent, its path and its sub-artifacts.
    The model has ``parent_path`` and ``deleted_with`` (the artifact whose
    deletion took this one)::

        config.add_artifact_type(Page, tool="wiki", form=PageForm,
                                 actions=TreeActions, resource=TreeArtifactResource)
    """

    def tree_changed(self, kind, tool_id):
        """Called after the flush that made artifacts appear or disappear."""

    def check_parent(self, kind, tool_id, path):
        parent_path = path.rpartition("/")[0]
        parent = kind.model.query.get(tool_id=tool_id, path=parent_path) if parent_path else True
        if parent is None or getattr(parent, "deleted", False):
            raise no_parent(kind.noun, path)

    def descendants(self, kind, doc):
        """The artifacts under ``doc``, live or deleted, by path (one family query)."""
        prefix = doc.path + "/"
        return sorted((d for d in kind.model.query.find({"tool_id": doc.tool_id,
                                                         "family": doc.family})
                       if d.path.startswith(prefix)), key=lambda d: d.path)

    def create(self, registry, kind, project_doc, tool_doc, parent_doc, name, fields, actor,
               **kw):
        """``name`` may be a path; its parent must be live and the path free."""
        path = clean_artifact_path(parent_doc.path + "/" + name if parent_doc is not None else name,
                          kind.noun)
        self.check_parent(kind, tool_doc._id, path)
        holder = kind.model.query.get(tool_id=tool_doc._id, path=path)
        if holder is not None:
            raise NameTaken(kind.noun, path, holder)
        doc = super().create(registry, kind, project_doc, tool_doc, None, path, fields, actor,
                             **kw)
        # a redirect of this path shadows nothing now, but would come back (and
        # could loop) if this artifact were deleted
        ArtifactRedirect.query.remove({"tool_id": tool_doc._id, "old_path": path})
        self.tree_changed(kind, tool_doc._id)
        return doc

    def delete(self, registry, kind, doc, actor):
        """Flag the artifact and its live sub-artifacts deleted; returns them."""
        with change(registry, None, topic=kind.name + ".deleted", node=doc,
                    old={"deleted": False}, new={"deleted": True}, actor=actor) as ch:
            gone = [doc] + [d for d in self.descendants(kind, doc) if not d.deleted]
            for each in gone:
                set_fields(each, deleted=True, deleted_with=doc._id)
                ch.also_emit(ArtifactDeleted(each, actor=actor))
            more = " and %d sub-%ss" % (len(gone) - 1, kind.noun) if len(gone) > 1 else ""
            ch.log(kind.tool + ".delete", "deleted %s %s%s" % (kind.noun, doc.path, more),
                   path=doc.path)
        self.tree_changed(kind, doc.tool_id)
        return gone

    def undelete(self, registry, kind, doc, actor):
        """Bring back a deleted artifact and the sub-artifacts deleted with it."""
        if not doc.deleted:
            raise ActionError("The %s “%s” is not deleted." % (kind.noun, doc.path))
        self.check_parent(kind, doc.tool_id, doc.path)
        with change(registry, None, topic=kind.name + ".updated", node=doc,
                    old={"deleted": True}, new={"deleted": False}, actor=actor,
                    action="undelete") as ch:
            back = [doc] + [d for d in self.descendants(kind, doc) if d.deleted_with == doc._id]
            for each in back:
                set_fields(each, deleted=False, deleted_with=None)
                ch.also_emit(ArtifactModified(each, actor=actor, version=each.version,
                                              undeleted=True))
            ch.log(kind.tool + ".undelete", "undeleted %s %s" % (kind.noun, doc.path),
                   path=doc.path)
        self.tree_changed(kind, doc.tool_id)
        return back

    def plan_move(self, kind, doc, new_path):
        """[(artifact, new path)] for ``doc`` and its sub-artifacts, or ActionError."""
        new_path, old_path = clean_artifact_path(new_path, kind.noun), doc.path
        if new_path == old_path:
            raise ActionError("The %s is already named “%s”." % (kind.noun, new_path))
        if new_path.startswith(old_path + "/"):
            raise ActionError("%s cannot move under itself."
                              % with_article(kind.noun).capitalize())
        self.check_parent(kind, doc.tool_id, new_path)
        moving = [doc] + self.descendants(kind, doc)
        ids = {each._id for each in moving}
        taken = {d.path: d for d in kind.model.query.find(
            {"tool_id": doc.tool_id, "family": new_path.split("/", 1)[0]}) if d._id not in ids}
        plan = [(each, new_path + each.path[len(old_path):]) for each in moving]
        for _each, path in plan:
            if path in taken:
                raise NameTaken(kind.noun, path, taken[path])
        return plan

    def move(self, registry, kind, doc, new_path, actor):
        """Move ``doc`` (and its sub-artifacts) to ``new_path``; old paths redirect.
        A title that was the old name follows the new one, in a version that
        tells it ("renamed from ...").  Returns the document."""
        old_path = doc.path
        plan = self.plan_move(kind, doc, new_path)
        with change(registry, None, topic=kind.name + ".updated", node=doc,
                    old={"path": old_path}, new={"path": plan[0][1]}, actor=actor,
                    action="rename") as ch:
            if ch.new["path"] != plan[0][1]:            # an auditor moved it elsewhere
                plan = self.plan_move(kind, doc, ch.new["path"])
            new_path = plan[0][1]
            for each, old in _move(plan, new_path):
                _redirect(doc.tool_id, old, each.path)
                if not each.deleted:
                    ch.also_emit(ArtifactModified(each, actor=actor, version=each.version,
                                                  fields=["path"], renamed_from=old,
                                                  renamed_to=each.path))
            ch.log(kind.tool + ".rename", "renamed %s %s to %s" % (kind.noun, old_path, new_path),
                   path=new_path)
        self.tree_changed(kind, doc.tool_id)
        old_name, new_name = old_path.rsplit("/", 1)[-1], new_path.rsplit("/", 1)[-1]
        if doc.title == old_name and new_name != old_name:
            doc, _changed = save_versioned(registry, doc, doc.version, {"title": new_name},
                                           actor, comment="renamed from %s" % old_path)
        return doc


    def set_home(self, registry, kind, tool_doc, name, actor, version=None):
        """Name the tool's home artifact (``options["home"]``, a ``<tool>.home``
        entry); ``version``: the settings version the form showed (stale: a 409)."""
        name = clean_artifact_path(name, kind.noun)
        return set_tool_options(registry, tool_doc, {"home": name}, actor, "home",
                                "set the home %s to %s" % (kind.noun, name), version=version)


def _place(doc, path):
    set_fields(doc, path=path, family=path.split("/", 1)[0], parent_path=path.rpartition("/")[0])


def _move(plan, new_path):
    """Set each artifact's new path; [(artifact, old path)]."""
    moved = []
    try:
        for doc, path in plan:
            moved.append((doc, doc.path))
            _place(doc, path)
    except DuplicateKeyError:
        # an artifact was created at one of the new paths meanwhile: put back and refuse
        for doc, path in moved[:-1]:
            _place(doc, path)
        raise ActionError("The name “%s” was taken meanwhile; nothing was moved." % new_path)
    return moved


def _redirect(tool_id, old_path, new_path):
    """Old path -> new path; earlier redirects to the old path follow along (no
    chains), and none points at itself."""
    ArtifactRedirect.query.remove({"tool_id": tool_id, "old_path": {"$in": [old_path, new_path]}})
    for earlier in ArtifactRedirect.query.find({"tool_id": tool_id, "new_path": old_path}):
        earlier.new_path = new_path
    ArtifactRedirect(tool_id=tool_id, old_path=old_path, new_path=new_path)
    session.flush()


def move_artifact(registry, doc, new_path, actor):
    """``TreeActions.move`` of ``doc``'s declared type."""
    kind = kind_of(registry, doc)
    if not isinstance(kind.actions, TreeActions):
        raise ActionError("%s cannot be moved." % with_article(kind.noun).capitalize())
    return kind.actions.move(registry, kind, doc, new_path, actor)
