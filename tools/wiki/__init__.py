"""Wiki: Markdown pages with history, diffs, links, sub-pages and attachments.

Pages are ``wiki.page`` versioned artifacts (``model``), reached through
``WikiTool``/``WikiPageResource`` (``resources``), changed only through
``actions``; ``render`` adds ``[[Page Name]]`` links to the core's safe
Markdown.  History, diff, version and revert pages are the core's.
"""
from forge.api import AclChanged

from .model import WikiPage, bump_link_generation
from .resources import WikiTool


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
        default_acl=[("allow", "Member", "create"),
                     ("allow", "Developer", "update"),
                     ("allow", "Developer", "delete"),
                     ("allow", "Member", "post"),
                     ("allow", "Member", "unmoderated_post"),
                     ("allow", "Authenticated", "post"),
                     ("allow", "Developer", "moderate"),
                     ("allow", "Admin", "admin")],
        description="Markdown pages with history, diffs and attachments.")
    config.add_jinja2_search_path("tools.wiki:templates", name=".jinja2")
    config.add_forge_static("wiki", "tools.wiki:static")
    config.add_subscriber(links_follow_page_acls, AclChanged)
    config.scan(".views")
    config.include(".search")
    config.scan(".lists")
    config.add_demo_content("wiki", "tools.wiki.demo.demo_content")
