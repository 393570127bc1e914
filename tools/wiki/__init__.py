"""Wiki: Markdown pages with history, diffs, links, sub-pages and attachments.

Pages are ``wiki.page`` versioned artifacts (``model``), reached through
``WikiTool``/``WikiPageResource`` (``resources``), changed only through
``actions``; ``render`` adds ``[[Page Name]]`` links to the core's safe
Markdown.  History, diff, version and revert pages are the core's.
"""
from .resources import WikiTool


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
    config.add_static_view("wiki-static", "tools.wiki:static", cache_max_age=3600)
    config.scan(".views")
    config.include(".search")
    config.scan(".lists")
    config.add_demo_content("wiki", "tools.wiki.demo.demo_content")
