"""The permission matrix: who gets what on which kind of node, through pages and lists.

Rows are (node, action); columns are the people below.  Expected codes:
200 allowed, 302 anonymous sent to sign in, 403 readable but not allowed,
404 not readable (answered exactly like a missing page).
"""
import pytest

from forge.actions.acl import add_entry
from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.actions.versions import create_versioned
from forge.model.acl import user_principal, with_privacy
from forge.resources import SiteRoot
from forge.testing_apps import fresh_app, world_value
from pyramid.traversal import find_resource

PEOPLE = ("anonymous", "outsider", "member", "developer", "admin", "siteadmin", "denied")

# node -> {action: url}
URLS = {
    "public project": {"read": "/p/pub/", "edit": "/p/pub/@@edit",
                       "admin": "/p/pub/@@permissions"},
    "private project": {"read": "/p/priv/", "edit": "/p/priv/@@edit",
                        "admin": "/p/priv/@@permissions"},
    "private subproject": {"read": "/p/pub/secret/", "edit": "/p/pub/secret/@@edit",
                           "admin": "/p/pub/secret/@@permissions"},
    "private tool": {"read": "/p/pub/hidden/", "edit": "/p/pub/hidden/@@new",
                     "admin": "/p/pub/hidden/@@permissions"},
    "private artifact": {"read": "/p/pub/notes/plans/", "edit": "/p/pub/notes/plans/@@edit",
                         "admin": "/p/pub/notes/plans/@@permissions"},
}

#            anonymous outsider member developer admin siteadmin denied
EXPECTED = {
    ("public project", "read"):      (200, 200, 200, 200, 200, 200, 404),
    ("public project", "edit"):      (302, 403, 403, 200, 200, 200, 404),
    ("public project", "admin"):     (302, 403, 403, 403, 200, 200, 404),
    ("private project", "read"):     (404, 404, 200, 200, 200, 200, 404),
    ("private project", "edit"):     (404, 404, 403, 200, 200, 200, 404),
    ("private project", "admin"):    (404, 404, 403, 403, 200, 200, 404),
    ("private subproject", "read"):  (404, 404, 200, 200, 200, 200, 404),
    ("private subproject", "edit"):  (404, 404, 403, 200, 200, 200, 404),
    ("private subproject", "admin"): (404, 404, 403, 403, 200, 200, 404),
    ("private tool", "read"):        (404, 404, 200, 200, 200, 200, 404),
    ("private tool", "edit"):        (404, 404, 200, 200, 200, 200, 404),
    ("private tool", "admin"):       (404, 404, 403, 403, 200, 200, 404),
    ("private artifact", "read"):    (404, 404, 404, 200, 200, 200, 404),
    ("private artifact", "edit"):    (404, 404, 404, 200, 200, 200, 404),
    ("private artifact", "admin"):   (404, 404, 404, 403, 200, 200, 404),
}

# where each node is listed: (page that lists it, text that names it)
LISTED = {
    "public project": ("/p/", "Public Project"),   # "/" is the dashboard when signed in
    "private project": ("/p/", "Private Project"),
    "private subproject": ("/p/pub/", "Secret Subproject"),
    "private tool": ("/p/pub/", "Hidden Notes"),
    "private artifact": ("/p/pub/notes/", "Plans For Next Year"),
}


def _node(request, url):
    return find_resource(SiteRoot(request), url)


def build_world(app):
    """The projects, tool, artifact and people of the matrix, each person
    signed in: built once (``fresh_app(world=)``); each test starts from a
    copy, so what one test writes is gone in the next.  Returns each
    person's cookies."""
    from forge.actions.projects import create_project
    from forge.actions.users import create_user
    from forge.model import Neighborhood, session
    from forge.testing import PASSWORD, signed_in_cookies
    from tools.notes.model import Note
    registry = app.registry
    people = {name: create_user(registry, name, "%s@example.test" % name, PASSWORD,
                                site_admin=(name == "siteadmin"))
              for name in PEOPLE if name != "anonymous"}
    admin = people["admin"]
    nb = Neighborhood.query.get(name="p")
    pub = create_project(registry, nb, "pub", "Public Project", admin)
    priv = create_project(registry, nb, "priv", "Private Project", admin, private=True)
    create_project(registry, nb, "secret", "Secret Subproject", admin, parent=pub, private=True)
    for project in (pub, priv):
        for who, role in (("member", "Member"), ("developer", "Developer"),
                          ("denied", "Developer")):
            add_member(registry, project, role_named(project, role), people[who], admin)
    notes = install_tool(registry, pub, "notes", "notes", admin)
    hidden = install_tool(registry, pub, "notes", "hidden", admin, label="Hidden Notes")
    member_role = role_named(pub, "Member")
    hidden.acl = with_privacy(hidden.acl, True, [member_role.principal])
    create_versioned(registry, Note, admin, path="plans", title="Plans For Next Year",
                     text="secret plans", project_id=pub._id, tool_id=notes._id,
                     acl=with_privacy([], True, [role_named(pub, "Developer").principal,
                                                 user_principal(admin._id)]))
    session.flush()
    # an explicit DENY of read for one developer, on both projects
    from pyramid.testing import DummyRequest
    request = DummyRequest()
    request.registry = registry
    for shortname in ("pub", "priv"):
        node = _node(request, "/p/%s/" % shortname)
        add_entry(registry, node, "deny", "user:%s" % people["denied"]._id, "read", admin)
    session.close()
    return {"anonymous": {}, **signed_in_cookies(app, people)}


@pytest.fixture
def forge_app(forge_settings):
    return fresh_app(forge_settings, world=build_world)


@pytest.fixture
def world(forge_app):
    """Each person's cookies (signed in, but for anonymous)."""
    return world_value(forge_app, build_world)


def _browser_for(forge_app, world, person):
    from forge.testing import ForgeBrowser
    browser = ForgeBrowser(forge_app)
    for name, value in world[person].items():
        browser.set_cookie(name, value)
    return browser


@pytest.mark.parametrize("node,action", sorted(EXPECTED))
def test_matrix_pages(forge_app, world, node, action):
    url = URLS[node][action]
    got = {}
    for person in PEOPLE:
        browser = _browser_for(forge_app, world, person)
        got[person] = browser.get(url, status="*").status_int
    expected = dict(zip(PEOPLE, EXPECTED[(node, action)]))
    assert got == expected, url


@pytest.mark.parametrize("node", sorted(LISTED))
def test_matrix_lists(forge_app, world, node):
    """A node appears in the list that shows it exactly for those who may read it."""
    list_url, title = LISTED[node]
    readers = dict(zip(PEOPLE, EXPECTED[(node, "read")]))
    for person in PEOPLE:
        browser = _browser_for(forge_app, world, person)
        page = browser.get(list_url, status="*")
        if page.status_int != 200:
            assert readers[person] == 404   # the list itself is unreadable
            continue
        assert (title in page.text) == (readers[person] == 200), (person, list_url)


def test_denied_user_gets_nothing_of_private_text(forge_app, world):
    browser = _browser_for(forge_app, world, "denied")
    for url in ("/", "/p/pub/notes/", "/p/pub/notes/plans/", "/u/admin/@@profile"):
        page = browser.get(url, status="*")
        assert "secret plans" not in page.text
        assert "Plans For Next Year" not in page.text
