"""Changes to wiki pages: the core's create and delete widened to sub-pages; rename; home.

Rename, delete and undelete take a page *and its sub-pages* (one family: one
query) in one unit of work, announced per page; whenever pages appear or
disappear the wiki's link generation moves.
"""
from pymongo.errors import DuplicateKeyError

from forge.api import (ActionError, ArtifactActions, ArtifactDeleted, ArtifactModified,
                       InvalidName, ToolUpdated, change, check_artifact_path, create_artifact,
                       delete_artifact, plain_value, save_versioned, session, set_fields)

from .model import WikiPage, WikiRedirect, bump_link_generation

TOPIC = "wiki.page.%s"


def clean_path(path):
    try:
        return check_artifact_path((path or "").strip(), "page name")
    except InvalidName as e:
        raise ActionError(str(e)) from None


class NameTaken(ActionError):
    """A page (live or deleted) holds the name.  The message does not say so
    (the holder may be unreadable); a view that knows the user may read
    ``holder`` shows ``precise`` (``tools.wiki.views.refusal``)."""

    def __init__(self, path, holder):
        super().__init__("The name “%s” is not available here; choose another name." % path)
        self.holder = holder
        self.precise = ("A deleted page is named “%s”: undelete it from the deleted pages, "
                        "or choose another name." if holder.deleted
                        else "There is already a page named “%s”.") % path


def check_parent(tool_id, path):
    parent_path, _, name = path.rpartition("/")
    parent = WikiPage.query.get(tool_id=tool_id, path=parent_path) if parent_path else True
    if parent is None or getattr(parent, "deleted", False):
        raise ActionError("There is no page “%s” to put “%s” under; create it first."
                          % (parent_path, name))


def descendants(page):
    prefix = page.path + "/"
    return sorted((d for d in WikiPage.query.find({"tool_id": page.tool_id,
                                                   "family": page.family})
                   if d.path.startswith(prefix)), key=lambda d: d.path)


class PageActions(ArtifactActions):
    """The core's steps, with a page's parent, its name and its sub-pages."""

    def create(self, registry, kind, project_doc, tool_doc, parent_doc, name, fields, actor,
               **kw):
        path = clean_path(parent_doc.path + "/" + name if parent_doc is not None else name)
        check_parent(tool_doc._id, path)
        holder = WikiPage.query.get(tool_id=tool_doc._id, path=path)
        if holder is not None:
            raise NameTaken(path, holder)
        page = super().create(registry, kind, project_doc, tool_doc, None, path, fields, actor,
                              **kw)
        # a redirect of this path would shadow nothing now, but would come back
        # (and could loop) if this page is deleted
        WikiRedirect.query.remove({"tool_id": tool_doc._id, "old_path": path})
        bump_link_generation(tool_doc._id)
        return page

    def delete(self, registry, kind, page, actor):
        """Flag the page and its live sub-pages deleted; returns them."""
        with change(registry, None, topic=TOPIC % "deleted", node=page,
                    old={"deleted": False}, new={"deleted": True}, actor=actor) as ch:
            gone = [page] + [d for d in descendants(page) if not d.deleted]
            for doc in gone:
                set_fields(doc, deleted=True, deleted_with=page._id)
                ch.also_emit(ArtifactDeleted(doc, actor=actor))
            ch.log("wiki.delete", "deleted page %s%s" % (page.path, " and %d sub-pages" % (
                len(gone) - 1) if len(gone) > 1 else ""), path=page.path)
        bump_link_generation(page.tool_id)
        return gone

    def undelete(self, registry, kind, page, actor):
        """Bring back a deleted page and the sub-pages deleted with it."""
        if not page.deleted:
            raise ActionError("The page “%s” is not deleted." % page.path)
        check_parent(page.tool_id, page.path)
        with change(registry, None, topic=TOPIC % "updated", node=page, old={"deleted": True},
                    new={"deleted": False}, actor=actor, action="undelete") as ch:
            back = [page] + [d for d in descendants(page) if d.deleted_with == page._id]
            for doc in back:
                set_fields(doc, deleted=False, deleted_with=None)
                ch.also_emit(ArtifactModified(doc, actor=actor, version=doc.version,
                                              undeleted=True))
            ch.log("wiki.undelete", "undeleted page %s" % page.path, path=page.path)
        bump_link_generation(page.tool_id)
        return back


def create_page(registry, project_doc, tool_doc, path, title, text, actor, private=False,
                comment=""):
    """A new page at ``path`` (its parent page must exist)."""
    return create_artifact(registry, WikiPage, project_doc, tool_doc, None, path,
                           {"title": title, "text": text}, actor, private=private,
                           comment=comment)


delete_page = delete_artifact


def plan_move(page, new_path):
    """[(doc, new path)] for the page and its sub-pages, or ActionError."""
    new_path, old_path = clean_path(new_path), page.path
    if new_path == old_path:
        raise ActionError("The page is already named “%s”." % new_path)
    if new_path.startswith(old_path + "/"):
        raise ActionError("A page cannot move under itself.")
    check_parent(page.tool_id, new_path)
    moving = [page] + descendants(page)
    ids = {doc._id for doc in moving}
    taken = {d.path: d for d in WikiPage.query.find(
        {"tool_id": page.tool_id, "family": new_path.split("/", 1)[0]}) if d._id not in ids}
    plan = [(doc, new_path + doc.path[len(old_path):]) for doc in moving]
    for _doc, path in plan:
        if path in taken:
            raise NameTaken(path, taken[path])
    return plan


def rename_page(registry, page, new_path, actor):
    """Move the page (and its sub-pages) to ``new_path``; old URLs redirect."""
    old_path = page.path
    plan = plan_move(page, new_path)
    with change(registry, None, topic=TOPIC % "updated", node=page, old={"path": old_path},
                new={"path": plan[0][1]}, actor=actor, action="rename") as ch:
        if ch.new["path"] != plan[0][1]:            # an auditor moved it elsewhere
            plan = plan_move(page, ch.new["path"])
        new_path = plan[0][1]
        for doc, old in _move(plan, new_path):
            _redirect(page.tool_id, old, doc.path)
            if not doc.deleted:
                ch.also_emit(ArtifactModified(doc, actor=actor, version=doc.version,
                                              fields=["path"], renamed_from=old,
                                              renamed_to=doc.path))
        ch.log("wiki.rename", "renamed page %s to %s" % (old_path, new_path), path=new_path)
    bump_link_generation(page.tool_id)
    # a title that was the old name follows the new one, in a version that tells it
    old_name, new_name = old_path.rsplit("/", 1)[-1], new_path.rsplit("/", 1)[-1]
    if page.title == old_name and new_name != old_name:
        page, _changed = save_versioned(registry, page, page.version, {"title": new_name},
                                        actor, comment="renamed from %s" % old_path)
    return page


def _place(doc, path):
    set_fields(doc, path=path, family=path.split("/", 1)[0], parent_path=path.rpartition("/")[0])


def _move(plan, new_path):
    """Set each page's new path; [(page, old path)]."""
    moved = []
    try:
        for doc, path in plan:
            moved.append((doc, doc.path))
            _place(doc, path)
    except DuplicateKeyError:
        # a page was created at one of the new paths meanwhile: put back and refuse
        for doc, path in moved[:-1]:
            _place(doc, path)
        raise ActionError("The name “%s” was taken meanwhile; nothing was moved." % new_path)
    return moved


def _redirect(tool_id, old_path, new_path):
    """Old path -> new path; earlier redirects to the old path follow along (no
    chains), and none points at itself."""
    WikiRedirect.query.remove({"tool_id": tool_id, "old_path": {"$in": [old_path, new_path]}})
    for earlier in WikiRedirect.query.find({"tool_id": tool_id, "new_path": old_path}):
        earlier.new_path = new_path
    WikiRedirect(tool_id=tool_id, old_path=old_path, new_path=new_path)
    session.flush()


def set_home(registry, tool, name, actor, version=None):
    """Name the wiki's home page (``options["home"]``, ``project.tool.updated``);
    ``version``: the settings version the form showed (stale: a 409)."""
    name = clean_path(name)
    old = plain_value(dict(tool.options or {}))
    new = dict(old, home=name)
    if new == old:
        return False
    with change(registry, ToolUpdated, node=tool, old={"options": old}, new={"options": new},
                actor=actor, version=version, change="home") as ch:
        tool.options = ch.new["options"]
        ch.log("wiki.home", "set the home page to %s" % name)
        ch.event_detail["changes"] = {"options": "home"}
    return True
