"""The discussion tool: forums (admins), threads (members), their lists,
the general forum and counters made by reactors, privacy and bad input."""
import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.model import session
from forge.testing import browser, deliver_to_reactors
from tools.discussion.model import Forum, ForumThread

TOOL = "/p/demo/discussion/"


@pytest.fixture
def site(registry, make_user, make_project):
    """ada admins demo (discussion at /p/demo/discussion/); dev is a Developer,
    mem a Member, out a signed-up user of no role."""
    ada = make_user("ada")
    project = make_project("demo", ada)
    people = {"ada": ada, "project": project}
    for name, role in (("dev", "Developer"), ("mem", "Member")):
        people[name] = make_user(name)
        add_member(registry, project, role_named(project, role), people[name], ada)
    people["out"] = make_user("out")
    people["tool"] = install_tool(registry, project, "discussion", "discussion", ada)
    session.close()
    return people


def react(registry):
    """Run the reactors (the discussion tool's among them) over what the
    actions emitted so far; on mim:// and over the wire alike."""
    deliver_to_reactors(registry)
    session.close()


def new_forum(b, name, title, status=302, **fields):
    return b.post_form(TOOL + "@@new-forum", dict(fields, name=name, title=title),
                       status=status)


def new_thread(b, forum, subject, text, status=302, **kw):
    return b.post_form(TOOL + forum + "/@@new", {"subject": subject, "text": text},
                       status=status, **kw)


def thread_doc(site, subject):
    session.close()
    return ForumThread.query.get(tool_id=site["tool"]._id, title=subject)


# -- forums -------------------------------------------------------------------

def test_a_new_tool_gets_a_general_forum_from_its_reactor(forge_app, registry, site):
    ada = browser(forge_app, "ada")
    assert "No forums yet" in ada.get(TOOL).text
    react(registry)
    page = ada.get(TOOL)
    assert 'href="http://localhost/p/demo/discussion/general/"' in page.text
    react(registry)          # idempotent: the event again makes no second forum
    assert Forum.query.find({"tool_id": site["tool"]._id, "type": "discussion.forum"}
                            ).count() == 1


def test_only_admins_create_forums(forge_app, site):
    ada, dev = browser(forge_app, "ada"), browser(forge_app, "dev")
    assert "New forum" in ada.get(TOOL).text
    assert "New forum" not in dev.get(TOOL).text
    new_forum(dev, "ideas", "Ideas", status=403)
    assert "@@login" in browser(forge_app).get(TOOL + "@@new-forum", status=302).location
    response = new_forum(ada, "ideas", "Ideas", description="Wishes & plans")
    assert response.location.endswith("/p/demo/discussion/ideas/")
    page = dev.get(TOOL)
    assert "Ideas" in page.text and "Wishes &amp; plans" in page.text


def test_forum_form_validation(forge_app, site):
    ada = browser(forge_app, "ada")
    page = new_forum(ada, "Bad Name!", "", status=400)
    assert 'id="error-name"' in page.text and 'id="error-title"' in page.text
    assert 'value="Bad Name!"' in page.text            # the form comes back as sent
    new_forum(ada, "ideas", "Ideas")
    page = new_forum(ada, "ideas", "Again", status=400)
    assert "already a forum" in page.text


def test_edit_forum_is_versioned(forge_app, site):
    ada = browser(forge_app, "ada")
    new_forum(ada, "ideas", "Ideas")
    form = ada.get(TOOL + "ideas/@@edit")
    assert 'name="version" value="1"' in form.text
    ada.post_form(TOOL + "ideas/@@edit", {"title": "Ideas and plans", "description": "d",
                                          "version": "1"}, status=302)
    assert "Ideas and plans" in ada.get(TOOL + "ideas/").text
    # a stale save is a conflict, not an overwrite
    ada.post_form(TOOL + "ideas/@@edit", {"title": "Old", "description": "",
                                          "version": "1"}, status=409)
    assert Forum.query.get(tool_id=site["tool"]._id, path="ideas").version == 2


def test_private_forum_is_invisible_to_outsiders(forge_app, site):
    ada = browser(forge_app, "ada")
    new_forum(ada, "team", "Team room", private="on")
    new_forum(ada, "open", "Open forum")
    new_thread(ada, "team", "Secret plans", "only for us")
    for who in (None, "out"):
        b = browser(forge_app, who)
        page = b.get(TOOL)
        assert "Open forum" in page.text and "Team room" not in page.text
        assert b.get(TOOL + "team/", expect_errors=True).status_int in (403, 404)
        thread = thread_doc(site, "Secret plans")
        assert b.get(TOOL + thread.path + "/", expect_errors=True).status_int in (403, 404)
    mem = browser(forge_app, "mem")
    assert "Team room" in mem.get(TOOL).text
    assert "Secret plans" in mem.get(TOOL + "team/").text


# -- threads ------------------------------------------------------------------

def test_member_starts_a_thread_with_its_opening_post(forge_app, registry, site):
    ada, mem = browser(forge_app, "ada"), browser(forge_app, "mem")
    new_forum(ada, "ideas", "Ideas")
    response = new_thread(mem, "ideas", "Dark mode", "Please add *dark mode*.")
    thread = thread_doc(site, "Dark mode")
    assert response.location.endswith("/p/demo/discussion/%s/" % thread.path)
    assert thread.forum == "ideas" and thread.status == "ok" and thread.first_post_id
    page = mem.get(response.location)
    assert "Dark mode" in page.text and "<em>dark mode</em>" in page.text
    react(registry)
    thread = thread_doc(site, "Dark mode")
    assert thread.num_posts == 1 and thread.last_author_id == site["mem"]._id
    forum = Forum.query.get(tool_id=site["tool"]._id, path="ideas")
    assert (forum.num_threads, forum.num_posts) == (1, 1)
    assert forum.last_thread_title == "Dark mode"
    listing = mem.get(TOOL)
    assert "Dark mode" in listing.text and "by mem" in listing.text


def test_thread_validation(forge_app, site):
    ada = browser(forge_app, "ada")
    new_forum(ada, "ideas", "Ideas")
    page = new_thread(ada, "ideas", "   ", "text", status=400)
    assert "A subject is required." in page.text
    page = new_thread(ada, "ideas", "Subject", "  ", status=400)
    assert 'id="error-text"' in page.text and 'value="Subject"' in page.text
    assert ForumThread.query.find({"tool_id": site["tool"]._id, "type": "discussion.thread"}
                                  ).count() == 0


def test_who_may_start_threads(forge_app, site):
    ada = browser(forge_app, "ada")
    new_forum(ada, "ideas", "Ideas")
    new_thread(browser(forge_app, "out"), "ideas", "Hi", "from outside", status=403)
    new_thread(browser(forge_app), "ideas", "Hi", "anonymous", status=403)
    assert "New thread" not in browser(forge_app, "out").get(TOOL + "ideas/").text
    assert "New thread" in browser(forge_app, "mem").get(TOOL + "ideas/").text


def test_sticky_threads_come_first_then_by_last_activity(forge_app, registry, site):
    ada, dev = browser(forge_app, "ada"), browser(forge_app, "dev")
    new_forum(ada, "ideas", "Ideas")
    for subject in ("First", "Second", "Third"):
        new_thread(ada, "ideas", subject, "text of %s" % subject)
    react(registry)

    def order():
        text = dev.get(TOOL + "ideas/").text
        return sorted(("First", "Second", "Third"), key=text.index)
    assert order() == ["Third", "Second", "First"]
    first = thread_doc(site, "First")
    browser(forge_app, "mem").post_form(TOOL + first.path + "/@@flags", {"sticky": "on"},
                                        status=403)
    dev.post_form(TOOL + first.path + "/@@flags", {"sticky": "on"}, status=302)
    assert "Thread made sticky." in dev.get(TOOL + first.path + "/").text
    assert thread_doc(site, "First").sticky is True
    assert order() == ["First", "Third", "Second"]
    assert 'class="badge sticky"' in dev.get(TOOL + "ideas/").text
    # the history of the thread says who made it sticky
    assert "made sticky" in dev.get(TOOL + first.path + "/@@history").text


def test_forum_page_is_paged(forge_app, site):
    ada = browser(forge_app, "ada")
    new_forum(ada, "ideas", "Ideas")
    for i in range(27):
        new_thread(ada, "ideas", "Thread %02d" % i, "text")
    first = ada.get(TOOL + "ideas/")
    assert first.text.count('class="thread') == 25 and "?page=2" in first.text
    second = ada.get(TOOL + "ideas/?page=2")
    assert second.text.count('class="thread') == 2
    assert "Thread 00" in second.text and "Thread 26" in first.text
