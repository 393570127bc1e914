"""The demo site ``forge serve`` creates on its first run.

A site admin ``admin`` (with a random password, returned so the command can
print it once), a public project ``demo`` with a subproject ``docs``, and the
notes tool in both. Every step checks first, so running it again (or on a
database where some of it already exists) creates only what is missing; a
marker file in the data dir skips it altogether once it has run, so that a
demo project an admin deleted does not come back on the next start.
"""
import os
import secrets

from .actions.projects import create_project, ensure_site, install_tool
from .actions.users import create_user
from .model import Neighborhood, Project, ToolInstance, User

MARKER_FILE = "demo-site-created"
ADMIN = "admin"
DEMO_TOOL = "notes"


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
