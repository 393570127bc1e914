"""The ticket query language: parsing, errors, the Mongo filters it builds,
and running them (``iter_matches``) over ticket documents on ``mim://``."""
import pytest
from ming import mim

from forge.fields import FieldSpec
from tools.tracker.config import Milestone, TrackerOptions
from tools.tracker.model import Ticket
from tools.tracker.query import (QueryContext, QueryError, compile_query, iter_matches,
                                 parse, serving_index, unparse)

USERS = {"ada": "u-ada", "bob": "u-bob"}
SPECS = [FieldSpec("severity", "Severity", "select", options=("low", "high", "blocker")),
         FieldSpec("points", "Points", "integer"),
         FieldSpec("regression", "Regression", "boolean"),
         FieldSpec("due", "Due", "date"),
         FieldSpec("notes", "Notes", "text")]
OPTIONS = TrackerOptions(milestones=(Milestone("1.0"), Milestone("Release 2.0")))


def context(me="u-ada"):
    return QueryContext(OPTIONS, SPECS, me=me, user_id=USERS.get)


def compiled(text, me="u-ada"):
    return compile_query(parse(text), "t1", context(me))


def error_of(text, me="u-ada"):
    with pytest.raises(QueryError) as info:
        compiled(text, me)
    return str(info.value)


# -- parsing ----------------------------------------------------------------------

def test_terms_words_quotes_negation_and_sort():
    q = parse('status:open -label:wontfix milestone:"Release 2.0" crash "two words" '
              '-flaky sort:-modified')
    assert [(t.field, t.values, t.negated) for t in q.terms] == [
        ("status", ("open",), False), ("label", ("wontfix",), True),
        ("milestone", ("Release 2.0",), False)]
    assert [(w.text, w.negated) for w in q.words] == [
        ("crash", False), ("two words", False), ("flaky", True)]
    assert q.sort == ("modified", True)
    # unparse is canonical and parses back to the same thing
    assert parse(unparse(q)) == q


def test_commas_are_alternatives_unless_quoted_and_aliases_apply():
    q = parse('priority:high,critical assignee:ada labels:"a,b"')
    assert [(t.field, t.values) for t in q.terms] == [
        ("priority", ("high", "critical")), ("assigned_to", ("ada",)), ("label", ("a,b",))]


@pytest.mark.parametrize("text, message", [
    ("status:", "needs a value"),
    ('milestone:"1.0', "A quotation mark is not closed"),
    ("sort:number sort:modified", "Only one sort"),
    ("sort:colour", "Cannot sort by 'colour'"),
    ("-sort:number", "sort: takes one field"),
    ("x" * 501, "at most 500 characters"),
    (" ".join(["w"] * 31), "at most 30 terms"),
])
def test_parse_errors(text, message):
    with pytest.raises(QueryError) as info:
        parse(text)
    assert message in str(info.value)


# -- compiling: filters on indexed fields ---------------------------------------------

def test_the_issue_example_is_equalities_on_indexed_fields():
    c = compiled("status:open assigned_to:me label:ui milestone:1.0 _severity:high")
    assert c.filter == {"tool_id": "t1", "deleted": False, "closed": False,
                        "assigned_to_id": "u-ada", "labels": {"$in": ["ui"]},
                        "milestone": "1.0", "custom.severity": "high"}
    assert c.sort == ("number", True)


def test_status_groups_exact_states_and_is():
    assert compiled("status:closed").filter["closed"] is True
    assert compiled("-status:open").filter["closed"] is True
    assert compiled("is:open").filter["closed"] is False
    assert compiled("-is:closed").filter["closed"] is False
    assert compiled("status:accepted").filter["status"] == "accepted"
    # "=open" is the state named open, not the group
    assert compiled("status:=open").filter["status"] == "open"
    assert compiled("status:closed,accepted").filter["status"] == {
        "$in": ["closed", "wont-fix", "duplicate", "invalid", "accepted"]}
    assert compiled("-status:invalid,duplicate").filter["status"] == {
        "$nin": ["invalid", "duplicate"]}
    # contradictions match nothing rather than erroring
    assert compiled("is:open is:closed").filter is None


def test_people_me_none_and_unknown_users():
    assert compiled("reporter:bob").filter["reporter_id"] == "u-bob"
    assert compiled("assigned_to:none").filter["assigned_to_id"] is None
    assert compiled("assigned_to:ada,bob").filter["assigned_to_id"] == {
        "$in": ["u-ada", "u-bob"]}
    assert compiled("-assigned_to:me").filter["assigned_to_id"] == {"$nin": ["u-ada"]}
    assert "no user named 'zed'" in error_of("assigned_to:zed")
    assert "Sign in" in error_of("assigned_to:me", me=None)


def test_labels_milestones_priorities():
    assert compiled("label:a label:b").filter["labels"] == {"$all": ["a", "b"]}
    assert compiled("label:a,b").filter["labels"] == {"$in": ["a", "b"]}
    assert compiled("milestone:none").filter["milestone"] == ""
    # milestone names match case-insensitively, stored spelling wins
    assert compiled('milestone:"release 2.0"').filter["milestone"] == "Release 2.0"
    assert "the milestones are 1.0, Release 2.0" in error_of("milestone:3.0")
    assert compiled("priority:high,critical").filter["priority"] == {
        "$in": ["high", "critical"]}
    assert "not a priority" in error_of("priority:urgent")
    assert "not a state" in error_of("status:nope")


def test_custom_fields_are_typed():
    assert compiled("_points:3").filter["custom.points"] == 3
    assert compiled("_points:>3 _points:<=9").filter["custom.points"] == {
        "$gt": 3, "$lte": 9}
    assert compiled("_due:>=2026-01-01").filter["custom.due"] == {"$gte": "2026-01-01"}
    assert compiled("_regression:yes").filter["custom.regression"] is True
    assert compiled("_severity:HIGH").filter["custom.severity"] == "high"
    assert compiled("_notes:disk").filter["custom.notes"] == {"$regex": "(?i)disk"}
    assert "not a whole number" in error_of("_points:many")
    assert "not a date like 2026-01-31" in error_of("_due:tomorrow")
    assert "yes or no" in error_of("_regression:maybe")
    assert "not one of low, high, blocker" in error_of("_severity:meh")
    assert "only numbers and dates compare" in error_of("_severity:>low")
    assert "no custom field 'colour'" in error_of("_colour:red")
    assert "no custom field 'colour'" in error_of("sort:_colour")
    # named without the "_", as the site search takes them (forge.field_syntax)
    assert compiled("severity:HIGH").filter["custom.severity"] == "high"
    assert compiled("-points:3").filter == compiled("-_points:3").filter
    assert "Unknown field 'bogus'" in error_of("bogus:1")


def test_free_words_match_the_summary_in_any_order():
    assert compiled("disk full").filter["title"] == {"$regex": "(?i)(?=.*disk)(?=.*full)"}
    # regex characters are literal
    assert compiled("a.b").filter["title"] == {"$regex": r"(?i)a\.b"}


def test_sorts_and_the_index_that_serves_them():
    indexes = Ticket.__mongometa__.indexes
    c = compiled("is:open")
    assert c.segments[0].sort == [("number", -1)]
    assert serving_index(c.filter, c.segments[0].sort, indexes) == (
        "tool_id", "deleted", "closed", "number")
    c = compiled("sort:-modified")
    assert serving_index(c.filter, c.segments[0].sort, indexes) == (
        "tool_id", "deleted", "modified")
    c = compiled("milestone:1.0 sort:created")
    assert serving_index(c.filter, c.segments[0].sort, indexes) == (
        "tool_id", "deleted", "milestone", "number")
    # an enumerated sort is a chain of indexed equalities in the configured order
    c = compiled("sort:-priority")
    assert [s.conditions.to_filter()["priority"] for s in c.segments] == [
        "critical", "high", "normal", "low",
        {"$nin": ["low", "normal", "high", "critical"]}]
    # status order skips the states the filter excludes
    c = compiled("is:open sort:status")
    assert [s.conditions.to_filter()["status"] for s in c.segments][:3] == [
        "open", "accepted", "in-progress"]
    assert len(c.segments) == 4


# -- running queries over documents (mim) --------------------------------------------

@pytest.fixture
def tickets():
    documents = mim.Connection().query_test.tickets
    documents.drop()
    rows = [
        # number, status, labels, milestone, priority, assignee, custom, title
        (1, "open", ["ui"], "1.0", "high", "u-ada", {"severity": "high", "points": 5},
         "Crash on start"),
        (2, "closed", ["ui", "wontfix"], "1.0", "low", None, {"severity": "low"},
         "Typo in menu"),
        (3, "accepted", [], "", "critical", "u-bob", {"points": 1, "regression": True},
         "Disk full crash"),
        (4, "wont-fix", ["backend"], "Release 2.0", "normal", "u-ada", {},
         "Slow start"),
        (5, "open", ["backend", "ui"], "Release 2.0", "normal", None,
         {"severity": "blocker", "points": 8}, "Flaky crash test"),
    ]
    for number, status, labels, milestone, priority, assignee, custom, title in rows:
        documents.insert_one({
            "_id": "id%d" % number, "tool_id": "t1", "deleted": False, "number": number,
            "status": status, "closed": OPTIONS.is_closed(status), "labels": labels,
            "milestone": milestone, "priority": priority, "assigned_to_id": assignee,
            "reporter_id": "u-bob", "custom": custom, "title": title,
            "modified": number * 10 % 7})
    documents.insert_one({"_id": "other", "tool_id": "t2", "deleted": False, "number": 1,
                          "status": "open", "closed": False, "labels": [], "custom": {},
                          "title": "crash elsewhere", "milestone": "", "priority": "high"})
    documents.insert_one({"_id": "gone", "tool_id": "t1", "deleted": True, "number": 6,
                          "status": "open", "closed": False, "labels": [], "custom": {},
                          "title": "deleted crash", "milestone": "", "priority": "high"})
    return documents


def numbers(documents, text, me="u-ada"):
    return [d["number"] for d in iter_matches(documents, compiled(text, me))]


@pytest.mark.parametrize("text, expected", [
    ("", [5, 4, 3, 2, 1]),
    ("is:open", [5, 3, 1]),
    ("status:closed sort:number", [2, 4]),
    ("status:open assigned_to:me label:ui milestone:1.0 _severity:high", [1]),
    ("-label:wontfix label:ui", [5, 1]),
    ("-label:ui,backend", [3]),
    ("label:ui,backend label:wontfix", [2]),
    ("crash", [5, 3, 1]),
    ("crash -flaky", [3, 1]),
    ("CRASH start", [1]),
    ("_points:>=5", [5, 1]),
    ("_points:none", [4, 2]),
    ("-_points:none sort:_points", [3, 1, 5]),
    ("sort:-_points", [5, 1, 3, 4, 2]),
    ("_regression:no", [5, 4, 2, 1]),
    ("sort:_severity", [2, 1, 5, 3, 4]),
    ("sort:-priority", [3, 1, 5, 4, 2]),
    ("sort:status", [1, 5, 3, 2, 4]),
    ("sort:milestone", [1, 2, 4, 5, 3]),
    ("sort:modified", [5, 3, 1, 4, 2]),
    ("assigned_to:none is:open", [5]),
    ("is:open is:closed", []),
])
def test_queries_over_documents(tickets, text, expected):
    assert numbers(tickets, text) == expected
