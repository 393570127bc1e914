"""The demo site ``forge serve`` creates on its first run.

A site admin ``admin`` (with a random password, returned so the command can
print it once), a public project ``demo`` with a subproject ``docs``, the
notes tool in both, and in ``demo`` every other tool that is installed (wiki,
tracker, discussion), each with the sample content its package registered
with ``config.add_demo_content(tool_name, fn)``: the core never imports a tool,
so a tool brings its own demo content. Every step checks first, so running it
again (or on a database where some of it already exists) creates only what is
missing; a marker file in the data dir skips it altogether once it has run, so
that a demo project an admin deleted does not come back on the next start.
"""
import logging
import os
import secrets

from .actions.projects import create_project, ensure_site, install_tool
from .actions.users import create_user
from .model import Neighborhood, Project, ToolInstance, User

log = logging.getLogger(__name__)

MARKER_FILE = "demo-site-created"
ADMIN = "admin"
DEMO_TOOL = "notes"
# tools installed in the demo project when present: (tool name, mount)
DEMO_PROJECT_TOOLS = (("wiki", "wiki"), ("tracker", "tickets"), ("discussion", "discussion"),
                      ("code", "code"))


def add_demo_content(config, tool_name, fill):
    """``fill(registry, project, tool_instance, admin)`` adds sample content to
    the tool's instance in the demo project, right after it is installed."""
    fill = config.maybe_dotted(fill)

    def register():
        config.registry.forge_demo_content[tool_name] = fill
    config.action(("forge.demo_content", tool_name), register)


def includeme(config):
    config.registry.forge_demo_content = {}
    config.add_directive("add_demo_content", add_demo_content, action_wrap=False)


def demo_site_created(data_dir):
    return bool(data_dir) and os.path.exists(os.path.join(data_dir, MARKER_FILE))


def ensure_demo_site(registry, data_dir=None):
    """Create what is missing of the demo site; return the new admin's
    password, or None when the admin user already existed (or the marker says
    the demo was created before)."""
    if demo_site_created(data_dir):
        return None
    ensure_site()
    password = None
    admin = User.by_username(ADMIN)
    if admin is None:
        password = secrets.token_urlsafe(12)
        admin = create_user(registry, ADMIN, "admin@localhost", password,
                            display_name="Site admin", site_admin=True, source="demo")
    projects = Neighborhood.query.get(name="p")
    demo = _project(registry, projects, "demo", "Demo project", admin,
                    "A public project to look around in.")
    docs = _project(registry, projects, "docs", "Documentation", admin,
                    "A subproject of the demo project.", parent=demo)
    if DEMO_TOOL in registry.forge_tools:
        for project in (demo, docs):
            if ToolInstance.query.get(project_id=project._id, mount=DEMO_TOOL) is None:
                install_tool(registry, project, DEMO_TOOL, DEMO_TOOL, admin, source="demo")
    for tool_name, mount in DEMO_PROJECT_TOOLS:
        if tool_name not in registry.forge_tools:
            continue
        if ToolInstance.query.get(project_id=demo._id, mount=mount) is not None:
            continue
        tool = install_tool(registry, demo, tool_name, mount, admin, source="demo")
        fill = getattr(registry, "forge_demo_content", {}).get(tool_name)
        if fill is not None:
            try:
                fill(registry, demo, tool, admin)
            except Exception:         # sample content is a nicety, never a failed start
                log.exception("the %s tool's demo content failed", tool_name)
    if data_dir:
        with open(os.path.join(data_dir, MARKER_FILE), "w") as marker:
            marker.write("The demo site was created; delete this file to re-create "
                         "what is missing of it on the next start.\n")
    return password


def _project(registry, neighborhood, name, title, admin, description, parent=None):
    shortname = parent.shortname + "/" + name if parent is not None else name
    existing = Project.query.get(neighborhood_id=neighborhood._id, shortname=shortname)
    if existing is not None:
        return existing
    return create_project(registry, neighborhood, name, title, admin, parent=parent,
                          description=description, source="demo")
