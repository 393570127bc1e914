"""Discussion: forums of threaded, moderated posts.

Forums and threads are this tool's two declared artifact types (versioned,
with the core's forms, edit, delete, history and search); the posts, their
moderation, attachments and views are the core's comment threads
(``forge.discussion``), the same ones a wiki page or a ticket has.  A new
tool gets a "general" forum from the ``discussion.general-forum`` reactor;
list counters are kept by the ``discussion.counters`` reactor (see ``reactors``).
"""
from forge.api import DiscussionEvent

from .actions import ForumActions
from .mail import new_thread_by_mail
from .model import Forum, ForumForm, ForumThread, ThreadForm, forum_document, thread_document
from .resources import DiscussionTool, ForumResource, IForum, IForumThread, ThreadResource

DEFAULT_ACL = [
    ("allow", "Authenticated", "post"),          # held for a moderator
    ("allow", "Member", "post"),
    ("allow", "Member", "unmoderated_post"),
    ("allow", "Member", "create"),               # start threads
    ("allow", "Developer", "moderate"),
    ("allow", "Developer", "update"),
    ("allow", "Developer", "delete"),
    ("allow", "Admin", "admin"),
]


def includeme(config):
    # mail to discussion.PROJECT@DOMAIN starts a thread (forge.mail_in)
    config.add_mail_handler("discussion", new_thread_by_mail)
    config.add_tool(
        "discussion", title="Discussion", resource=DiscussionTool,
        permissions=("read", "create", "update", "delete", "post", "unmoderated_post",
                     "moderate", "admin"),
        default_acl=DEFAULT_ACL,
        description="Forums of threaded, moderated posts.")
    # the first declared is what the tool's @@new makes (admins only: views)
    config.add_artifact_type(Forum, tool="discussion", form=ForumForm, interface=IForum,
                             resource=ForumResource, actions=ForumActions,
                             private_readers=("Member",), to_document=forum_document)
    config.add_artifact_type(ForumThread, tool="discussion", form=ThreadForm, noun="thread",
                             interface=IForumThread, resource=ThreadResource,
                             to_document=thread_document)
    config.add_jinja2_search_path("tools.discussion:templates", name=".jinja2")
    config.add_forge_static("discussion", "tools.discussion:static")
    config.add_reactor("project.tool.installed", "tools.discussion.reactors.general_forum",
                       name="discussion.general-forum")
    # it recomputes from what the database holds: a second run is harmless,
    # so the worker keeps no processed markers for it
    config.add_reactor("discussion.#", "tools.discussion.reactors.counters",
                       name="discussion.counters", idempotent=True)
    # a thread made private or public changes what the forum's summary may hold
    config.add_reactor("artifact.acl.changed", "tools.discussion.reactors.counters",
                       name="discussion.counters-acl", idempotent=True)
    # a thread is held or published with its opening post, synchronously
    config.add_subscriber("tools.discussion.actions.follow_opening_post",
                          DiscussionEvent)
    config.add_auditor("discussion.post.created",
                       "tools.discussion.actions.no_replies_to_hidden_threads")
    config.scan(".views")
    config.add_demo_content("discussion", "tools.discussion.demo.demo_content")
