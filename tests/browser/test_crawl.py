"""A crawl of the demo site as every kind of reader: anonymous, a signed-in
stranger, a member, a developer and a project admin each follow every link
they are shown, breadth first from the front page, and no page answers a 5xx,
a 404 (a broken link) or a 403 (a link to something the reader may not do),
or logs a console error (the ``page`` guard fails the test on those).

Links that end a session or stream forever are not followed; every page the
crawl reaches is a GET, so following links changes nothing."""
import re
from collections import deque
from html import unescape
from urllib.parse import urljoin, urlsplit, urlunsplit

import pytest

from .conftest import login

pytestmark = pytest.mark.browser

MAX_PAGES = 80           # per reader: enough to reach every kind of page of the demo
QUERY_VARIANTS = 2       # of one path, follow at most this many query strings
SKIP = ("@@logout", "@@events", "@@unsubscribe", "/@@static", ".git/", "/info/refs",
        "@@raw", "@@attachment")


@pytest.fixture(scope="module")
def demo_site(live_registry):
    """The demo site (``forge serve``'s sample content), and people in each role of it."""
    from forge.actions.roles import add_member, role_named
    from forge.actions.users import create_user
    from forge.demo import ensure_demo_site
    from forge.model import Project, User, session
    from forge.testing import PASSWORD
    ensure_demo_site(live_registry)
    demo = Project.query.get(shortname="demo")
    admin = User.by_username("admin")
    people = {}
    for role in ("Member", "Developer", "Admin", None):
        name = "crawl%s" % (role or "stranger").lower()
        user = User.by_username(name) or create_user(
            live_registry, name, "%s@example.test" % name, PASSWORD)
        if role:
            add_member(live_registry, demo, role_named(demo, role), user, admin)
        people[role or "stranger"] = name
    session.close()
    return people


HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"')
RENDERED_EVERY = 8       # every so many pages is also drawn in Chromium (console errors)


def links(html, url):
    return [urljoin(url, unescape(href)) for href in HREF.findall(html)]


def crawl(page, base_url):
    """Breadth first through the links the reader is shown, with the browser
    context's own cookies; returns (pages visited, problems)."""
    origin = urlsplit(base_url)[:2]
    queue, seen, variants, problems = deque(["/"]), {"/"}, {}, []
    visited = 0
    while queue and visited < MAX_PAGES:
        path = queue.popleft()
        url = base_url + path
        response = page.request.get(url, max_redirects=5)
        visited += 1
        if response.status >= 500 or response.status in (403, 404):
            problems.append("%s answered %s" % (path, response.status))
            continue
        if visited % RENDERED_EVERY == 1:
            page.goto(url)              # the guard records console errors
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        for href in links(response.text(), response.url):
            parts = urlsplit(href)
            if parts[:2] != origin or any(s in parts.path for s in SKIP):
                continue
            target = urlunsplit(("", "", parts.path, parts.query, ""))
            if target in seen:
                continue
            if parts.query:
                count = variants.get(parts.path, 0)
                if count >= QUERY_VARIANTS:
                    continue
                variants[parts.path] = count + 1
            seen.add(target)
            queue.append(target)
    return visited, problems


@pytest.mark.parametrize("reader", ["anonymous", "stranger", "Member", "Developer", "Admin"])
def test_every_link_a_reader_is_shown_works(page, base_url, demo_site, reader):
    if reader != "anonymous":
        login(page, demo_site[reader])
    visited, problems = crawl(page, base_url)
    print("%s: %d pages" % (reader, visited))
    assert visited > 20, "the crawl found too little to be a crawl"
    assert not problems, "\n".join(problems)
