"""The discussion tool's sample content in the demo project
(``config.add_demo_content``): a "general" forum with a welcome thread."""
from pyramid.scripting import prepare
from pyramid.traversal import find_resource

from .actions import create_forum, create_thread
from .model import Forum

WELCOME = ("Welcome to the demo project's forum. Ask questions, share ideas, "
           "and reply to any post to start a sub-thread.")


def demo_content(registry, project, tool, admin):
    if Forum.query.get(tool_id=tool._id, path="general") is None:
        create_forum(registry, project, tool, "general", "General",
                     "Anything about the project.", admin, source="demo")
    env = prepare(registry=registry)
    try:
        forum = find_resource(env["root"], "/p/%s/%s/general/" % (project.shortname,
                                                                    tool.mount))
        create_thread(registry, forum, "Welcome!", WELCOME, admin,
                      may_skip_moderation=True, trusted=True, source="demo")
    finally:
        env["closer"]()
