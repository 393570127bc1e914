"""A tiny tool whose artifacts ("topics") have comment threads, for the tests
of ``forge.discussion``: it plugs in like any third-party tool and uses only
the core's public pieces (``thread_view`` and ``discussion/thread.jinja2``)."""
from ming.odm import FieldProperty
from pyramid.view import view_config
from zope.interface import implementer

from forge.discussion.render import thread_view
from forge.interfaces import ITool, IVersioned
from forge.model import VersionedArtifact
from forge.resources import ToolResource, VersionedArtifactResource


class Topic(VersionedArtifact):
    class __mongometa__:
        polymorphic_identity = "topics.topic"

    type = FieldProperty(str, if_missing="topics.topic")
    text = FieldProperty(str, if_missing="")
    versioned_fields = ("title", "text")


class ITopic(IVersioned):
    """A topic."""


class ITopicsTool(ITool):
    """A mounted topics tool."""


@implementer(ITopic)
class TopicResource(VersionedArtifactResource):
    pass


@implementer(ITopicsTool)
class TopicsTool(ToolResource):
    artifact_class = TopicResource


@view_config(context=ITopic, name="", request_method="GET", permission="read",
             renderer="topics/topic.jinja2")
def show_topic(context, request):
    return {"topic": context, "thread": thread_view(request, context)}


def includeme(config):
    config.add_tool(
        "topics", title="Topics", resource=TopicsTool,
        permissions=("read", "create", "update", "delete", "post", "unmoderated_post",
                     "moderate", "admin"),
        default_acl=[("allow", "Authenticated", "post"),
                     ("allow", "Member", "unmoderated_post"),
                     ("allow", "Developer", "moderate")],
        description="Topics with comments (a test fixture).")
    config.add_jinja2_search_path("tests.discussion.fixture_tool:templates", name=".jinja2")
    config.scan("tests.discussion.fixture_tool")
