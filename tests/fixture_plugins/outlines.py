"""A tree type declared the way a third party would, with no views of its own:
outline items nest by path ("Plan/Steps"), move with their sub-items and
leave redirects, and are deleted and undeleted as subtrees
(``forge.api.TreeActions``); the tool's address opens its home item "Start"
(``HomeTreeToolResource``); every page comes from the core."""
from ming.odm import FieldProperty

from forge.api import (AUTHOR, ArtifactForm, CheckboxField, HomeTreeToolResource,
                       LeafTitleField, MarkdownField, PathField, TreeActions,
                       TreeArtifactResource, VersionedArtifact)


class Item(VersionedArtifact):
    class __mongometa__:
        polymorphic_identity = "outlines.item"

    type = FieldProperty(str, if_missing=__mongometa__.polymorphic_identity)
    body = FieldProperty(str, if_missing="")
    parent_path = FieldProperty(str, if_missing="")
    deleted_with = FieldProperty(str, if_missing=None)
    versioned_fields = ("title", "body", "labels", "custom", "ext")


class ItemForm(ArtifactForm):
    name = PathField("Item name")
    title = LeafTitleField(required=False)
    body = MarkdownField("Body", max_length=1000)
    private = CheckboxField("Private", on_edit=False)


class CountingActions(TreeActions):
    """Remembers the tools whose tree changed (what a wiki's link cache hears)."""

    changed = []

    def tree_changed(self, kind, tool_id):
        self.changed.append((kind.name, tool_id))


class OutlineTool(HomeTreeToolResource):
    default_home = "Start"
    welcome = "Hello *outline*"
    nav_template = "tests.fixture_plugins:templates/outline_nav.jinja2"


def includeme(config):
    config.add_tool("outlines", resource=OutlineTool,
                    permissions=("read", "create", "update", "delete", "admin"),
                    default_acl=[("allow", "Member", "create"), ("allow", "Developer", "update"),
                                 ("allow", "Developer", "delete"), ("allow", "Admin", "admin")])
    config.add_artifact_type(Item, tool="outlines", form=ItemForm, noun="item",
                             actions=CountingActions, resource=TreeArtifactResource,
                             private_readers=("Developer", AUTHOR))
