"""Tracker: numbered tickets with states, milestones, custom fields and comments.

``tracker.ticket`` is a declared artifact type (``config.add_artifact_type``):
the core gives it its private ACL, search document, ``@@new``, ``@@edit``,
``@@delete`` and history pages; ``actions`` numbers tickets and keeps
``closed`` in step with the status, ``views_ticket`` is the ticket page,
``views_list`` the list, searches, bulk edit and milestones, ``views_admin``
the tracker's settings.
"""
from forge.api import AUTHOR, add_archive_part, add_trac_import, new_artifact_by_mail

from .actions import TicketActions
from .forms import TicketForm
from .model import Ticket, ticket_document
from .resources import ITicket, TicketResource, TrackerTool

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
    # a private ticket is read by its reporter and the project's developers only
    config.add_artifact_type(Ticket, tool="tracker", form=TicketForm, noun="ticket",
                             interface=ITicket, resource=TicketResource, actions=TicketActions,
                             private_readers=("Developer", AUTHOR),
                             to_document=ticket_document,
                             created_message="Ticket #{doc.number} created.",
                             deleted_message="Ticket #{doc.number} deleted.")
    config.add_jinja2_search_path("tools.tracker:templates", name=".jinja2")
    config.add_forge_static("tracker", "tools.tracker:static")
    config.scan(".views_ticket")
    config.scan(".views_list")
    config.scan(".views_admin")
    config.add_demo_content("tracker", "tools.tracker.demo.demo_content")
    # `fixes #12` in a pushed commit (the code tool's scm.commit events)
    config.include(".commit_refs")
    # mail to tickets.PROJECT@DOMAIN opens a ticket (forge.mail_in)
    config.add_mail_handler("tracker", new_artifact_by_mail)
    # "Assigned to you" on the signed-in front page (forge.dashboard)
    config.include(".dashboard")
    # the ticket counter travels in project archives (forge export/import)
    add_archive_part(config, "tracker", "counter", ".archive.export_counter",
                     ".archive.restore_counter")
    # forge import-trac: options and tickets, after the wiki's pages (order=)
    add_trac_import(config, "tracker", ".trac_import.convert", order=20)
