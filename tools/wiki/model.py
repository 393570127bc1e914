"""The wiki's documents (pages, a link generation) and the page form.

A page's ``path`` is its name with sub-pages by path ("Guide/Install");
``parent_path`` is everything before the last "/" ("" at the top).
"""
from ming.odm import FieldProperty, MappedClass

from forge.api import (ArtifactForm, CheckboxField, LeafTitleField, MarkdownField, PathField,
                       StoredFields, VersionedArtifact, collection, session, shown_as)


class WikiPage(VersionedArtifact):
    """A Markdown page.  Deleting a page deletes its sub-pages with it; they
    remember the page whose deletion took them (``deleted_with``), so undeleting
    that page brings back exactly them (``forge.api.TreeActions``)."""

    class __mongometa__:
        polymorphic_identity = "wiki.page"

    type = FieldProperty(str, if_missing=__mongometa__.polymorphic_identity)
    text = FieldProperty(str, if_missing="")
    parent_path = FieldProperty(str, if_missing="")
    deleted_with = FieldProperty(str, if_missing=None)
    versioned_fields = ("title", "text", "labels", "custom", "ext")


class StoredPage(StoredFields):
    """A page as stored, read like a ``WikiPage`` without building its Ming
    object (a copy and a schema validation, a sixth of the page view's own
    work); missing fields read as ``WikiPage``'s defaults.  ``shown_page(node)``
    gives one, or the Ming object when the request already built it (it may
    hold a change not yet saved)."""

    __slots__ = ()
    DEFAULTS = {"text": "", "parent_path": "", "deleted_with": None, "version": 0,
                "title": "", "labels": (), "custom": {}, "ext": {}, "author_id": None,
                "deleted": False, "acl": (), "type": "wiki.page"}


def shown_page(node):
    """What a page view reads of ``node``'s page (see ``StoredPage``)."""
    return shown_as(StoredPage, node)


class WikiLinkState(MappedClass):
    """Per wiki (``_id`` = the tool's id): ``generation`` moves whenever a page
    appears or disappears, so cached HTML with ``[[links]]`` is keyed by it."""

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


def page_document(doc, node):
    """The search document: the core's, and the page name (``page:Guide/Install``)."""
    return {"title": doc.title or doc.path, "text": doc.text or "",
            "labels": list(doc.labels or ()), "fields": {"page": doc.path}}


class PageForm(ArtifactForm):
    name = PathField("Page name", hint="Use “/” for a sub-page of an existing page: "
                                       "Guide/Install.")
    title = LeafTitleField(required=False, note="(optional on a new page: the name)")
    text = MarkdownField(hint="[[Other page]] links a page of this wiki (or offers to create "
                              "it); [#12], [mount:thing] link elsewhere in the project.")
    private = CheckboxField("Private", on_edit=False,
                            note="(only you and the project's developers can read it)")
