"""THE LEAK SUITE (issues 5 and 10): a generated matrix of kinds of secret
node × surfaces × roles.  Each secret carries unique marker words; a marker
must appear nowhere a role may not read it, and must reach the roles who may.
The world (``world``: its secrets, people and who may read what) is built by
``tests/leaks_world.py``.

Surfaces (``surface_*``, each × every role in ``test_matrix``): activity pages
and Atom feeds (by token and by session), hidden pages, live events, forum
and threads, search, the dashboard, in-app notifications and the badge,
profiles, ``#N``/``@name`` autolinks (pages and the live preview), a renamed
project's old and new names, code hosting (pages, commits, clone over HTTP)
and mail in (reply addresses); mail and digests in their own test, REST in
``tests/rest/test_leaks.py`` on this world.
"""
import json
import smtplib

import pytest
import webtest

from forge.actions.tokens import create_token
from forge.feeds.tokens import feed_token_of
from forge.mail_in.addresses import reply_address
from forge.model import User, session

from .leaks_world import (ADMINS, DEVS, DIGEST, IN_ACTIVITY, MAILED_TO, MEMBERS,  # noqa: F401
                          REPOSITORIES, SECRETS, VIEWERS, WATCHERS, activity_urls, answer,
                          browser, check, may_read, world)

# -- the matrix: surface × role ----------------------------------------------------

def surface_activity_pages(world, who):
    b = browser(world, who)
    shown = set()
    for url in activity_urls(world) + ["/p/pub/", "/u/author/@@profile"]:
        shown |= check(answer(b, url), who, url)
    activity = b.get("/p/pub/@@activity").text
    assert "Takeover" in activity, activity[activity.find("<main"):][:3000]
    return shown, IN_ACTIVITY


def surface_hidden_pages(world, who):
    """A deleted project's pages and the spam account's: 404 for every role (site
    admins only see them); the comment is held as spam, for moderators only."""
    b = browser(world, who)
    shown = set()
    for url in ("/p/dead/", "/p/dead/wiki/Deadproject/", "/p/dead/@@activity",
                "/p/pub/wiki/Spampage/", "/p/pub/wiki/Spampage/@@history"):
        shown |= check(b.get(url, status=404).text, who, url)
    for url in ("/p/pub/wiki/Openpage/", "/u/spammer/"):
        shown |= check(b.get(url).text, who, url)
    hidden = {word: SECRETS[word] for word in ("Deadproject", "Deadtext", "Spampage",
                                               "Spamtext")}
    for url in ("/", "/p/", "/p/pub/wiki/", "/p/pub/wiki/@@index"):
        check(b.get(url).text, who, url, readers=hidden)
    return shown, {"Spamcomment"}


def surface_feeds(world, who):
    """Anonymous with the role's feed token: what that user may read."""
    anonymous = browser(world)
    params = {"token": feed_token_of(world.registry, User.by_username(who))} if who else {}
    shown = set()
    for url in activity_urls(world):
        shown |= check(answer(anonymous, url + ".atom", params=params), who, url + ".atom")
    assert "Takeover" in anonymous.get("/p/pub/@@activity.atom", params=params).text
    return shown, IN_ACTIVITY


def surface_feeds_with_session(world, who):
    b = browser(world, who)
    shown = set()
    for url in ("/p/pub/@@activity.atom", "/u/author/@@contributions.atom",
                "/u/lurker/@@contributions.atom"):
        shown |= check(b.get(url).text, who, url + " (session)")
    return shown, IN_ACTIVITY


def read_events(body):
    events = []
    for block in body.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines()
                     if ": " in line and not line.startswith(":"))
        if "data" in lines:
            events.append(json.loads(lines["data"]))
    return events


def surface_live_events(world, who):
    b = browser(world, who)
    shown, names = set(), set()
    for url in ("/p/pub/@@events", "/p/priv/@@events"):
        response = b.get(url, params={"last_event_id": "0"}, status=(200, 404))
        shown |= check(response.text, who, url)
        if response.status_int == 200:
            assert response.content_type == "text/event-stream"
            names |= {e.get("path") for e in read_events(response.text)}
    # events name nodes by path; the one a path named then is not the one there now
    assert ("Sealedpage" in names) == (who in DEVS)
    assert ("Newname" in names) == (who in MEMBERS)
    assert "Openpage" in names and "Oldname" in names
    # an event carries node names (paths), attachment names and commit
    # messages, no titles
    return shown, {"Attachsecret", "Sealedpage", "Vaultpage", "Privpage", "Codesecret",
                   "Privcommit"}


def surface_forum(world, who):
    """The forum index (with its counters and last post) and the forum page."""
    b = browser(world, who)
    index = b.get("/p/pub/forum/").text
    shown = check(index, who, "forum index")
    assert "Openthread" in index
    # the counters count what every reader of the forum may read: one thread
    row = index[index.index("General"):]
    assert ">1<" in row.replace(" ", "").replace("\n", "")[:400], row[:400]
    shown |= check(b.get("/p/pub/forum/general/").text, who, "forum page")
    return shown, {"Heldsubject", "Privthread"}


def surface_threads(world, who):
    """A thread's page, history, first version and diff."""
    b = browser(world, who)
    shown = set()
    for subject in ("Heldsubject", "Privthread"):
        url = world.threads[subject]
        for view in ("", "@@history", "@@version?v=1", "@@diff?from=1&to=1"):
            response = b.get(url + view, status=(200, 404))
            shown |= check(response.text, who, url + view)
            assert (response.status_int == 200) == (who in SECRETS[subject]), url + view
    return shown, {"Heldsubject", "Heldtext", "Privthread", "Privthreadtext"}


SEARCH_QUERIES = [w.lower() for w in SECRETS] + [
    '"sealedtext words"', '"ticketbody words"', '"vaulttext words"', '"privtext words"',
    '"commentsecret words"', '"movedtext words"', '"heldtext words"', "title:sealedpage",
    "text:privtext", "tool:vault", "tool:gone", "project:priv", "type:ticket", "sealed*",
    "moved*", "held*", "priv*", "gone*", "deleted*", "*", "words", "author:author",
    "author:lurker"]


def surface_search(world, who):
    b = browser(world, who)
    shown = set()
    for url in ("/@@search", "/p/pub/@@search", "/p/pub/forum/@@search"):
        for text in SEARCH_QUERIES:
            response = b.get(url, params={"q": text}, status=(200, 400, 404))
            shown |= check(answer_of(response, text), who, "%s?q=%s" % (url, text))
    # a held thread is not indexed at all (its subject is for moderators only)
    return shown, {"Sealedpage", "Sealedtext", "Ticketsecret", "Ticketbody", "Commentsecret",
                   "Vaultpage", "Vaulttext", "Privpage", "Privtext", "Movedtitle", "Movedtwo",
                   "Movedcomment", "Privthread", "Privthreadtext", "Hushproject", "Hushpage",
                   "Hushtext", "Hushed", "Codesecret", "Privcommit", "Latersecret"}


def answer_of(response, text):
    """The page's main part without the searcher's own words echoed back."""
    main = response.html.find("main")
    if response.status_int == 404:
        return str(main)
    for echo in main.select("form.search-form, nav.pager"):
        echo.decompose()
    answer = main.get_text(" ")
    for word in text.replace('"', " ").replace("*", " ").split():
        answer = answer.replace(word.split(":")[-1], "")
    for hit in main.select("a.search-title"):
        answer += " " + hit["href"]
    return answer


def surface_dashboard(world, who):
    """The signed-in front page: the reader's projects, watches, recent
    activity and "Assigned to you" (the tracker's panel); the project list for
    visitors."""
    b = browser(world, who)
    page = b.get("/")
    shown = check(page.text, who, "/")
    if who == "mallory":
        panel = page.html.find(string="Assigned to you")
        assert panel is not None and "Openticket" in page.text
    return shown, None


def unread_badge(page):
    badge = page.html.select_one("#notifications-link .badge")
    return badge.get_text() if badge else ""


def surface_notifications(world, who):
    """In-app notifications (the same site without mail): ``/@@notifications``
    lists, and the header's badge counts, only what the reader may read now."""
    b = browser(world, who, app=world.quiet)
    if who is None:
        assert "/@@login" in b.get("/@@notifications", status=302).location
        return set(), set()
    page = b.get("/@@notifications")
    shown = check(page.text, who, "/@@notifications")
    items = page.html.select("#notification-list li")
    # every listed one is unread, and the badge counts exactly those
    count = len(items)
    assert unread_badge(page) == ("20+" if count > 20 else str(count or "")), (who, count)
    return shown, None


PEOPLE = ["author", "ada", "dev", "mallory", "outsider", "lurker", "spammer", "root"]


def surface_people(world, who):
    """Profiles (projects, contributions) of everybody; a disabled user's is
    the same for every role."""
    b = browser(world, who)
    shown = set()
    for name in PEOPLE:
        for url in ("/u/%s/" % name, "/u/%s/@@profile" % name):
            shown |= check(b.get(url, status=(200, 404)).text, who, url)
    return shown, None


def surface_autolinks(world, who):
    """``#2`` (a private ticket, with a DENY for mallory), ``#3`` (none) and
    ``@spammer`` (disabled) in a public page: a link (and its title) only
    where the reader may read the ticket."""
    b = browser(world, who)
    page = b.get("/p/pub/wiki/Linkpage/")
    shown = check(page.text, who, "Linkpage")
    links = {a.get_text() for a in page.html.select("main a")}
    assert ("#2" in links) == (who in DEVS), (who, links)
    assert "#1" in links and "#3" not in links and "@spammer" not in links
    # the live preview of a text being written links the same way
    for url in ("/p/pub/wiki/Openpage/@@preview", "/p/pub/tickets/@@preview"):
        if who is not None:
            response = b.post_form(url, {"text": "See #2, #1 and @spammer."},
                                   status=(200, 403, 404))
            shown |= check(response.text, who, url)
            assert ("#2</a>" in response.text) == (who in DEVS), url
    return shown, {"Ticketsecret"}


def surface_renamed_project(world, who):
    """A private project renamed after its activity: its old and new names
    answer 404 to those who may not read it, exactly like a missing project
    (no redirect naming the new one); its admins reach it by either."""
    b = browser(world, who)
    shown = set()
    missing = b.get("/p/no-such-project/", status=404).text
    for url in ("/p/hush/", "/p/hush/wiki/Hushpage/", "/p/hushed/", "/p/hushed/wiki/",
                "/p/hushed/wiki/Hushpage/", "/p/hushed/wiki/Hushpage/@@history"):
        response = b.get(url, status=(200, 301, 302, 404))
        text = response.text + " " + response.headers.get("Location", "")
        shown |= check(text, who, url)
        if who not in ADMINS:
            assert response.status_int == 404 and text.strip() == missing.strip(), url
    return shown, {"Hushproject", "Hushpage", "Hushtext", "Hushed"}


def git_client(world, who):
    """The app as ``git`` over HTTP asks it: Basic credentials (a token)."""
    client = webtest.TestApp(world.app)
    if who:
        token = create_token(User.by_username(who), "clone")[1]
        session.close()
        client.authorization = ("Basic", (who, token))
    return client


def surface_code(world, who):
    """Repositories: their pages, the commit's page and a clone over HTTP; who
    may not read one gets exactly what a missing repository answers (the
    challenge for visitors, then 404)."""
    b, client = browser(world, who), git_client(world, who)
    refs = "/info/refs?service=git-upload-pack"
    missing_refs = client.get("/p/pub/nothing" + refs, status=(401, 404))
    shown = set()
    for repo, marker in REPOSITORIES.items():
        for url in (repo + "/", repo + "/commits", repo + "/tree/main",
                    repo + "/blob/main/notes.txt", world.commits[repo]):
            shown |= check(answer(b, url), who, url)
            assert (b.get(url, status=(200, 404)).status_int == 200) == \
                (who in SECRETS[marker]), url
        clone = client.get(repo + refs, status=(200, 401, 404))
        if who in SECRETS[marker]:
            assert clone.status_int == 200 and b"refs/heads/main" in clone.body
        else:
            assert (clone.status_int, clone.headers.get("WWW-Authenticate"), clone.body) == \
                (missing_refs.status_int, missing_refs.headers.get("WWW-Authenticate"),
                 missing_refs.body), repo
    return shown, set(REPOSITORIES.values())


def rcpt_answer(world, sender, address):
    with smtplib.SMTP(*world.mail_in.address, timeout=30) as client:
        client.ehlo()
        client.mail(sender)
        return client.rcpt(address)


def surface_mail_in(world, who):
    """Replies by mail (the reply address each mail gave its reader): taken
    while the reader may still read the artifact (RCPT only: nothing posted);
    else answered exactly like an address that names nothing (a page made
    private, deleted, in a deleted project, hidden with its spam author)."""
    if who is None:
        return set(), set()
    sender = "%s@example.test" % who
    user = User.by_username(who)
    missing = rcpt_answer(world, sender, reply_address(world.registry.settings, user._id,
                                                       "0" * 24))
    assert missing[0] == 550
    shown, replied, refused = set(), 0, 0
    for message in world.smtp.messages:
        address = message["Reply-To"]
        if not address or sender not in message.envelope_to:
            continue
        mailed = {word for word in SECRETS if word.lower() in message["Subject"].lower()}
        answer = rcpt_answer(world, sender, address)
        shown |= check(answer[1].decode(), who, "RCPT %s" % message["Subject"])
        if mailed <= may_read(who):
            assert answer[0] == 250, (message["Subject"], answer)
            shown |= mailed
        else:
            assert answer == missing, (message["Subject"], answer)
            refused += 1
        replied += 1
    assert replied or who in DIGEST or who not in MEMBERS, who   # digests carry no Reply-To
    # the spam account's page, hidden since, was mailed to every watcher
    assert refused or not replied, who
    return shown, None


SURFACES = {name[len("surface_"):]: fn for name, fn in dict(globals()).items()
            if name.startswith("surface_")}


@pytest.mark.parametrize("who", VIEWERS, ids=lambda w: w or "anonymous")
@pytest.mark.parametrize("surface", sorted(SURFACES))
def test_matrix(world, surface, who):
    """Nothing the role may not read, and all it may read, on this surface."""
    shown, expected = SURFACES[surface](world, who)
    if expected is not None:    # None: a surface that shows only some (the newest)
        assert shown == may_read(who) & expected, (surface, who)


def test_mail_each_change_and_digest(world):
    """No mail (each change, or the daily digest) names a secret to a watcher
    who may not read it; its readers get it.  Mallory's DENY is set before the
    reactor sends: she gets nothing about the page and ticket."""
    received = {name: "" for name in WATCHERS}
    for message in world.smtp.messages:
        text = "%s\n%s" % (message["Subject"], message.get_body(("plain",)).get_content())
        for address in message.envelope_to:
            received[address.split("@")[0]] += text
    expected = {"Sealedpage", "Ticketsecret", "Commentsecret", "Vaultpage", "Privpage",
                "Movedtitle", "Movedcomment", "Movedtwo", "Privthread", "Gonelabel",
                "Deletedmark"}
    for name in WATCHERS:
        shown = check(received[name], name, "e-mail", MAILED_TO)
        assert "Openpage" in received[name] and "Takeover" in received[name], name
        # the digest goes out after the tool and the page were gone: without them
        gone = {"Gonelabel", "Deletedmark"} if name in DIGEST else set()
        assert shown >= may_read(name, MAILED_TO) & expected - gone, name


def test_held_thread_author_and_moderators_only(world):
    """The held thread is listed on the forum page for its author and moderators."""
    for who, listed in ((None, False), ("outsider", False), ("lurker", True), ("dev", True)):
        text = browser(world, who).get("/p/pub/forum/general/").text
        assert ("Heldsubject" in text) == listed, who


def test_search_counts_hide_secrets(world):
    from pyramid.authorization import Everyone

    from forge.search import search
    from forge.security import user_principals
    for who in VIEWERS:
        principals = [Everyone] if who is None else user_principals(User.by_username(who))
        for text in ("moved*", "held*", "gonelabel", "deletedmark", "privthread"):
            results = search(world.registry.forge_search_index(), text, principals, size=50)
            found = {w for w in SECRETS if any(w.lower() in (h.title + str(h.snippet)).lower()
                                               for h in results.hits)}
            assert found <= may_read(who), (who, text, found)
            if not found:
                assert results.count == 0, (who, text)
