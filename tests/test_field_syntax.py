"""One field syntax (forge.field_syntax) for the tracker's queries and the
site search: the same text means the same words in both, and
``severity:high`` finds the same tickets in both."""
import re

import pytest

from forge.actions.fields import add_custom_field
from forge.actions.projects import install_tool
from forge.field_syntax import QueryError, Token, lex
from forge.model import session
from forge.search.query import parse as search_parse
from tools.tracker.query_parse import parse as ticket_parse


def test_tokens():
    assert lex(' severity:high -label:"won\'t fix" crash "two words" -flaky a.b:c ') == [
        Token("severity", "high"), Token("label", "won't fix", True, True),
        Token(None, "crash"), Token(None, "two words", False, True),
        Token(None, "flaky", True), Token("a.b", "c")]
    assert lex("Status:Open x:y:z") == [Token("status", "Open"), Token("x", "y:z")]
    assert lex("") == [] and lex('""') == []


@pytest.mark.parametrize("text, message", [
    ('milestone:"1.0', "quotation mark is not closed"),
    ("status:", "status: needs a value"),
    ("-", "minus must be followed"),
    ("x" * 501, "at most 500 characters"),
    (" ".join(["w"] * 31), "at most 30 terms"),
])
def test_errors(text, message):
    with pytest.raises(QueryError) as info:
        lex(text)
    assert message in str(info.value)


def test_both_languages_read_the_same_words():
    text = 'severity:high -status:closed "disk full" -flaky'
    ticket = ticket_parse(text)
    assert [(t.field, t.values, t.negated) for t in ticket.terms] == [
        ("_severity", ("high",), False), ("status", ("closed",), True)]
    assert [(w.text, w.negated) for w in ticket.words] == [("disk full", False),
                                                           ("flaky", True)]
    assert [(t.field, t.value, t.negated, t.phrase) for t in search_parse(text)] == [
        ("severity", "high", False, False), ("status", "closed", True, False),
        ("", "disk full", False, True), ("", "flaky", True, False)]
    # one error class: a page catching the tracker's or the search's catches both
    with pytest.raises(QueryError):
        ticket_parse('label:"x')
    with pytest.raises(QueryError):
        search_parse('label:"x')


@pytest.fixture
def tracker(registry, make_user, make_project, run_reactors):
    from tools.tracker.actions import create_ticket
    ada = make_user("ada")
    project = make_project("demo", ada)
    tool = install_tool(registry, project, "tracker", "tickets", ada)
    add_custom_field(registry, tool, "severity", "Severity", "select", ada,
                     options=("low", "high"))
    session.flush()
    for title, severity in (("Crash on start", "high"), ("Typo in docs", "low"),
                            ("Disk full crash", "high")):
        create_ticket(registry, project, tool, {
            "title": title, "description": "", "labels": [], "custom": {"severity": severity}},
            ada)
    session.flush()
    run_reactors()          # the search index
    session.close()


def ticket_list(browser, query):
    html = browser.get("/p/demo/tickets/", {"q": query}).text
    return sorted(set(re.findall(r">(Crash on start|Typo in docs|Disk full crash)<", html)))


def site_search(browser, query):
    html = browser.get("/@@search", {"q": query}).text
    return sorted(set(re.findall(r"#\d (Crash on start|Typo in docs|Disk full crash)", html)))


@pytest.mark.parametrize("query, titles", [
    ("severity:high", ["Crash on start", "Disk full crash"]),
    ("_severity:high", ["Crash on start", "Disk full crash"]),
    ("-severity:high", ["Typo in docs"]),
    ('severity:"low"', ["Typo in docs"]),
    ("severity:high crash disk", ["Disk full crash"]),
])
def test_the_same_query_finds_the_same_tickets_in_both(forge_browser, tracker, query, titles):
    assert ticket_list(forge_browser, query) == titles
    assert site_search(forge_browser, query) == titles


def test_an_unknown_name_is_a_clear_400_in_the_tracker(forge_browser, tracker):
    page = forge_browser.get("/p/demo/tickets/", {"q": "colour:red"}, status=400)
    assert "Unknown field &#39;colour&#39;" in page.text and "severity" in page.text
