"""Wiki: Markdown pages with history, diffs, ``[[links]]``, sub-pages, renames and attachments.

``wiki.page`` is a declared artifact type of a tree (``config.add_artifact_type``
with ``forge.api.TreeActions``): the core gives it its resource, private ACL,
search document, form, ``@@new``, ``@@edit``, rename with redirects, subtree
delete and undelete, and the history pages; ``views`` holds the pages that
differ, ``render`` the links.
"""
from forge.api import AUTHOR, AclChanged, TreeArtifactResource, add_trac_import

from .actions import PageActions
from .model import PageForm, WikiPage, bump_link_generation, page_document
from .resources import IWikiPage, WikiTool


def links_follow_page_acls(event):
    """A page's ACL decides who sees ``[[links]]`` to it as existing."""
    if isinstance(event.node, WikiPage):
        bump_link_generation(event.node.tool_id)


def includeme(config):
    config.add_tool(
        "wiki", title="Wiki", resource=WikiTool,
        permissions=("read", "create", "update", "delete", "post", "unmoderated_post",
                     "moderate", "admin"),
        # anonymous read comes from a public project; comments: members post
        # straight away, other signed-in people wait for a moderator
        default_acl=[("allow", "Member", "create"), ("allow", "Developer", "update"),
                     ("allow", "Developer", "delete"), ("allow", "Member", "post"),
                     ("allow", "Member", "unmoderated_post"),
                     ("allow", "Authenticated", "post"), ("allow", "Developer", "moderate"),
                     ("allow", "Admin", "admin")],
        description="Markdown pages with history, diffs and attachments.")
    # a private page is read by its author and the project's developers only
    config.add_artifact_type(WikiPage, tool="wiki", form=PageForm, noun="page",
                             interface=IWikiPage, resource=TreeArtifactResource,
                             private_readers=("Developer", AUTHOR), actions=PageActions,
                             to_document=page_document,
                             form_renderer="tools.wiki:templates/wiki/form.jinja2")
    config.add_jinja2_search_path("tools.wiki:templates", name=".jinja2")
    config.add_forge_static("wiki", "tools.wiki:static")
    config.add_subscriber(links_follow_page_acls, AclChanged)
    # mail to a page's address (wiki.PROJECT+ID@DOMAIN) comments on it (forge.mail_in)
    config.add_mail_comments("wiki")
    config.scan(".views")
    config.add_demo_content("wiki", "tools.wiki.demo.demo_content")
    # forge import-trac: pages version by version, before the tracker's (order=)
    add_trac_import(config, "wiki", ".trac_import.convert", order=10)
