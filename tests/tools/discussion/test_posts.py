"""Posts in forum threads: the core's posts, replies and moderation as the
discussion tool uses them; locked threads, spam, and the XSS corpus."""
from forge.discussion.model import Post
from forge.model import session
from forge.testing import XSS_CORPUS as XSS, active_content

from .test_forums import TOOL, browser, new_forum, new_thread, react, site, thread_doc  # noqa: F401


def posts_of(thread):
    session.close()
    return Post.query.find({"ref_id": thread._id}).sort("slug", 1).all()


def reply(b, thread, text, parent_id=None, status=302):
    fields = {"text": text}
    if parent_id:
        fields["parent_id"] = parent_id
    return b.post_form(TOOL + thread.path + "/@@post", fields, status=status)


def test_replies_are_threaded(forge_app, registry, site):
    ada, mem, dev = (browser(forge_app, n) for n in ("ada", "mem", "dev"))
    new_forum(ada, "ideas", "Ideas")
    new_thread(mem, "ideas", "Tabs or spaces", "Opening post")
    thread = thread_doc(site, "Tabs or spaces")
    opening = posts_of(thread)[0]
    reply(dev, thread, "Spaces, says dev", parent_id=opening._id)
    reply(ada, thread, "A second top-level post")
    dev_post = [p for p in posts_of(thread) if p.text.startswith("Spaces")][0]
    reply(mem, thread, "Replying to dev", parent_id=dev_post._id)
    posts = posts_of(thread)
    assert [p.text for p in posts] == ["Opening post", "Spaces, says dev", "Replying to dev",
                                       "A second top-level post"]
    assert posts[2].slug.startswith(posts[1].slug + "/")
    page = mem.get(TOOL + thread.path + "/").text
    # the reply is rendered inside its parent's article
    start = page.index('id="post-%s"' % dev_post._id)
    assert start < page.index("Replying to dev") < page.index("A second top-level post")
    # a forum thread speaks of posts, not comments
    assert ">Posts <" in page and "Add a post" in page and ">Post</button>" in page
    assert "Comments" not in page
    react(registry)
    assert thread_doc(site, "Tabs or spaces").num_posts == 4
    listing = ada.get(TOOL + "ideas/").text
    assert "by mem" in listing          # the last post's author


def test_locked_thread_refuses_posts_with_a_message(forge_app, registry, site):
    ada, mem, dev = (browser(forge_app, n) for n in ("ada", "mem", "dev"))
    new_forum(ada, "ideas", "Ideas")
    new_thread(mem, "ideas", "Closed topic", "Opening post")
    thread = thread_doc(site, "Closed topic")
    mem.post_form(TOOL + thread.path + "/@@flags", {"locked": "on"}, status=403)
    dev.post_form(TOOL + thread.path + "/@@flags", {"locked": "on"}, status=302)
    assert thread_doc(site, "Closed topic").locked is True
    page = mem.get(TOOL + thread.path + "/")
    assert "locked" in page.text and 'id="post-form-new"' not in page.text
    refused = reply(mem, thread, "Let me in", status=409)
    assert "locked" in refused.text
    assert len(posts_of(thread)) == 1
    assert 'class="badge locked"' in mem.get(TOOL + "ideas/").text
    dev.post_form(TOOL + thread.path + "/@@flags", {"locked": "off"}, status=302)
    reply(mem, thread, "Open again")
    assert len(posts_of(thread)) == 2


def test_a_non_members_post_waits_for_a_moderator(forge_app, registry, site):
    ada, mem, dev, out = (browser(forge_app, n) for n in ("ada", "mem", "dev", "out"))
    new_forum(ada, "ideas", "Ideas")
    new_thread(mem, "ideas", "Feedback", "Opening post")
    thread = thread_doc(site, "Feedback")
    reply(out, thread, "An outsider's opinion")
    held = [p for p in posts_of(thread) if p.author_id == site["out"]._id][0]
    assert held.status == "pending"
    # invisible to others, visible to its author and to moderators
    assert "An outsider" not in mem.get(TOOL + thread.path + "/").text
    assert "An outsider" not in browser(forge_app).get(TOOL + thread.path + "/").text
    assert "An outsider" in out.get(TOOL + thread.path + "/").text
    assert "An outsider" in dev.get(TOOL + thread.path + "/").text
    # moderators find it through the tool page's link to the core's queue
    tool_page = dev.get(TOOL).text
    assert 'id="moderation-link"' in tool_page and "1 waiting" in tool_page
    assert 'id="moderation-link"' not in mem.get(TOOL).text
    assert "An outsider" in dev.get(TOOL + "@@moderation").text
    mem.get(TOOL + "@@moderation", status=403)
    react(registry)
    assert thread_doc(site, "Feedback").num_posts == 1
    dev.post_form(TOOL + thread.path + "/@@moderate",
                  {"post_id": held._id, "decision": "approve"}, status=302)
    assert "An outsider" in mem.get(TOOL + thread.path + "/").text
    react(registry)
    assert thread_doc(site, "Feedback").num_posts == 2
    assert "1 waiting" not in dev.get(TOOL).text


def test_a_thread_whose_opening_post_is_held_is_hidden_until_approved(
        forge_app, registry, site):
    ada, mem, dev = (browser(forge_app, n) for n in ("ada", "mem", "dev"))
    new_forum(ada, "ideas", "Ideas")
    # a member may start threads; a phrase of the spam rules holds the opening post
    new_thread(mem, "ideas", "Great offer", "Visit the online casino today.")
    thread = thread_doc(site, "Great offer")
    assert thread.status == "spam"
    assert "Great offer" not in browser(forge_app, "out").get(TOOL + "ideas/").text
    browser(forge_app, "out").get(TOOL + thread.path + "/", status=404)
    assert "Great offer" in dev.get(TOOL + "ideas/").text       # moderators see it
    # nobody else replies to it meanwhile (its author and moderators may): to
    # them it is not there
    refused = reply(browser(forge_app, "out"), thread, "me too", status=404)
    assert "Great offer" not in refused.text
    reply(mem, thread, "More details")
    reply(dev, thread, "Looking at it")
    opening = posts_of(thread)[0]
    dev.post_form(TOOL + thread.path + "/@@moderate",
                  {"post_id": opening._id, "decision": "approve"}, status=302)
    react(registry)
    assert thread_doc(site, "Great offer").status == "ok"
    reply(browser(forge_app, "out"), thread, "me too")
    assert "Great offer" in browser(forge_app, "out").get(TOOL + "ideas/").text


def test_spam_is_rejected_in_a_forum_and_saves_nothing(forge_app, registry, site):
    ada, out = browser(forge_app, "ada"), browser(forge_app, "out")
    new_forum(ada, "ideas", "Ideas")
    new_thread(ada, "ideas", "Welcome", "Hello")
    thread = thread_doc(site, "Welcome")
    spam = "BUY CHEAP WATCHES NOW AT OUR ONLINE CASINO, THE BEST DEALS ON THE WEB!!!"
    page = reply(out, thread, spam, status=422)
    assert "looks like spam" in page.text
    assert len(posts_of(thread)) == 1
    # a thread whose opening post is rejected is not created at all
    mem = browser(forge_app, "mem")
    page = new_thread(mem, "ideas", "Deals", spam, status=422)
    assert "looks like spam" in page.text and 'value="Deals"' in page.text
    assert thread_doc(site, "Deals") is None


def test_xss_corpus_is_inert_in_subjects_forums_and_posts(forge_app, registry, site):
    ada, dev = browser(forge_app, "ada"), browser(forge_app, "dev")
    new_forum(ada, "ideas", XSS[0][:200], description="\n".join(XSS))
    text = "\n\n".join(XSS)
    for i, payload in enumerate(XSS):
        new_thread(ada, "ideas", payload[:200], text)
    thread = thread_doc(site, XSS[1][:200])
    reply(dev, thread, text, parent_id=posts_of(thread)[0]._id)
    react(registry)
    urls = [TOOL, TOOL + "ideas/", TOOL + "ideas/@@edit", TOOL + thread.path + "/"]
    for url in urls:
        page = ada.get(url).text
        assert active_content(page) == [], url
        assert "<script>alert" not in page and "<img src=x onerror" not in page, url
    # subjects are text: shown escaped, as typed
    assert "&lt;script&gt;alert(&#39;x1&#39;)&lt;/script&gt;" in ada.get(TOOL + "ideas/").text
