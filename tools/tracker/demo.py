"""The tracker's sample content in the demo project (``config.add_demo_content``)."""
from forge.api import add_custom_field

from .actions import create_ticket, set_status
from .admin_actions import add_milestone

TICKETS = (
    ("The front page should list the newest projects first",
     "Today the list is alphabetical; newer projects get lost.", ["ui"], "high", "open"),
    ("Document the wiki's link syntax",
     "Explain `[[Page]]`, `[#12]` and `[tool:thing]` links on one page.", ["docs"], "normal",
     "open"),
    ("Sign-in form forgets the user name after a typo",
     "After a wrong password the user name field is empty again.", ["ui", "auth"], "low",
     "closed"),
)


def demo_content(registry, project, tool, admin):
    add_milestone(registry, tool, "1.0", "", "The first release.", admin)
    add_custom_field(registry, tool, "severity", "Severity", "select", admin,
                     options=("minor", "major", "blocker"))
    for title, description, labels, priority, status in TICKETS:
        ticket = create_ticket(registry, project, tool, {
            "title": title, "description": description, "labels": labels,
            "priority": priority, "milestone": "1.0", "custom": {"severity": "minor"}},
            admin, source="demo")
        if status != "open":
            set_status(registry, ticket, ticket.version, status, admin,
                       comment="fixed in the demo", source="demo")
