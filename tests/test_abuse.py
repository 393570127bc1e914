"""Abuse control: disabling an account as spam hides what it wrote (through
the one visibility rule) and comes back undone; the spam checker on every
kind of content; the sign-up honeypot and challenge hook; rate limits on
posting and on creating projects."""
import pytest
from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource

from forge.actions.spam_accounts import SpamHiding
from forge.discussion.actions import add_post
from forge.model import ChangeLogEntry, Project, User, session
from forge.resources import SiteRoot
from forge.testing import ForgeBrowser, forge_test_settings
from forge.visibility import visible_node


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tools.wiki tools.tracker"})


def node(registry, url):
    session.clear()
    request = DummyRequest()
    request.registry = registry
    return find_resource(SiteRoot(request), url)


def signed_in(forge_app, name):
    browser = ForgeBrowser(forge_app)
    browser.login(name)
    return browser


@pytest.fixture
def spammed(make_user, make_project, install_tool, registry, run_reactors):
    from tools.wiki.actions import create_page
    make_user("root", site_admin=True)
    ada = make_user("ada")
    spammer = make_user("spammer")
    make_user("bob")
    project = make_project("pub", ada, title="Pub")
    wiki = install_tool(project, "wiki", "wiki")
    create_page(registry, project, wiki, "Welcome", "Welcome", "Hello", ada)
    create_page(registry, project, wiki, "Cheapstuff", "Cheapstuff deals", "Spamtext", spammer)
    session.close()
    add_post(registry, node(registry, "/p/pub/wiki/Welcome/"), "Spamcomment here", spammer,
             may_skip_moderation=True)
    add_post(registry, node(registry, "/p/pub/wiki/Welcome/"), "Adacomment here", ada,
             may_skip_moderation=True)
    run_reactors()
    session.close()
    return {"spammer": spammer, "ada": ada}


def test_disable_as_spam_hides_everything_they_wrote_and_comes_back(forge_app, spammed,
                                                                      run_reactors):
    anonymous = ForgeBrowser(forge_app)
    assert "Spamcomment" in anonymous.get("/p/pub/wiki/Welcome/").text
    assert "Cheapstuff" in anonymous.get("/p/pub/@@activity").text
    root = signed_in(forge_app, "root")
    spam_button = root.get("/@@admin-users").html.find("button", {"value": "spam"})
    assert spam_button is not None
    root.post_form("/@@admin-users-spam", {"action": "spam", "username": "spammer"},
                   status=302)
    run_reactors()
    assert User.by_username("spammer").disabled
    for who in (None, "bob", "ada"):
        browser = signed_in(forge_app, who) if who else ForgeBrowser(forge_app)
        page = browser.get("/p/pub/wiki/Welcome/").text
        # a moderator (the project's admin) still sees the comment, held as spam
        assert ("Spamcomment" in page) == (who == "ada") and "Adacomment" in page
        browser.get("/p/pub/wiki/Cheapstuff/", status=404)
        assert "Cheapstuff" not in browser.get("/p/pub/@@activity").text
        assert "Cheapstuff" not in browser.get("/p/pub/wiki/@@index").text
        assert "Cheapstuff" not in browser.get("/@@search", params={"q": "cheapstuff"}).text
    # site admins still see it, as it is
    assert "Spamtext" in root.get("/p/pub/wiki/Cheapstuff/").text
    assert "spam" in root.get("/@@admin-users").text
    # the one visibility rule says the same to every surface
    hidden = session.db["artifact"].find_one({"path": "Cheapstuff"})
    assert hidden["hidden"] == "spam"
    record = {"node_type": "WikiPage", "node_id": hidden["_id"]}
    assert visible_node(_anonymous_request(forge_app), record) is None
    root.post_form("/@@admin-users-spam", {"action": "unspam", "username": "spammer"},
                   status=302)
    run_reactors()
    assert not User.by_username("spammer").disabled
    assert SpamHiding.query.get(user_id=spammed["spammer"]._id) is None
    assert "Spamcomment" in anonymous.get("/p/pub/wiki/Welcome/").text
    assert "Spamtext" in anonymous.get("/p/pub/wiki/Cheapstuff/").text
    assert "Cheapstuff" in anonymous.get("/@@search", params={"q": "cheapstuff"}).text
    actions = [e.action for e in ChangeLogEntry.query.find({"node_id": spammed["spammer"]._id})]
    assert "user.spam" in actions and "user.unspam" in actions


def _anonymous_request(forge_app):
    request = DummyRequest()
    request.registry = forge_app.registry
    request.root = SiteRoot(request)
    request.can = lambda permission, node: _can(node, permission)
    return request


def _can(node, permission):
    from pyramid.authorization import Everyone

    from forge.security import can
    return can(node, [Everyone], permission)


@pytest.mark.parametrize("username,message", [
    ("root", "your own"), ("nobody", "There is no user")])
def test_bad_spam_actions_are_400(forge_app, spammed, username, message):
    root = signed_in(forge_app, "root")
    refused = root.post_form("/@@admin-users-spam", {"action": "spam", "username": username},
                             status=400)
    assert message in refused.text
    assert not User.by_username("root").disabled


def test_only_site_admins_disable_as_spam(forge_app, spammed):
    ada = signed_in(forge_app, "ada")
    ada.post_form("/@@admin-users-spam", {"action": "spam", "username": "spammer"}, status=403)
    assert not User.by_username("spammer").disabled
    root = signed_in(forge_app, "root")
    refused = root.post_form("/@@admin-users-spam", {"action": "unspam",
                                                     "username": "spammer"}, status=400)
    assert "was not disabled as spam" in refused.text
    assert Project.query.get(shortname="pub") is not None


# -- the spam checker on every kind of content -------------------------------------

@pytest.fixture
def open_tracker(make_user, make_project, install_tool, registry):
    from forge.actions.acl import add_entry
    ada = make_user("ada")
    make_user("stranger")
    project = make_project("pub", ada, title="Pub")
    install_tool(project, "tracker", "tickets")
    install_tool(project, "wiki", "wiki")
    session.close()
    # anyone signed in may file a ticket here (a public bug tracker)
    add_entry(registry, node(registry, "/p/pub/tickets/"), "allow", "system.Authenticated",
              "create", User.by_username("ada"))
    session.close()
    return project


def test_a_spam_ticket_from_a_stranger_is_refused_with_what_they_typed(forge_app,
                                                                         open_tracker):
    stranger = signed_in(forge_app, "stranger")
    refused = stranger.post_form("/p/pub/tickets/@@new", {
        "title": "Great offer", "description": "Buy cheap watches at https://x.test"},
        status=422)
    assert "looks like spam" in refused.text and "Buy cheap watches" in refused.text
    assert session.db["artifact"].count_documents({"type": "tracker.ticket"}) == 0
    stranger.post_form("/p/pub/tickets/@@new", {"title": "Crash on start",
                                                "description": "It crashes."}, status=302)
    # the project's own people are not checked
    signed_in(forge_app, "ada").post_form("/p/pub/tickets/@@new", {
        "title": "Spam examples", "description": "buy cheap, payday loan"}, status=302)
    assert session.db["artifact"].count_documents({"type": "tracker.ticket"}) == 2


def test_wiki_pages_and_edits_go_through_the_checker(registry, open_tracker):
    from forge.bus.auditing import Rejected
    from forge.model import ToolInstance
    from tools.wiki.actions import create_page
    wiki = ToolInstance.query.get(project_id=open_tracker._id, mount="wiki")
    stranger = User.by_username("stranger")
    with pytest.raises(Rejected) as refused:
        create_page(registry, open_tracker, wiki, "Deals", "Deals",
                    "Online casino bonus every day", stranger)
    assert refused.value.status == 422
    page = create_page(registry, open_tracker, wiki, "Deals", "Deals", "Fine words", stranger)
    from forge.actions.versions import save_versioned
    with pytest.raises(Rejected):
        save_versioned(registry, page, page.version, {"text": "crypto giveaway now"},
                       stranger)
    checked = []

    def checker(text, change):
        from forge.spam import Verdict
        checked.append((change.topic, text))
        return Verdict.ok()
    builtin, registry.forge_spam_checker = registry.forge_spam_checker, checker
    try:
        create_page(registry, open_tracker, wiki, "Other", "Other", "Some text", stranger)
    finally:
        registry.forge_spam_checker = builtin
    assert checked and "Some text" in checked[0][1]
