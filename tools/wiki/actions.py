"""Changes to wiki pages: the core's tree steps (``forge.api.TreeActions``), which
move the link generation whenever pages appear or disappear."""
from forge.api import TreeActions, create_artifact, delete_artifact, move_artifact

from .model import WikiPage, bump_link_generation


class PageActions(TreeActions):

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
