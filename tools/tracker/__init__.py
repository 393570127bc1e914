"""Tracker: numbered tickets with states, milestones, custom fields and comments.

``views_ticket`` (the ticket pages and ``@@new``) is this package's;
``views_list`` (the list, searches, bulk edit, milestones) and
``views_admin`` come from the list engineer and are scanned when present.
"""
from importlib.util import find_spec

from .resources import TrackerTool

PERMISSIONS = ("read", "create", "update", "delete", "post", "unmoderated_post",
               "moderate", "admin")
DEFAULT_ACL = [
    ("allow", "Developer", "update"),
    ("allow", "Developer", "delete"),
    ("allow", "Developer", "moderate"),
    ("allow", "Member", "create"),
    ("allow", "Member", "post"),
    ("allow", "Member", "unmoderated_post"),
    ("allow", "Authenticated", "post"),
]


def includeme(config):
    config.add_tool(
        "tracker", title="Tickets", resource=TrackerTool, permissions=PERMISSIONS,
        default_acl=DEFAULT_ACL,
        description="Tickets with states, milestones and custom fields.",
        # [#12] in any Markdown of the project links to ticket 12
        default_mount="tickets", hash_links=True)
    config.add_jinja2_search_path("tools.tracker:templates", name=".jinja2")
    config.add_forge_static("tracker", "tools.tracker:static")
    config.scan(".views_ticket")
    config.include(".search")
    config.add_demo_content("tracker", "tools.tracker.demo.demo_content")
    for module in ("views_list", "views_admin"):
        if find_spec("%s.%s" % (__name__, module)) is not None:
            config.scan("." + module)
    # being built in parallel this session; a direct include once landed
    if find_spec(__name__ + ".commit_refs") is not None:
        config.include(".commit_refs")

