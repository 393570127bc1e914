"""THE LEAK SUITE (issue 5, "Must show"): nothing private reaches someone who
may not read it — through activity pages, Atom feeds (anonymous or with any
user's feed token) and live events — and each private thing does reach those
who may.

The world:

* ``pub`` (public project) with a public wiki, a public tracker and a
  **private tool** ``vault`` (a wiki readable by the project's members);
  in the wiki a **private page** ``SealedPage``, in the tracker a **private
  ticket** #2 with a comment;
* ``priv``, a **private project** with a wiki page;
* people: ``author`` (admin of both, makes every change), ``ada`` (admin of
  both), ``dev`` (Developer of pub), ``mallory`` (Developer of pub with a
  **DENY** of read on the private page and the private ticket), ``outsider``
  and ``lurker`` (signed in, no role) and anonymous visitors.

Every private thing carries a unique word in its title, its name and its text.
Everybody watches both projects from the start (``lurker``, ``mallory`` and
``outsider`` too: a watch they could not make through the pages), ``ada`` and
``lurker`` by daily digest, the others for each change.
"""
import json

import pytest
from pyramid.testing import DummyRequest
from pyramid.traversal import find_resource

from forge.actions.acl import add_entry, set_privacy
from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.discussion.actions import add_post
from forge.feeds.tokens import feed_token_of
from forge.model import User, session
from forge.resources import SiteRoot
from forge.notifications.digest import send_digests
from forge.notifications.watches import add_watch, set_frequency
from forge.testing import ForgeBrowser, forge_test_settings, smtp_settings
from tools.tracker.actions import create_ticket
from tools.wiki.actions import create_page

# what must never show to those who may not read it: word -> who may read it
SECRETS = {
    "Sealedpage": {"ada", "dev"},             # private page (mallory denied)
    "Sealedtext": {"ada", "dev"},
    "Ticketsecret": {"ada", "dev"},           # private ticket (mallory denied)
    "Ticketbody": {"ada", "dev"},
    "Commentsecret": {"ada", "dev"},          # a comment on the private ticket
    "Vaultpage": {"ada", "dev", "mallory"},   # page in the private tool
    "Vaulttext": {"ada", "dev", "mallory"},
    "Privpage": {"ada"},                      # page in the private project
    "Privtext": {"ada"},
}
PUBLIC = ["Openpage", "Openticket"]
VIEWERS = [None, "outsider", "mallory", "dev", "ada"]
WATCHERS = ["ada", "dev", "mallory", "outsider", "lurker"]
DIGEST = ("ada", "lurker")


@pytest.fixture
def forge_settings(smtp_server):
    return forge_test_settings(**smtp_settings(smtp_server),
                               **{"forge.events.stream_seconds": "1"})


def node(registry, url):
    session.clear()
    request = DummyRequest()
    request.registry = registry
    return find_resource(SiteRoot(request), url)


@pytest.fixture
def world(registry, make_user, make_project, run_reactors, smtp_server):
    author = make_user("author")
    people = {name: make_user(name) for name in WATCHERS}
    pub = make_project("pub", author, title="Pub")
    priv = make_project("priv", author, private=True, title="Priv")
    for project in (pub, priv):
        add_member(registry, project, role_named(project, "Admin"), people["ada"], author)
    for name in ("dev", "mallory"):
        add_member(registry, pub, role_named(pub, "Developer"), people[name], author)
    for name, user in people.items():
        for project in (pub, priv):
            add_watch(user._id, "project", project)
        if name in DIGEST:
            set_frequency(registry, user, "digest")
    wiki = install_tool(registry, pub, "wiki", "wiki", author)
    tickets = install_tool(registry, pub, "tracker", "tickets", author)
    vault = install_tool(registry, pub, "wiki", "vault", author)
    set_privacy(registry, node(registry, "/p/pub/vault/"), True, author)
    privwiki = install_tool(registry, priv, "wiki", "wiki", author)
    session.close()

    create_page(registry, pub, wiki, "Openpage", "Openpage", "Opentext words", author)
    create_page(registry, pub, wiki, "Sealedpage", "Sealedpage title", "Sealedtext words",
                author, private=True)
    create_ticket(registry, pub, tickets, {"title": "Openticket", "description": "x"},
                  author)
    create_ticket(registry, pub, tickets, {"title": "Ticketsecret",
                                           "description": "Ticketbody words"}, author,
                  private=True)
    create_page(registry, pub, vault, "Vaultpage", "Vaultpage", "Vaulttext words", author)
    create_page(registry, priv, privwiki, "Privpage", "Privpage", "Privtext words", author)
    session.close()
    add_post(registry, node(registry, "/p/pub/tickets/2/"), "Commentsecret words", author,
             may_skip_moderation=True)
    add_entry(registry, node(registry, "/p/pub/wiki/Sealedpage/"), "deny", "mallory", "read",
              author)
    add_entry(registry, node(registry, "/p/pub/tickets/2/"), "deny", "mallory", "read",
              author)
    run_reactors()
    session.close()
    return {"registry": registry}


def browser(forge_app, username=None):
    b = ForgeBrowser(forge_app)
    if username:
        b.login(username)
    return b


def check(text, who, where, secrets=SECRETS):
    """No secret ``who`` may not read is in ``text``; return the ones shown."""
    shown = {word for word in secrets if word.lower() in text.lower()}
    leaked = {word for word in shown if who not in secrets[word]}
    assert not leaked, "%s leaks %s to %s" % (where, sorted(leaked), who or "anonymous")
    return shown


def may_read(who):
    return {word for word, readers in SECRETS.items() if who in readers}


# activity pages: every stream a private thing could show up in
PAGES = ["/p/pub/@@activity", "/p/pub/", "/p/pub/wiki/@@activity",
         "/p/pub/tickets/@@activity", "/p/pub/vault/@@activity", "/p/priv/@@activity",
         "/p/pub/wiki/Sealedpage/@@activity", "/p/pub/tickets/2/@@activity",
         "/p/pub/wiki/Openpage/@@activity", "/u/author/@@contributions", "/u/author/@@profile"]
# titles only: the text of a page or ticket is not activity, a comment is
IN_ACTIVITY = {"Sealedpage", "Ticketsecret", "Commentsecret", "Vaultpage", "Privpage"}


def test_activity_pages(forge_app, world):
    for who in VIEWERS:
        activity_pages_for(forge_app, world, who)


def activity_pages_for(forge_app, world, who):
    b = browser(forge_app, who)
    shown = set()
    for url in PAGES:
        response = b.get(url, status=(200, 404))
        shown |= check(response.text, who, url)
    assert "Openpage" in b.get("/p/pub/@@activity").text
    assert shown == may_read(who) & IN_ACTIVITY


def test_feeds_anonymous_and_with_tokens(forge_app, world):
    for who in VIEWERS:
        feeds_anonymous_and_with_tokens_for(forge_app, world, who)


def feeds_anonymous_and_with_tokens_for(forge_app, world, who):
    """A feed read anonymously shows public items; with a user's token, what
    that user may read (the request's own session does not matter)."""
    anonymous = browser(forge_app)
    params = {}
    if who:
        params["token"] = feed_token_of(world["registry"], User.by_username(who))
    shown = set()
    for url in PAGES:
        if url.endswith("@@profile") or url == "/p/pub/":
            continue
        feed_url = url + ".atom"
        response = anonymous.get(feed_url, params=params, status=(200, 404))
        if response.status_int == 200:
            assert response.content_type == "application/atom+xml"
        shown |= check(response.text, who, feed_url)
    assert "Openpage" in anonymous.get("/p/pub/@@activity.atom", params=params).text
    assert shown == may_read(who) & IN_ACTIVITY


def test_a_signed_in_reader_without_token_gets_their_own_view(forge_app, world):
    """A session works for feeds too (a browser opening the feed)."""
    for who in ("mallory", "dev"):
        text = browser(forge_app, who).get("/p/pub/@@activity.atom").text
        assert check(text, who, "feed with session") == may_read(who) & IN_ACTIVITY - {
            "Privpage"}


def read_events(body):
    events = []
    for block in body.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines()
                     if ": " in line and not line.startswith(":"))
        if "data" in lines:
            events.append(json.loads(lines["data"]))
    return events


def test_live_events(forge_app, world):
    for who in VIEWERS:
        live_events_for(forge_app, world, who)


def live_events_for(forge_app, world, who):
    b = browser(forge_app, who)
    shown, paths = set(), set()
    # each stream lasts forge.events.stream_seconds (1 s): the project's has every event
    for url in ("/p/pub/@@events", "/p/pub/vault/@@events", "/p/priv/@@events"):
        response = b.get(url, headers={"Last-Event-ID": "0"}, status=(200, 404))
        shown |= check(response.text, who, url)
        if response.status_int == 200:
            assert response.content_type == "text/event-stream"
            paths |= {(e.get("tool_id"), e.get("path")) for e in read_events(response.text)}
    names = {path for _, path in paths if path}
    # events name nodes by path: the private ones reach only their readers
    assert ("Sealedpage" in names) == (who in ("ada", "dev"))
    assert ("Vaultpage" in names) == (who in ("ada", "dev", "mallory"))
    assert ("Privpage" in names) == (who == "ada")
    assert ("2" in names) == (who in ("ada", "dev"))
    assert "Openpage" in names and "1" in names
    assert shown <= may_read(who)


def test_mail_each_change_and_digest(world, smtp_server):
    """No e-mail (each change, or the daily digest) names a private thing to a
    watcher who may not read it; readers get each.  Mallory's DENY is set
    after the page and ticket were made, and before the reactor sends: she
    gets nothing about them."""
    send_digests(world["registry"], "2026-01-01")
    received = {name: "" for name in WATCHERS}
    for message in smtp_server.messages:
        text = "%s\n%s" % (message["Subject"], message.get_body(("plain",)).get_content())
        for address in message.envelope_to:
            received[address.split("@")[0]] += text
    for name in WATCHERS:
        shown = check(received[name], name, "e-mail")
        assert "Openpage" in received[name], name
        assert shown >= may_read(name) & IN_ACTIVITY, name


# -- search -------------------------------------------------------------------------

def search_as(registry, who, text, scope=None):
    from forge.search import search
    from forge.security import user_principals
    from pyramid.authorization import Everyone
    principals = [Everyone] if who is None else user_principals(User.by_username(who))
    return search(registry.forge_search_index(), text, principals, scope=scope, size=50)


WORD_QUERIES = [w.lower() for w in SECRETS] + [
    '"sealedtext words"', '"ticketbody words"', '"vaulttext words"', '"privtext words"',
    '"commentsecret words"', "title:sealedpage", 'title:"sealedpage title"', "text:privtext",
    "text:ticketbody", "title:vaultpage", "tool:vault", "project:priv", "type:ticket",
    "sealed*", "ticket*", "vault*", "priv*", "comment*", "*", "words", "words -opentext",
    "label:secret", "author:author"]
SEARCH_URLS = ["/@@search", "/p/pub/@@search", "/p/pub/vault/@@search", "/p/priv/@@search"]
# documents holding "words": who may read which (the ticket's comment is in its text)
WORDS_DOCS = {"Openpage": set(VIEWERS), "Sealedpage title": {"ada", "dev"},
              "#2 Ticketsecret": {"ada", "dev"}, "Vaultpage": {"ada", "dev", "mallory"},
              "Privpage": {"ada"}}


def answer_of(response, text):
    """The page's main part without the searcher's own words echoed back (the
    header's and the page's search boxes, pager links, an error message
    quoting the query)."""
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


def test_search_pages(forge_app, world):
    for who in VIEWERS:
        search_pages_for(forge_app, world, who)


def search_pages_for(forge_app, world, who):
    """Words, phrases, field queries and wildcards, on every scope's page."""
    b = browser(forge_app, who)
    shown = set()
    for url in SEARCH_URLS:
        for text in WORD_QUERIES:
            response = b.get(url, params={"q": text}, status=(200, 400, 404))
            shown |= check(answer_of(response, text), who, "%s?q=%s" % (url, text))
    # and each is found by those who may read it (a ticket's comments are its text)
    assert shown == may_read(who)


def test_search_counts_and_facets(world):
    for who in VIEWERS:
        search_counts_and_facets_for(world, who)


def search_counts_and_facets_for(world, who):
    registry = world["registry"]
    readable = sorted(title for title, readers in WORDS_DOCS.items() if who in readers)
    results = search_as(registry, who, "words")
    titles = sorted(hit.title for hit in results.hits)
    assert [t for t in titles if t in WORDS_DOCS] == readable
    assert results.count == len(titles)
    # each document has its type twice: "page" and "wiki.page"
    facet_total = sum(n for name, n in results.facets["type"] if "." in name)
    assert facet_total == results.count
    types = {name.lower() for name, _ in results.facets["type"]}
    assert ("ticket" in " ".join(types)) == (who in ("ada", "dev"))
    for text in ("sealed*", "ticketsecret", "privtext", "vaulttext", "project:priv"):
        results = search_as(registry, who, text)
        found = {word for word in SECRETS
                 if any(word.lower() in (hit.title + str(hit.snippet)).lower()
                        for hit in results.hits)}
        assert found <= may_read(who), (text, found)
        if not found:
            assert results.count == 0 and sum(n for _, n in results.facets["type"]) == 0, text
