"""A forum thread's posts kept as HTML per reader while nothing is written
(views.kept_posts): rendered once for a reader's views, never shown to
another reader, rendered again after a post."""
import re

import pytest

from forge.testing import count_renders, forge_test_settings

from tools.discussion import views

from .test_forums import TOOL, browser, new_forum, new_thread, site, thread_doc  # noqa: F401


@pytest.fixture
def forge_settings():
    # whole pages are not kept (forge.page_cache), so every GET renders
    return forge_test_settings(**{"forge.page_cache.max_mb": "0"})


@pytest.fixture
def renders(monkeypatch):
    return count_renders(monkeypatch, views)


def posts_of(page):
    return re.search(r'<section class="discussion".*?</section>', page.text, re.S).group(0)


def test_the_posts_are_kept_per_reader(forge_app, site, renders):  # noqa: F811
    ada, mem = browser(forge_app, "ada"), browser(forge_app, "mem")
    new_forum(ada, "ideas", "Ideas")
    url = new_thread(mem, "ideas", "Dark mode", "Please add dark mode.").location
    mem.get(url)
    del renders[:]
    first = posts_of(mem.get(url))
    assert posts_of(mem.get(url)) == first and renders == []
    theirs = posts_of(ada.get(url))
    # another reader: their page, and the posts of a reader who may moderate
    assert sorted(renders) == sorted([views.TEMPLATES + "_thread.jinja2",
                                      views.TEMPLATES + "_posts.jinja2"])
    token = re.search(r'name="csrf_token" value="([^"]+)"', theirs).group(1)
    assert token not in first


def test_a_post_renders_the_posts_again(forge_app, site):  # noqa: F811
    ada, mem = browser(forge_app, "ada"), browser(forge_app, "mem")
    new_forum(ada, "ideas", "Ideas")
    url = new_thread(mem, "ideas", "Dark mode", "Please add dark mode.").location
    mem.get(url)
    mem.get(url)
    thread = thread_doc(site, "Dark mode")
    mem.post_form(TOOL + thread.path + "/@@post", {"text": "And a light one"}, status=302)
    assert "And a light one" in posts_of(mem.get(url))


def test_posts_are_not_kept_one_by_one_as_well(forge_app, registry, site):  # noqa: F811
    # the page keeps its posts' HTML whole for the readers who may do the same
    # there (shared: kept whole): a post kept apart as well would only fill the
    # generation store
    from forge.fragments import generation_store
    ada, mem = browser(forge_app, "ada"), browser(forge_app, "mem")
    new_forum(ada, "ideas", "Ideas")
    url = new_thread(mem, "ideas", "Dark mode", "Please add dark mode.").location
    thread = thread_doc(site, "Dark mode")
    mem.post_form(TOOL + thread.path + "/@@post", {"text": "And a light one"}, status=302)
    generation_store(registry).clear()
    page = mem.get(url)
    assert "And a light one" in posts_of(page) and "Please add dark mode." in posts_of(page)
    keys = list(generation_store(registry)._items)
    assert [k for k in keys if k[0] == "verdicts" and k[1][0] == "forum-posts"]
    assert not [k for k in keys if k[0][0] == "post"]


# -- the posts kept once for every reader who may do the same there ------------
# (views.kept_posts: forge.fragments.verdict_cached under the thread's
# verdicts).  Every browser signs in before the first view: a sign-in may write.

def tokens(page):
    return set(re.findall(r'name="csrf_token" value="([^"]+)"', page.text))


def test_a_first_view_gets_the_posts_of_a_reader_like_them(forge_app, site, renders,  # noqa: F811
                                                           make_user):
    make_user("out2")
    ada, mem = browser(forge_app, "ada"), browser(forge_app, "mem")
    new_forum(ada, "ideas", "Ideas")
    url = new_thread(mem, "ideas", "Dark mode", "Please add dark mode.").location
    out, out2 = browser(forge_app, "out"), browser(forge_app, "out2")
    out.get(url)
    del renders[:]
    page = out2.get(url)
    assert "Please add dark mode." in posts_of(page)
    assert renders == [views.TEMPLATES + "_thread.jinja2"]     # the posts were out's
    # every form carries this reader's own token, never the first reader's
    assert tokens(page) == {out2.csrf()} != {out.csrf()}


def test_a_held_post_is_shown_to_its_author_only(forge_app, site, make_user):  # noqa: F811
    make_user("out2")
    ada, mem = browser(forge_app, "ada"), browser(forge_app, "mem")
    new_forum(ada, "ideas", "Ideas")
    url = new_thread(mem, "ideas", "Dark mode", "Please add dark mode.").location
    thread = thread_doc(site, "Dark mode")
    out = browser(forge_app, "out")
    out.post_form(TOOL + thread.path + "/@@post", {"text": "Held for a moderator"},
                  status=302)
    out, out2 = browser(forge_app, "out"), browser(forge_app, "out2")
    assert "Held for a moderator" in posts_of(out.get(url))
    assert "Held for a moderator" not in posts_of(out2.get(url))
