"""The signed-in front page: the reader's projects, what they watch, recent
activity in their projects, and the panels tools add.

A tool adds a panel with ``config.add_dashboard_panel(name, panel, title,
order=100)``; ``panel(request)`` returns ``DashboardItem``s for the signed-in
``request.user`` (the tracker's "Assigned to you").  A panel shows only nodes
the reader may read now: it resolves them through ``forge.visibility`` and
checks ``read`` like every other list; the page never trusts a stored title
of something the reader may not see.
"""
from dataclasses import dataclass, field
from typing import Callable

from .activity.query import newest_in_projects, readable_activity
from .notifications.model import Watch
from .visibility import PROJECT, TOOL, NodeResolver

MAX_ITEMS = 10              # per panel
MAX_PROJECTS = 30           # projects whose activity is merged
WATCH_KINDS = {"project": PROJECT, "tool": TOOL}


@dataclass(frozen=True)
class DashboardItem:
    title: str
    url: str
    detail: str = ""


@dataclass(frozen=True)
class DashboardPanel:
    name: str
    title: str
    panel: Callable
    order: int = 100


@dataclass
class DashboardPanels:
    panels: dict = field(default_factory=dict)

    def add(self, panel):
        if panel.name in self.panels:
            raise ValueError("a dashboard panel named %r is already registered" % panel.name)
        self.panels[panel.name] = panel

    def in_order(self):
        return sorted(self.panels.values(), key=lambda p: (p.order, p.name))


def add_dashboard_panel(config, name, panel, title, order=100):
    config.registry.forge_dashboard_panels.add(
        DashboardPanel(name=name, title=title, panel=config.maybe_dotted(panel), order=order))


def tool_panels(request, projects):
    """[(title, [DashboardItem])] of the panels tools added, non-empty ones."""
    shown = []
    for panel in request.registry.forge_dashboard_panels.in_order():
        items = list(panel.panel(request, projects))[:MAX_ITEMS]
        if items:
            shown.append((panel.title, items))
    return shown


def watched_nodes(request, resolver):
    """The nodes the reader watches and may still read, newest watch first."""
    nodes = []
    watches = Watch.query.find({"user_id": request.user._id}).sort("created", -1)
    for watch in watches.limit(MAX_ITEMS * 5):
        record = {"node_type": WATCH_KINDS.get(watch.kind), "node_id": watch.node_id}
        node = resolver.resolve(record)
        if node is not None and request.can("read", node):
            nodes.append(node)
            if len(nodes) == MAX_ITEMS:
                break
    return nodes


def recent_activity(request, projects):
    """The newest readable activity of the reader's projects."""
    ids = [node.doc._id for node in projects[:MAX_PROJECTS]]
    if not ids:
        return []
    entries = newest_in_projects(ids, per_project=MAX_ITEMS * 3)
    return readable_activity(request, entries, size=MAX_ITEMS * 2, known=projects).items


class WithoutParamsPredicate:
    """``without_params=("q", "page")``: the view applies only when none of
    these query parameters is given (the front page's search and paging go
    to the project list)."""

    def __init__(self, names, config):
        self.names = (names,) if isinstance(names, str) else tuple(names)

    def text(self):
        return "without_params = %r" % (self.names,)

    phash = text

    def __call__(self, context, request):
        return not any(name in request.GET for name in self.names)


def includeme(config):
    config.registry.forge_dashboard_panels = DashboardPanels()
    config.add_directive("add_dashboard_panel", add_dashboard_panel, action_wrap=False)
    config.add_view_predicate("without_params", WithoutParamsPredicate)
