"""A tool declared the way a third party would: one artifact type, no views of
its own but the display page (which wins over the core's generic one)."""
from ming.odm import FieldProperty
from pyramid.response import Response
from pyramid.view import view_config
from zope.interface import Interface

from forge.api import ArtifactForm, MarkdownField, NameField, TitleField, VersionedArtifact


class IMemo(Interface):
    """A memo: the interface its own display page is registered for."""


class Memo(VersionedArtifact):
    class __mongometa__:
        polymorphic_identity = "memos.memo"

    type = FieldProperty(str, if_missing=__mongometa__.polymorphic_identity)
    body = FieldProperty(str, if_missing="")
    versioned_fields = ("title", "body", "labels", "custom", "ext")


class MemoForm(ArtifactForm):
    title = TitleField()
    name = NameField()
    body = MarkdownField("Body", max_length=1000)


@view_config(context=IMemo, name="", request_method="GET", permission="read")
def show_memo(context, request):
    return Response("memo page: %s" % context.title)


def includeme(config):
    config.add_tool("memos", permissions=("read", "create", "update", "delete", "admin"),
                    default_acl=[("allow", "Member", "create")])
    config.add_artifact_type(Memo, tool="memos", form=MemoForm, interface=IMemo)
    config.scan(__name__)
