"""The dashboard's "Assigned to you": open tickets assigned to the reader in
the trackers of their projects, newest number first."""
from forge.api import DashboardItem

from .model import Ticket

MAX_TICKETS = 10


def assigned_to_reader(request, projects):
    user_id = request.user._id
    for project in projects:
        for tool in project.tools():
            if tool.doc.tool != "tracker":
                continue
            # one indexed equality: ("tool_id", "deleted", "assigned_to_id", "number")
            docs = Ticket.query.find({"tool_id": tool.doc._id, "deleted": False,
                                      "assigned_to_id": user_id}).sort("number", -1)
            for doc in docs.limit(MAX_TICKETS * 3):
                if doc.closed:
                    continue
                node = tool.ticket_resource(doc)
                if request.can("read", node):
                    yield DashboardItem(title="#%d %s" % (doc.number, doc.title),
                                        url=request.forge_url(node),
                                        detail="%s · %s" % (project.title, doc.status))


def includeme(config):
    config.add_dashboard_panel("tracker.assigned", assigned_to_reader,
                               title="Assigned to you", order=10)
