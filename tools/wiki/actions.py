"""Changes to wiki pages: the core's tree steps (``forge.api.TreeActions``) that move the
link generation, and the home page."""
from forge.api import (ToolUpdated, TreeActions, change, clean_artifact_path, create_artifact,
                       delete_artifact, move_artifact, plain_value)

from .model import WikiPage, bump_link_generation


class PageActions(TreeActions):
    """Whenever pages appear or disappear the wiki's link generation moves."""

    def tree_changed(self, kind, tool_id):
        bump_link_generation(tool_id)


def create_page(registry, project_doc, tool_doc, path, title, text, actor, private=False,
                comment=""):
    """A new page at ``path`` (its parent page must exist)."""
    return create_artifact(registry, WikiPage, project_doc, tool_doc, None, path,
                           {"title": title, "text": text}, actor, private=private,
                           comment=comment)


delete_page = delete_artifact
rename_page = move_artifact


def set_home(registry, tool, name, actor, version=None):
    """Name the wiki's home page (``options["home"]``, ``project.tool.updated``);
    ``version``: the settings version the form showed (stale: a 409)."""
    name = clean_artifact_path(name, "page")
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
