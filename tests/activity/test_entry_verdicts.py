"""An activity entry is shown when its node may be read: the verdict is the
node's own (one per distinct node, however many entries name it), so a
reader limited to a project (an API token's project) sees the entries about
the project itself, not only those about what is inside it."""
import pytest

from forge.actions.projects import install_tool
from forge.actions.tokens import create_token
from forge.activity.query import readable_activity
from forge.model import User, session
from forge.site_request import site_request
from forge.testing import browser, forge_test_settings
from tools.notes.actions import create_note

FIELDS = {"text": "x", "labels": [], "custom": {}, "ext": {}}


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tools.notes",
                                  "forge.load_tool_entry_points": "false",
                                  "forge.page_cache.max_mb": "0"})


@pytest.fixture
def site(registry, make_user, make_project, run_reactors):
    ada = make_user("ada")
    project = make_project("demo", ada, title="Demotitle")
    tool = install_tool(registry, project, "notes", "notes", ada)
    create_note(registry, project, tool, None, "Guide", dict(FIELDS, title="Guidetitle"), ada)
    run_reactors()
    session.close()
    return project


def test_a_token_limited_to_the_project_sees_the_project_entries(forge_app, site):
    ada = User.query.get(username="ada")
    _, token = create_token(ada, "script", scope="read", project=site)
    session.flush()
    page = browser(forge_app).get("/p/demo/@@activity",
                                  headers={"Authorization": "Bearer " + token})
    words = " ".join(page.html.get_text(" ").split())
    assert "Guidetitle" in words
    assert "created the project" in words and "installed the tool" in words


def test_entries_about_one_node_cost_one_verdict(registry, site):
    asked = []
    with site_request(registry) as request:
        real = request.can

        def can(permission, node):
            asked.append(node)
            return real(permission, node)
        request.can = can
        entry = {"node_type": "Project", "node_id": site._id, "project_id": site._id,
                 "actor_id": None, "verb": "updated", "timestamp": 1.0}
        page = readable_activity(request, [dict(entry, timestamp=float(n)) for n in range(5)])
    assert len(page.items) == 5
    # each entry is decided by its node (whose verdict is memoised on it)
    assert {type(node).__name__ for node in asked} == {"ProjectResource"}
    assert len({id(node) for node in asked}) == 1
