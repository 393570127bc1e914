"""One-line text (titles, names, labels, subjects, comments): every line
separator and control character is refused by every validator, with the
validator's own message, through the one check ``forge.names.single_line``.

A title with U+2028 used to be stored and then broke every notification mail
(``Header values may not contain linefeed``); see tests/notifications/test_headers.py
for the mail side.
"""
import pytest

from forge.actions import ActionError
from forge.actions.projects import check_title
from forge.actions.roles import _check_new_role
from forge.actions.users import check_display_name, check_email
from forge.fields import FieldSpec, new_field_spec, parse_labels
from forge.names import InvalidName, check_artifact_path, one_line, single_line
from forge.testing import ForgeBrowser
from tools.tracker.config import clean_milestone_name, clean_search
from tools.tracker.query_parse import QueryError, parse

# every character str.splitlines() breaks on, other C0/C1 controls, DEL, a lone surrogate
BREAKERS = ["\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029",
            "\x00", "\x07", "\x1b", "\x7f", "\x9b", "\ud800"]
FINE = ["Release 1.0", "Ünïcødé – ok", "emoji 🎉 too", "tab-free\u00a0nbsp", "a\u200db"]


def test_single_line_knows_every_line_breaker():
    for c in BREAKERS:
        assert not single_line("a%sb" % c), repr(c)
    for text in FINE:
        assert single_line(text), text
    # whatever str.splitlines breaks on is refused: nothing can become two lines
    for code in range(0x3000):
        c = chr(code)
        if len(("a%sb" % c).splitlines()) > 1:
            assert not single_line(c), hex(code)


def test_one_line_makes_stored_text_one_line():
    assert one_line("Crash\u2028on\r\nstart\x85now") == "Crash on start now"
    assert one_line("plain") == "plain"
    assert all(single_line(one_line("a%sb" % c)) for c in BREAKERS)


def field_string(value):
    return FieldSpec(name="summary", label="Summary").clean(value, lambda u: True)


NORMALISING = ("milestone", "saved search")
VALIDATORS = [
    ("title", check_title, ActionError, "line breaks or control characters"),
    ("page name", check_artifact_path, InvalidName, "line breaks or control characters"),
    ("label", parse_labels, ValueError, "A label is one line"),
    ("custom string field", field_string, ValueError, "must be one line"),
    ("custom field label", lambda v: new_field_spec("f", v, "string"), ValueError,
     "line breaks or control characters"),
    ("select option", lambda v: new_field_spec("f", "F", "select", options=[v]), ValueError,
     "line breaks or control characters"),
    ("role name", lambda v: _check_new_role([], v, []), ActionError, "on one line"),
    ("display name", check_display_name, ActionError, "line breaks or control characters"),
    ("e-mail", lambda v: check_email("me%s@example.test" % v), ActionError, "valid e-mail"),
    ("milestone", clean_milestone_name, ValueError, "one line"),
    ("saved search", lambda v: clean_search(v, "status:open")[0], ValueError, "needs a name"),
    ("query value", lambda v: parse('label:"%s"' % v), QueryError, "control characters"),
]


@pytest.mark.parametrize("what,check,error,message", VALIDATORS, ids=[v[0] for v in VALIDATORS])
@pytest.mark.parametrize("breaker", BREAKERS, ids=[hex(ord(c)) for c in BREAKERS])
def test_every_one_line_validator_refuses_every_breaker(what, check, error, message, breaker):
    """Refused with the validator's message, or (milestones and saved searches
    fold whitespace runs into one space) cleaned to one line."""
    value = "Crash%son start" % breaker
    try:
        cleaned = check(value)
    except error as refused:
        assert message in str(refused)
    else:
        assert what in NORMALISING and single_line(cleaned), repr(cleaned)


@pytest.mark.parametrize("what,check,error,message", VALIDATORS, ids=[v[0] for v in VALIDATORS])
def test_one_line_validators_accept_plain_unicode(what, check, error, message):
    check("Ünïcødé–ok")


@pytest.mark.parametrize("breaker", ["\u2028", "\u2029", "\x85"])
def test_a_wiki_title_with_a_line_separator_is_a_400(forge_app, registry, make_user,
                                                     make_project, breaker):
    from forge.actions.projects import install_tool
    from tools.wiki.model import WikiPage
    ada = make_user("ada")
    project = make_project("demo", ada)
    install_tool(registry, project, "wiki", "wiki", ada)
    browser = ForgeBrowser(forge_app)
    browser.login("ada")
    page = browser.post_form("/p/demo/wiki/@@new", {
        "name": "Crash", "title": "Crash%son start" % breaker, "text": "x"}, status=400)
    assert "The title may not contain line breaks or control characters." in page.text
    assert WikiPage.query.find({"path": "Crash"}).count() == 0
