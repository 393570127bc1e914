"""The leak suite's world (``tests/leaks_world.py``) read through the page cache's
signed-in kind (``forge.signed_pages``): every role reads every page twice, after
all of them have stored theirs, and the second answer (from the store where the
view opted in) shows no marker the role may not read, and the same ones as the
first answer."""
from forge.page_cache import HEADER

from .leaks_world import VIEWERS, activity_urls, answer, browser, check, world  # noqa: F401

PAGES = ["/p/", "/p/pub/", "/p/pub/wiki/", "/p/pub/wiki/@@index", "/p/pub/wiki/Openpage/",
         "/p/pub/wiki/Sealedpage/", "/p/pub/wiki/Sealedpage/@@history",
         "/p/pub/wiki/Linkpage/", "/p/pub/tickets/", "/p/pub/tickets/2/",
         "/p/pub/vault/", "/p/pub/forum/", "/p/pub/forum/general/", "/p/priv/",
         "/p/priv/wiki/", "/p/hushed/", "/p/hushed/wiki/", "/p/hushed/wiki/Hushpage/",
         "/p/dead/", "/p/pub/wiki/Spampage/", "/u/author/@@profile"]
READERS = [who for who in VIEWERS if who]


def test_each_session_is_shown_only_what_its_reader_may_read_from_the_store(world):
    urls = PAGES + activity_urls(world)
    browsers = {who: browser(world, who) for who in READERS}
    first = {(who, url): check(answer(b, url), who, url)
             for who, b in browsers.items() for url in urls}
    hits = {who: 0 for who in READERS}
    for who, b in browsers.items():
        for url in urls:
            response = b.get(url, status=(200, 301, 302, 404))
            text = response.text + " " + response.headers.get("Location", "")
            assert check(text, who, url) == first[who, url], (who, url)
            hits[who] += response.headers.get(HEADER) == "hit"
    # the store answered every reader (pages that opted in, once stored)
    assert all(count >= len(PAGES) // 2 for count in hits.values()), hits
