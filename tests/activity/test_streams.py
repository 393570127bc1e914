"""Activity streams per project (with subprojects), tool, artifact (with its
comments) and person: newest first, paged, private entries filtered before
paging; the links on the profile, tool and artifact pages."""
import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.activity.model import ActivityEntry
from forge.model import session
from forge.model.session import collection
from forge.testing import browser, forge_test_settings
from tools.notes.actions import create_note, update_note

FIELDS = {"text": "x", "labels": [], "custom": {}, "ext": {}}


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tools.notes",
                                  "forge.load_tool_entry_points": "false"})


@pytest.fixture
def site(registry, make_user, make_project):
    ada, dev = make_user("ada"), make_user("dev")
    make_user("outsider")
    project = make_project("demo", ada)
    add_member(registry, project, role_named(project, "Developer"), dev, ada)
    tool = install_tool(registry, project, "notes", "notes", ada)
    sub = make_project("sub", ada, parent=project, title="Sub")
    subtool = install_tool(registry, sub, "notes", "subnotes", ada)
    other = make_project("other", ada, title="Other")
    othertool = install_tool(registry, other, "notes", "notes", ada)
    session.close()
    return {"ada": ada, "dev": dev, "project": project, "tool": tool, "sub": sub,
            "subtool": subtool, "other": other, "othertool": othertool}


def note(registry, site, project, tool, name, title, private=False, actor=None):
    return create_note(registry, site[project], site[tool], None, name,
                       dict(FIELDS, title=title), actor or site["ada"], private=private)


def entries(text):
    return text.count('class="activity-entry"')


def test_project_stream_includes_its_subprojects_and_not_other_projects(
        forge_app, registry, site, run_reactors):
    note(registry, site, "project", "tool", "Top", "Top Note")
    note(registry, site, "sub", "subtool", "Deep", "Deep Note")
    note(registry, site, "other", "othertool", "Far", "Far Note")
    run_reactors()
    anonymous = browser(forge_app)
    top = anonymous.get("/p/demo/@@activity").text
    assert "Top Note" in top and "Deep Note" in top and "Far Note" not in top
    assert top.index("Deep Note") < top.index("Top Note")      # newest first
    sub = anonymous.get("/p/demo/sub/@@activity").text
    assert "Deep Note" in sub and "Top Note" not in sub
    assert collection(ActivityEntry).find_one({"title": "Deep Note"})["family_key"]


def test_a_private_subproject_stays_out_of_the_parents_stream(
        forge_app, registry, site, make_project, run_reactors):
    hidden = make_project("hidden", site["ada"], parent=site["project"], private=True,
                          title="Hidden Sub")
    tool = install_tool(registry, hidden, "notes", "notes", site["ada"])
    create_note(registry, hidden, tool, None, "x", dict(FIELDS, title="Buried Note"),
                site["ada"])
    run_reactors()
    for who in (None, "outsider"):
        assert "Buried Note" not in browser(forge_app, who).get("/p/demo/@@activity").text
    assert "Buried Note" in browser(forge_app, "ada").get("/p/demo/@@activity").text


def test_tool_stream_has_only_that_tool(forge_app, registry, site, run_reactors):
    note(registry, site, "project", "tool", "Top", "Top Note")
    note(registry, site, "sub", "subtool", "Deep", "Deep Note")
    run_reactors()
    page = browser(forge_app).get("/p/demo/notes/@@activity")
    assert "Top Note" in page.text and "Deep Note" not in page.text
    assert 'type="application/atom+xml"' in page.text
    assert 'href="http://localhost/p/demo/notes/@@activity.atom"' in page.text


def test_artifact_stream_has_its_changes_and_comments(forge_app, registry, site,
                                                      run_reactors):
    guide = note(registry, site, "project", "tool", "Guide", "The Guide")
    note(registry, site, "project", "tool", "Else", "Something Else")
    update_note(registry, guide, guide.version, dict(FIELDS, title="The Guide", text="v2"),
                site["dev"])
    session.db["post"].insert_one({
        "_id": "p1", "thread_id": "t1", "slug": "a", "ref_id": guide._id,
        "ref_title": "The Guide", "status": "ok", "deleted": False, "text": "Nice guide"})
    from forge.activity.reactor import record_activity
    record_activity({"id": "e-post", "topic": "notes.post.created", "node_type": "Post",
                     "node_id": "p1", "project_id": guide.project_id,
                     "tool_id": guide.tool_id, "path": guide.path,
                     "actor_id": site["dev"]._id, "timestamp": 2e9, "detail": {}}, None)
    run_reactors()
    response = browser(forge_app).get("/p/demo/notes/Guide/@@activity")
    text = response.text
    words = " ".join(response.html.get_text(" ").split())
    assert "Something Else" not in text
    assert "dev updated" in words and "ada created" in words and "Nice guide" in text
    assert entries(text) == 3


def test_person_stream_lists_what_they_did_where_the_viewer_may_read(
        forge_app, registry, site, run_reactors):
    note(registry, site, "project", "tool", "Open", "Dev Open", actor=site["dev"])
    note(registry, site, "project", "tool", "Secret", "Dev Secret", private=True,
         actor=site["dev"])
    note(registry, site, "project", "tool", "Ada", "Ada Note")
    run_reactors()
    text = browser(forge_app, "outsider").get("/u/dev/@@contributions").text
    assert "Dev Open" in text and "Dev Secret" not in text and "Ada Note" not in text
    assert "Dev Secret" in browser(forge_app, "ada").get("/u/dev/@@contributions").text
    profile = browser(forge_app).get("/u/dev/@@profile").text
    assert 'href="http://localhost/u/dev/@@contributions"' in profile
    assert 'href="http://localhost/u/dev/@@contributions.atom"' in profile


def test_contributions_only_on_personal_projects(forge_app, site):
    browser(forge_app).get("/p/demo/@@contributions", status=404)


def test_streams_page_after_filtering(forge_app, registry, site, run_reactors):
    for i in range(5):
        note(registry, site, "project", "tool", "s%d" % i, "Hidden %d" % i, private=True)
    for i in range(27):
        note(registry, site, "project", "tool", "n%d" % i, "Open %d" % i)
    run_reactors()
    anonymous = browser(forge_app)
    first = anonymous.get("/p/demo/notes/@@activity").text
    second = anonymous.get("/p/demo/notes/@@activity?page=2").text
    # 27 notes + the tool installed = 28 readable entries
    assert entries(first) == 25 and 'rel="next"' in first
    assert entries(second) == 3 and 'rel="next"' not in second and 'rel="prev"' in second
    assert "Hidden" not in first + second


def test_private_node_streams_are_not_found(forge_app, registry, site, run_reactors):
    note(registry, site, "project", "tool", "Secret", "Secret Note", private=True)
    run_reactors()
    browser(forge_app, "outsider").get("/p/demo/notes/Secret/@@activity", status=404)
    assert "Secret Note" in browser(forge_app, "dev").get(
        "/p/demo/notes/Secret/@@activity").text


def test_tool_and_artifact_pages_link_their_streams(forge_app, registry, site):
    note(registry, site, "project", "tool", "Guide", "The Guide")
    anonymous = browser(forge_app)
    for url in ("/p/demo/notes/", "/p/demo/notes/Guide/"):
        page = anonymous.get(url)
        links = {a["href"] for a in page.html.select("a.activity-link, a.feed-link")}
        assert links == {"http://localhost%s@@activity" % url,
                         "http://localhost%s@@activity.atom" % url}
