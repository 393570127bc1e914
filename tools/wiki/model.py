"""The wiki's documents (pages, the redirects renames leave, a link generation) and the page form.

A page's ``path`` is its name with sub-pages by path ("Guide/Install");
``parent_path`` is everything before the last "/" ("" at the top).
"""
from ming.odm import FieldProperty, MappedClass

from forge.api import (ArtifactForm, CheckboxField, Field, MarkdownField, TitleField,
                       VersionedArtifact, check_artifact_path, collection, new_id, session)


class WikiPage(VersionedArtifact):
    """A Markdown page.  Deleting a page deletes its sub-pages with it; they
    remember the page whose deletion took them (``deleted_with``), so undeleting
    that page brings back exactly them."""

    class __mongometa__:
        polymorphic_identity = "wiki.page"

    type = FieldProperty(str, if_missing=__mongometa__.polymorphic_identity)
    text = FieldProperty(str, if_missing="")
    parent_path = FieldProperty(str, if_missing="")
    deleted_with = FieldProperty(str, if_missing=None)
    versioned_fields = ("title", "text", "labels", "custom", "ext")


class WikiRedirect(MappedClass):
    """An old page path that redirects to where the page went; looked up only
    when a path misses (one indexed equality query)."""

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


class PageNameField(Field):
    """The page's path, typed relative to the page a sub-page goes under."""

    def clean(self, raw, form):
        return check_artifact_path((form.prefix + raw).strip(), "page name")


class PageTitleField(TitleField):
    def clean(self, raw, form):
        # a new page's title defaults to the last segment of its name
        default = "" if form.editing else form.values["name"].strip().rsplit("/", 1)[-1]
        return super().clean(raw.strip() or default, form)


class PageForm(ArtifactForm):
    name = PageNameField("Page name", on_edit=False, required=True, max_length=1000,
                         hint="Use “/” for a sub-page of an existing page: Guide/Install.")
    title = PageTitleField(required=False, note="(optional on a new page: the name)")
    text = MarkdownField(hint="[[Other page]] links a page of this wiki (or offers to create "
                              "it); [#12], [mount:thing] link elsewhere in the project.")
    private = CheckboxField("Private", on_edit=False,
                            note="(only you and the project's developers can read it)")

    def __init__(self, request, tool_node, kind, editing=False):
        super().__init__(request, tool_node, kind, editing)
        # "" at the wiki, "Guide/" for a new page under Guide
        context = request.context
        self.prefix = "" if editing or context is tool_node else context.doc.path + "/"
