"""Discussion: forums of threaded, moderated posts.

Forums and threads are this tool's artifacts; the posts, their moderation,
attachments and views are the core's comment threads (``forge.discussion``),
the same ones a wiki page or a ticket has.  A new tool gets a "general" forum
from the ``discussion.general-forum`` reactor; list counters are kept by the
``discussion.counters`` reactor (see ``reactors``).
"""
from forge.api import DiscussionEvent

from .resources import DiscussionTool

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
    config.add_tool(
        "discussion", title="Discussion", resource=DiscussionTool,
        permissions=("read", "create", "update", "delete", "post", "unmoderated_post",
                     "moderate", "admin"),
        default_acl=DEFAULT_ACL,
        description="Forums of threaded, moderated posts.")
    config.add_jinja2_search_path("tools.discussion:templates", name=".jinja2")
    config.add_forge_static("discussion", "tools.discussion:static")
    config.add_reactor("project.tool.installed", "tools.discussion.reactors.general_forum",
                       name="discussion.general-forum")
    config.add_reactor("discussion.#", "tools.discussion.reactors.counters",
                       name="discussion.counters")
    # a thread made private or public changes what the forum's summary may hold
    config.add_reactor("artifact.acl.changed", "tools.discussion.reactors.counters",
                       name="discussion.counters-acl")
    # a thread is held or published with its opening post, synchronously
    config.add_subscriber("tools.discussion.actions.follow_opening_post",
                          DiscussionEvent)
    config.add_auditor("discussion.post.created",
                       "tools.discussion.auditors.no_replies_to_hidden_threads")
    config.scan(".views")
    config.include(".search")
    config.add_demo_content("discussion", "tools.discussion.demo.demo_content")
