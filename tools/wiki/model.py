"""The wiki's documents: pages, redirects left by renames, and a link generation.

A page's ``path`` is its name with sub-pages by path ("Guide/Install");
``parent_path`` is everything before the last "/" ("" at the top).
"""
from ming.odm import FieldProperty, MappedClass

from forge.api import VersionedArtifact, collection, new_id, session


class WikiPage(VersionedArtifact):
    """A Markdown page.  Deleting a page deletes its sub-pages with it; they
    remember the page whose deletion took them (``deleted_with``), so undeleting
    that page brings back exactly them."""

    class __mongometa__:
        polymorphic_identity = "wiki.page"

    type = FieldProperty(str, if_missing="wiki.page")
    text = FieldProperty(str, if_missing="")
    parent_path = FieldProperty(str, if_missing="")
    deleted_with = FieldProperty(str, if_missing=None)
    versioned_fields = ("title", "text", "labels", "custom", "ext")


class WikiRedirect(MappedClass):
    """An old page path that answers with a redirect to where the page went.

    Looked up only when a path misses (one indexed equality query)."""

    class __mongometa__:
        session = session
        name = "wiki_redirect"
        unique_indexes = [("tool_id", "old_path")]
        indexes = [("tool_id", "new_path")]

    _id = FieldProperty(str, if_missing=new_id)
    tool_id = FieldProperty(str)
    old_path = FieldProperty(str)
    new_path = FieldProperty(str)


class WikiLinkState(MappedClass):
    """Per wiki tool (``_id`` = the tool's id): ``generation`` moves whenever a
    page appears or disappears (create, rename, delete, undelete).

    ``[[Page]]`` links render as existing or missing, so the cached HTML of a
    page with such links is keyed by this number: one indexed read per view,
    and only for pages that contain ``[[``."""

    class __mongometa__:
        session = session
        name = "wiki_link_state"

    _id = FieldProperty(str)
    generation = FieldProperty(int, if_missing=0)


def link_generation(tool_id):
    found = collection(WikiLinkState).find_one({"_id": tool_id}, {"generation": 1})
    return found["generation"] if found else 0


def bump_link_generation(tool_id):
    """Called after the flush that made pages appear or disappear."""
    collection(WikiLinkState).update_one({"_id": tool_id}, {"$inc": {"generation": 1}},
                                         upsert=True)
