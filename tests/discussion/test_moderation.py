"""Moderation: who waits in the queue, who sees held posts, approving, counts,
the spam auditor and locked threads."""
import pytest

from forge.bus.auditing import Rejected
from forge.discussion.actions import set_thread_locked, thread_for
from forge.discussion.model import Post, Thread
from forge.discussion.spam import BuiltinChecker, Verdict
from forge.model import Artifact, OutboxEvent, User, session

from .conftest import TOPICS

URL = TOPICS + "intro/"
QUEUE = TOPICS + "@@moderation"


def posts():
    session.close()
    return Post.query.find({}).sort("slug", 1).all()


def count():
    session.close()
    thread = Thread.query.get(ref_path="intro")
    return thread.num_posts if thread else 0


def test_outsider_post_waits_for_a_moderator(make_topic, browser_for):
    make_topic("intro")
    out = browser_for("out")
    response = out.post_form(URL + "@@post", {"text": "Hello from outside"}, status=302)
    assert posts()[0].status == "pending"
    assert "waits for a moderator" in response.follow().text
    assert count() == 0
    # the author sees it, marked; another user and anonymous do not
    assert "waiting for a moderator" in out.get(URL).text
    assert "Hello from outside" not in browser_for("mem").get(URL).text
    assert "Hello from outside" not in browser_for().get(URL).text
    # the moderator sees it in the thread and in the queue
    dev = browser_for("dev")
    assert "Hello from outside" in dev.get(URL).text
    queue = dev.get(QUEUE)
    assert "Hello from outside" in queue.text and "Waiting for approval" in queue.text
    # members and outsiders may not see the queue
    browser_for("mem").get(QUEUE, status=403)
    post = posts()[0]
    browser_for("mem").post_form(URL + "@@moderate", {"post_id": post._id,
                                                      "decision": "approve"}, status=403)
    # approving from the queue returns to the queue
    back = dev.post_form(URL + "@@moderate", {"post_id": post._id, "decision": "approve",
                                              "came_from": "/p/demo/topics/@@moderation"},
                         status=302)
    assert back.location == "http://localhost/p/demo/topics/@@moderation"
    assert posts()[0].status == "ok" and count() == 1
    assert "Hello from outside" in browser_for().get(URL).text
    assert "Hello from outside" not in dev.get(QUEUE).text
    topics = [r.topic for r in OutboxEvent.query.find({}).all()]
    assert "topics.post.approved" in topics


def test_member_posts_without_moderation(make_topic, browser_for):
    make_topic("intro")
    browser_for("mem").post_form(URL + "@@post", {"text": "Member talk"}, status=302)
    assert posts()[0].status == "ok" and count() == 1


def test_spam_and_delete_decisions_and_counts(make_topic, browser_for):
    make_topic("intro")
    mem, dev = browser_for("mem"), browser_for("dev")
    mem.post_form(URL + "@@post", {"text": "one"}, status=302)
    mem.post_form(URL + "@@post", {"text": "two"}, status=302)
    assert count() == 2
    one, two = posts()
    dev.post_form(URL + "@@moderate", {"post_id": one._id, "decision": "spam"}, status=302)
    assert count() == 1 and posts()[0].status == "spam"
    assert "one" not in [p.text for p in posts() if p.visible]
    queue = dev.get(QUEUE)
    assert "Held as possible spam" in queue.text and 'id="post-%s"' % one._id in queue.text
    dev.post_form(URL + "@@moderate", {"post_id": one._id, "decision": "approve"}, status=302)
    assert count() == 2
    dev.post_form(URL + "@@moderate", {"post_id": two._id, "decision": "delete"}, status=302)
    assert count() == 1
    page = dev.post_form(URL + "@@moderate", {"post_id": one._id, "decision": "burn"},
                         status=400)
    assert "approve, spam, delete" in page.text


def test_queue_shows_only_posts_the_moderator_may_read(make_topic, browser_for):
    make_topic("intro")
    make_topic("secret", private=True, readers=["ada", "out"])
    out = browser_for("out")
    out.post_form(URL + "@@post", {"text": "held on a public topic"}, status=302)
    out.post_form(TOPICS + "secret/@@post", {"text": "held on a secret topic"}, status=302)
    assert [p.status for p in posts()] == ["pending", "pending"]
    # dev moderates the tool but may not read the secret topic
    queue = browser_for("dev").get(QUEUE).text
    assert "held on a public topic" in queue and "held on a secret topic" not in queue
    browser_for("dev").get(TOPICS + "secret/", status=404)
    queue = browser_for("ada").get(QUEUE).text
    assert "held on a public topic" in queue and "held on a secret topic" in queue


def test_spam_phrase_is_held_with_its_reason(make_topic, browser_for):
    make_topic("intro")
    mem = browser_for("mem")             # a member: not moderated, still checked
    response = mem.post_form(URL + "@@post", {"text": "Buy cheap watches at my shop"},
                             status=302)
    post = posts()[0]
    assert post.status == "spam" and "buy cheap" in post.status_reason
    assert "held for a moderator" in response.follow().text
    assert count() == 0
    assert "Buy cheap watches" not in browser_for("out").get(URL).text
    queue = browser_for("dev").get(QUEUE).text
    assert "Held as possible spam" in queue and "Buy cheap watches" in queue


def test_spam_with_two_signs_is_rejected_and_nothing_saved(make_topic, browser_for):
    make_topic("intro")
    out = browser_for("out")
    text = "ONLINE CASINO BONUS FOR EVERYONE WHO CLICKS RIGHT NOW TODAY"
    page = out.post_form(URL + "@@post", {"text": text}, status=422)
    assert "looks like spam" in page.text
    assert text in page.text           # kept in the form, escaped
    assert posts() == []
    assert Thread.query.get(ref_path="intro") is None
    assert OutboxEvent.query.find({"topic": "topics.post.created"}).count() == 0


def test_too_many_links_are_held(make_topic, browser_for):
    make_topic("intro")
    links = " ".join("https://example.test/%d" % i for i in range(9))
    browser_for("mem").post_form(URL + "@@post", {"text": links}, status=302)
    assert posts()[0].status == "spam" and posts()[0].status_reason == "9 links"


def test_moderators_are_not_spam_checked(make_topic, browser_for):
    make_topic("intro")
    browser_for("dev").post_form(URL + "@@post", {"text": "About that casino bonus spam..."},
                                 status=302)
    assert posts()[0].status == "ok"


def test_an_edit_into_spam_is_held(make_topic, browser_for):
    make_topic("intro")
    mem = browser_for("mem")
    mem.post_form(URL + "@@post", {"text": "an innocent comment"}, status=302)
    post = posts()[0]
    assert count() == 1
    mem.post_form(URL + "@@post-edit", {"post_id": post._id, "version": "1",
                                        "text": "now with payday loan offers"}, status=302)
    assert posts()[0].status == "spam" and count() == 0


def test_the_spam_checker_is_pluggable(make_topic, browser_for, registry):
    make_topic("intro")
    seen = []

    def no_tabs(text, change):
        seen.append(change.topic)
        return Verdict.reject("tabs") if "\t" in text else Verdict.ok()

    registry.forge_spam_checker = no_tabs
    mem = browser_for("mem")
    page = mem.post_form(URL + "@@post", {"text": "a\tb"}, status=422)
    assert "(tabs)" in page.text
    mem.post_form(URL + "@@post", {"text": "Buy cheap stuff"}, status=302)
    assert posts()[0].status == "ok"       # the built-in rules are replaced
    assert seen == ["topics.post.created", "topics.post.created"]


def test_set_spam_checker_directive():
    from pyramid.config import Configurator

    def checker(text, change):
        return Verdict.ok()

    config = Configurator(settings={})
    config.include("forge.bus.registry")
    config.include("forge.discussion.spam")
    config.set_spam_checker(checker)
    config.commit()
    assert config.registry.forge_spam_checker is checker
    names = sorted(a.topic for a in config.registry.forge_auditors)
    assert names == ["#.created", "#.updated"]


@pytest.mark.parametrize("text, action", [
    ("A perfectly normal comment with a link https://example.test", "ok"),
    ("Please BUY cheap pills", "hold"),
    ("THIS IS A VERY LONG SHOUTED SENTENCE WITH NO LOWERCASE", "hold"),
    ("CHEAP VIAGRA AND MORE CHEAP VIAGRA FOR EVERYONE HERE NOW", "reject"),
    (" ".join(["www.x.test"] * 25), "reject"),
    ("OK", "ok"),
])
def test_builtin_rules(text, action):
    assert BuiltinChecker()(text).action == action


def test_builtin_rules_take_phrases_from_settings():
    checker = BuiltinChecker({"forge.discussion.spam.phrases": "miracle cure\nfree money",
                              "forge.discussion.spam.max_links": "2"})
    assert checker("Try this miracle  cure").action == "hold"
    assert checker("http://a http://b http://c").action == "hold"


def test_a_rejecting_auditor_is_a_4xx_with_nothing_saved(make_topic, browser_for, registry):
    make_topic("intro")

    def veto(text, change):
        raise Rejected("Comments are closed for maintenance.", status=403)

    registry.forge_spam_checker = veto
    page = browser_for("mem").post_form(URL + "@@post", {"text": "hi"}, status=403)
    assert "closed for maintenance" in page.text and posts() == []


def test_locked_thread_refuses_posts(make_topic, browser_for, registry):
    topic = make_topic("intro")
    mem = browser_for("mem")
    mem.post_form(URL + "@@post", {"text": "before the lock"}, status=302)
    post = posts()[0]
    session.close()
    thread = thread_for(Artifact.query.get(_id=topic._id))
    set_thread_locked(registry, thread, True, User.query.get(username="dev"))
    session.close()
    assert Thread.query.get(ref_path="intro").locked is True
    assert Thread.query.get(ref_path="intro").num_posts == 1
    page = mem.get(URL)
    assert "This discussion is locked" in page.text and 'id="post-form-new"' not in page.text
    refused = mem.post_form(URL + "@@post", {"text": "after the lock"}, status=409)
    assert "locked" in refused.text
    # the author may no longer edit; a moderator still may
    mem.get(URL + "@@post-edit", {"post_id": post._id}, status=403)
    browser_for("dev").get(URL + "@@post-edit", {"post_id": post._id}, status=200)
    topics = [r.topic for r in OutboxEvent.query.find({}).all()]
    assert "topics.thread.locked" in topics
    session.close()
    set_thread_locked(registry, Thread.query.get(ref_path="intro"), False,
                      User.query.get(username="dev"))
    mem.post_form(URL + "@@post", {"text": "after the unlock"}, status=302)
    assert count() == 2


def test_project_moderation_lists_the_tools_the_viewer_moderates(make_topic, browser_for):
    make_topic("intro")
    browser_for("out").post_form(URL + "@@post", {"text": "held for the project queue"},
                                 status=302)
    page = browser_for("dev").get("/p/demo/@@moderation")
    assert "held for the project queue" in page.text
    assert 'action="http://localhost/p/demo/topics/intro/@@moderate"' in page.text
    browser_for("mem").get("/p/demo/@@moderation", status=403)
    browser_for().get("/p/demo/@@moderation", status=302)     # anonymous: sign in first


def test_an_approved_post_is_credited_to_its_author(make_topic, browser_for, people,
                                                   run_reactors):
    """Activity, the Atom feed and contributions name who wrote the post, not the
    moderator who approved it (the thread page always did)."""
    make_topic("intro")
    browser_for("out").post_form(URL + "@@post", {"text": "Held words"}, status=302)
    post = posts()[0]
    browser_for("dev").post_form(URL + "@@moderate", {"post_id": post._id,
                                                      "decision": "approve"}, status=302)
    run_reactors()
    from forge.activity.model import ActivityEntry
    from forge.model.session import collection
    entries = list(collection(ActivityEntry).find({"node_id": post._id}))
    assert [e["actor_id"] for e in entries] == [people["out"]._id]
    reader = browser_for("ada")
    activity = reader.get("/p/demo/@@activity").text
    assert "Held words" in activity
    feed = reader.get("/p/demo/@@activity.atom").text
    assert "<name>out</name>" in feed and "<name>dev</name>" not in feed
    assert "Held words" in reader.get("/u/out/@@contributions").text
    assert "Held words" not in reader.get("/u/dev/@@contributions").text
