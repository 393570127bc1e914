"""A link: a title, an address, a Markdown note and labels."""
from urllib.parse import urlsplit

from forge.api import (ArtifactForm, Field, ITypedArtifact, LabelsField, MarkdownField,
                       NameField, TitleField, VersionedArtifact)
from ming.odm import FieldProperty


class ILink(ITypedArtifact):
    """A link's resource: the views of this tool are registered for it."""


class Link(VersionedArtifact):
    class __mongometa__:
        polymorphic_identity = "links.link"
        indexes = [("tool_id", "host")]

    type = FieldProperty(str, if_missing=__mongometa__.polymorphic_identity)
    url = FieldProperty(str, if_missing="")
    text = FieldProperty(str, if_missing="")
    # the address's host, kept by the links.host reactor (not versioned)
    host = FieldProperty(str, if_missing="")
    versioned_fields = ("title", "url", "text", "labels", "custom", "ext")


class UrlField(Field):
    def clean(self, raw, form):
        url = super().clean(raw, form)
        if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
            raise ValueError("The address starts with http:// or https://.")
        return url


class LinkForm(ArtifactForm):
    title = TitleField()
    name = NameField()
    url = UrlField("Address", required=True)
    text = MarkdownField("Note")
    labels = LabelsField()


def link_document(doc, node):
    """The search document: the address's words are found too."""
    return {"title": doc.title, "text": doc.text + "\n" + doc.url, "labels": list(doc.labels)}
