"""A thread held for moderation is held everywhere: its pages, history,
versions and diff, activity and mail, until a moderator approves its opening
post; then it is published at once (the thread follows its opening post
synchronously) and mailed the normal way."""
import pytest

from forge.model import User, session
from forge.notifications.watches import add_watch
from forge.testing import forge_test_settings, smtp_settings

from .test_forums import TOOL, browser, new_forum, new_thread, react, site, thread_doc  # noqa: F401
from .test_posts import posts_of


@pytest.fixture
def forge_settings(smtp_server):
    return forge_test_settings(**smtp_settings(smtp_server))


VIEWS = ("", "@@history", "@@version?v=1", "@@diff?from=1&to=1", "@@activity",
         "@@activity.atom")


def test_a_held_thread_is_held_on_every_surface_until_approved(
        forge_app, registry, site, smtp_server):
    add_watch(User.by_username("out")._id, "project", site["project"])
    session.close()
    ada, mem, dev = (browser(forge_app, n) for n in ("ada", "mem", "dev"))
    new_forum(ada, "ideas", "Ideas")
    react(registry)
    smtp_server.clear()
    # a phrase of the spam rules holds the opening post
    new_thread(mem, "ideas", "Great offer", "Visit the online casino today.")
    thread = thread_doc(site, "Great offer")
    assert thread.status == "spam"
    react(registry)
    url = TOOL + thread.path + "/"
    for who in (None, "out"):
        b = browser(forge_app, who)
        for view in VIEWS:
            b.get(url + view, status=404)
        for page in ("/p/demo/@@activity", "/p/demo/@@activity.atom", TOOL + "@@activity",
                     TOOL + "ideas/", "/u/mem/@@contributions"):
            assert "Great offer" not in b.get(page).text, (who, page)
    for b in (dev, mem):            # a moderator, the author
        for view in VIEWS:
            assert "Great offer" in b.get(url + view).text, view
    assert not any("Great offer" in str(m["Subject"]) for m in smtp_server.messages)

    opening = posts_of(thread)[0]
    dev.post_form(url + "@@moderate", {"post_id": opening._id, "decision": "approve"},
                  status=302)
    # published at once, before any reactor ran
    assert thread_doc(site, "Great offer").status == "ok"
    assert "Great offer" in browser(forge_app).get(url + "@@history").text
    react(registry)
    mailed = smtp_server.to("out@example.test")
    assert any("Great offer" in str(m["Subject"]) for m in mailed)
    assert "Great offer" in browser(forge_app).get("/p/demo/@@activity").text


def test_the_thread_auditors_use_the_loaded_thread(forge_app, registry, site, monkeypatch):
    """A reply's auditor and subscriber read the thread the traversal loaded
    (no find of the thread), and still refuse replies to a held thread."""
    from tools.discussion import actions
    ada, mem, dev = (browser(forge_app, n) for n in ("ada", "mem", "dev"))
    new_forum(ada, "loaded", "Loaded")
    new_thread(mem, "loaded", "Open one", "Opening post")
    new_thread(mem, "loaded", "Held one", "Visit the online casino today.")
    open_thread, held = thread_doc(site, "Open one"), thread_doc(site, "Held one")
    assert held.status == "spam"
    finds = []
    real = actions.collection

    def counting(cls, *args, **kwargs):
        documents = real(cls, *args, **kwargs)
        if cls is actions.ForumThread:
            finds.append(cls)
        return documents
    monkeypatch.setattr(actions, "collection", counting)
    dev.post_form(TOOL + open_thread.path + "/@@post", {"text": "A reply"}, status=302)
    assert finds == []
    assert len(posts_of(open_thread)) == 2
    # not the author, not a moderator: refused, the thread as loaded says held
    # (the page is hidden from them: the action is called on the node)
    from pyramid.testing import DummyRequest
    from pyramid.traversal import find_resource

    from forge.api import Rejected, add_post
    from forge.resources import SiteRoot
    session.clear()
    request = DummyRequest()
    request.registry = registry
    node = find_resource(SiteRoot(request), TOOL + held.path + "/")
    with pytest.raises(Rejected):
        add_post(registry, node, "Me too", User.by_username("out"))
    assert finds == []
    assert len(posts_of(held)) == 1
