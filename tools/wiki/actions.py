"""Changes to wiki pages: create, save, rename (move), delete and undelete.

Creation and saves go through the core's ``forge.actions.versions`` (snapshots,
optimistic saves, ``wiki.page.created|updated``).  Rename, delete and undelete
touch a page *and its sub-pages* (all in the page's family: one query), each
audited once and announced per page:

* rename: ``wiki.page.updated`` with detail ``renamed_from``/``renamed_to``;
  the old paths are kept as ``WikiRedirect`` records;
* delete: ``wiki.page.deleted`` per page;
* undelete: ``wiki.page.updated`` with detail ``undeleted=True`` (the page
  keeps its id and history, so it is an update, not a creation).

Whenever pages appear or disappear the wiki's link generation moves, so cached
HTML with ``[[links]]`` is rendered again.
"""
from pymongo.errors import DuplicateKeyError

from forge.api import (ActionError, ArtifactDeleted, ArtifactModified, InvalidName, ToolUpdated,
                       change, check_artifact_path, create_versioned, plain_value, role_named,
                       save_versioned, session, set_fields, user_principal, with_privacy)

from .model import WikiPage, WikiRedirect, bump_link_generation

TOPIC = "wiki.page.%s"


def page_acl(project_doc, author, private):
    """A page's own ACL: empty (inherit), or readable by the project's
    developers and its author only."""
    if not private:
        return []
    readers = []
    developer = role_named(project_doc, "Developer")
    if developer is not None:
        readers.append(developer.principal)
    if author is not None:
        readers.append(user_principal(author._id))
    return with_privacy([], True, readers)


def clean_path(path):
    try:
        return check_artifact_path((path or "").strip(), "page name")
    except InvalidName as e:
        raise ActionError(str(e))


def stored_page(tool_id, path):
    return WikiPage.query.get(tool_id=tool_id, path=path)


class NameTaken(ActionError):
    """A page (live or deleted) holds the name.  Its message does not say so:
    the holder may be a page the user may not read, and a message must not
    tell that it exists.  A view that knows the user may read ``holder``
    shows ``precise`` instead (``tools.wiki.views.refusal``)."""

    def __init__(self, path, holder):
        super().__init__("The name “%s” is not available here; choose another name." % path)
        self.path = path
        self.holder = holder
        if holder.deleted:
            self.precise = ("A deleted page is named “%s”: undelete it from the deleted "
                            "pages, or choose another name." % path)
        else:
            self.precise = "There is already a page named “%s”." % path


def check_free(tool_id, path):
    found = stored_page(tool_id, path)
    if found is not None:
        raise NameTaken(path, found)


def check_parent(tool_id, path):
    parent_path = path.rpartition("/")[0]
    if not parent_path:
        return None
    parent = stored_page(tool_id, parent_path)
    if parent is None or parent.deleted:
        raise ActionError("There is no page “%s” to put “%s” under; create it first."
                          % (parent_path, path.rpartition("/")[2]))
    return parent


def create_page(registry, project_doc, tool_doc, path, title, text, actor,
                private=False, comment=""):
    """A new page at ``path`` (its parent page must exist)."""
    path = clean_path(path)
    check_parent(tool_doc._id, path)
    check_free(tool_doc._id, path)
    page = create_versioned(
        registry, WikiPage, actor, comment=comment, path=path,
        parent_path=path.rpartition("/")[0], project_id=tool_doc.project_id,
        tool_id=tool_doc._id, acl=page_acl(project_doc, actor, private),
        title=title, text=text)
    # a page here now: the old redirect of this path would shadow nothing but
    # would come back (and could loop) if this page is deleted
    WikiRedirect.query.remove({"tool_id": tool_doc._id, "old_path": path})
    bump_link_generation(tool_doc._id)
    return page


def update_page(registry, page, edited_version, title, text, actor, comment=""):
    """Save the next version; raises StaleSave if ``edited_version`` is stale.
    Returns (page, changed)."""
    return save_versioned(registry, page, edited_version, {"title": title, "text": text},
                          actor, comment=comment)


def family_pages(page):
    return WikiPage.query.find({"tool_id": page.tool_id, "family": page.family}).all()


def descendants(page, pages=None):
    prefix = page.path + "/"
    return sorted((d for d in (pages if pages is not None else family_pages(page))
                   if d.path.startswith(prefix)), key=lambda d: d.path)


def plan_move(page, new_path):
    """[(doc, new path)] for the page and its sub-pages, or ActionError."""
    new_path = clean_path(new_path)
    old_path = page.path
    if new_path == old_path:
        raise ActionError("The page is already named “%s”." % new_path)
    if new_path.startswith(old_path + "/"):
        raise ActionError("A page cannot move under itself.")
    check_parent(page.tool_id, new_path)
    moving = [page] + descendants(page)
    plan = [(doc, new_path + doc.path[len(old_path):]) for doc in moving]
    moving_ids = {doc._id for doc in moving}
    new_family = new_path.split("/", 1)[0]
    taken = {d.path: d for d in WikiPage.query.find(
        {"tool_id": page.tool_id, "family": new_family}) if d._id not in moving_ids}
    for _doc, path in plan:
        if path in taken:
            raise NameTaken(path, taken[path])
    return plan


def rename_page(registry, page, new_path, actor):
    """Move the page (and its sub-pages) to ``new_path``; old URLs redirect."""
    old_path = page.path
    plan = plan_move(page, new_path)
    # one change, announced per page moved (none for the main page alone)
    with change(registry, None, topic=TOPIC % "updated", node=page, old={"path": old_path},
                new={"path": plan[0][1]}, actor=actor, action="rename") as ch:
        if ch.new["path"] != plan[0][1]:
            plan = plan_move(page, ch.new["path"])
        new_path = plan[0][1]
        moved = _move(plan, new_path)
        for doc, old in moved:
            _redirect(page.tool_id, old, doc.path)
        ch.log("wiki.rename", "renamed page %s to %s" % (old_path, new_path), path=new_path)
        for doc, old in moved:
            if not doc.deleted:
                ch.also_emit(ArtifactModified(doc, actor=actor, version=doc.version,
                                              fields=["path"], renamed_from=old,
                                              renamed_to=doc.path))
    bump_link_generation(page.tool_id)
    # a title that was the old name follows the new one (a version whose
    # comment tells the rename in the page's history)
    old_name, new_name = old_path.rsplit("/", 1)[-1], new_path.rsplit("/", 1)[-1]
    if page.title == old_name and new_name != old_name:
        page, _changed = save_versioned(registry, page, page.version, {"title": new_name},
                                        actor, comment="renamed from %s" % old_path)
    return page


def _move(plan, new_path):
    """Set each page's new path; [(page, old path)]."""
    moved = []
    try:
        for doc, path in plan:
            moved.append((doc, doc.path))
            set_fields(doc, path=path, family=path.split("/", 1)[0],
                       parent_path=path.rpartition("/")[0])
    except DuplicateKeyError:
        # someone created a page at one of the new paths meanwhile: put back
        # what moved already and refuse
        for doc, path in moved[:-1]:
            set_fields(doc, path=path, family=path.split("/", 1)[0],
                       parent_path=path.rpartition("/")[0])
        raise ActionError("The name “%s” was taken meanwhile; nothing was moved." % new_path)
    return moved


def _redirect(tool_id, old_path, new_path):
    """Old path -> new path; earlier redirects to the old path follow along,
    so a chain of renames costs one redirect, and none points at itself."""
    WikiRedirect.query.remove({"tool_id": tool_id, "old_path": new_path})
    for earlier in WikiRedirect.query.find({"tool_id": tool_id, "new_path": old_path}):
        earlier.new_path = new_path
    existing = WikiRedirect.query.get(tool_id=tool_id, old_path=old_path)
    if existing is not None:
        existing.new_path = new_path
    else:
        WikiRedirect(tool_id=tool_id, old_path=old_path, new_path=new_path)
    session.flush()


def delete_page(registry, page, actor):
    """Mark the page and its live sub-pages deleted (they answer 404)."""
    with change(registry, None, topic=TOPIC % "deleted", node=page,
                old={"deleted": False}, new={"deleted": True}, actor=actor) as ch:
        gone = [page] + [d for d in descendants(page) if not d.deleted]
        for doc in gone:
            set_fields(doc, deleted=True, deleted_with=page._id)
        ch.log("wiki.delete", "deleted page %s%s" % (
            page.path, " and %d sub-pages" % (len(gone) - 1) if len(gone) > 1 else ""),
            path=page.path)
        for doc in gone:
            ch.also_emit(ArtifactDeleted(doc, actor=actor))
    bump_link_generation(page.tool_id)
    return gone


def undelete_page(registry, page, actor):
    """Bring back a deleted page and the sub-pages deleted with it."""
    if not page.deleted:
        raise ActionError("The page “%s” is not deleted." % page.path)
    check_parent(page.tool_id, page.path)
    with change(registry, None, topic=TOPIC % "updated", node=page,
                old={"deleted": True}, new={"deleted": False}, actor=actor,
                action="undelete") as ch:
        back = [page] + [d for d in descendants(page) if d.deleted_with == page._id]
        for doc in back:
            set_fields(doc, deleted=False, deleted_with=None)
        ch.log("wiki.undelete", "undeleted page %s" % page.path, path=page.path)
        for doc in back:
            ch.also_emit(ArtifactModified(doc, actor=actor, version=doc.version,
                                          undeleted=True))
    bump_link_generation(page.tool_id)
    return back


def set_home(registry, tool, name, actor, version=None):
    """Name the wiki's home page (``ToolInstance.options["home"]``), announced
    as ``project.tool.updated``; ``version``: the tool's settings version the
    form showed (stale: a 409).  Returns whether anything changed."""
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
