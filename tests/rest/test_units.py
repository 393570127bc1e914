"""Unit tests of the REST pieces that need no app: bodies, preconditions, cursors."""
import pytest
from pyramid.testing import DummyRequest

from forge.rest.body import MAX_DEPTH, _shallow_enough, not_modified, required_version
from forge.rest.paging import cursor_key, encode_cursor
from forge.rest.problems import Problem


@pytest.mark.parametrize("text, ok", [
    ("{}", True),
    ("[" * MAX_DEPTH + "]" * MAX_DEPTH, True),
    ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), False),
    ('{"a": "' + "[" * 50 + '"}', True),             # brackets inside a string
    ('{"a": "\\"[[[[[[[[[[[["}', True),               # an escaped quote stays inside
    ('{"a": "x\\\\", "b": ' + "[" * 9 + "]" * 9 + "}", False),   # an escaped backslash ends
])
def test_nesting_is_measured_outside_strings(text, ok):
    assert _shallow_enough(text) is ok


def request_with(**headers):
    request = DummyRequest(headers=headers)
    return request


@pytest.mark.parametrize("header, result", [
    ('"3"', 3), ('W/"3"', 3), ('"1", "3"', 3), ("*", 3)])
def test_if_match_naming_the_current_version(header, result):
    assert required_version(request_with(**{"If-Match": header}), 3) == result


@pytest.mark.parametrize("header, status", [(None, 428), ('"2"', 412), ("3", 412),
                                            ("", 412), ('"3', 412)])
def test_if_match_missing_or_stale(header, status):
    headers = {} if header is None else {"If-Match": header}
    with pytest.raises(Problem) as refused:
        required_version(request_with(**headers), 3)
    assert refused.value.status == status
    assert refused.value.headers["ETag"] == '"3"'
    assert refused.value.extra["current_version"] == 3


def test_if_none_match():
    assert not_modified(request_with(**{"If-None-Match": '"a", "b"'}), '"b"')
    assert not_modified(request_with(**{"If-None-Match": 'W/"b"'}), '"b"')
    assert not_modified(request_with(**{"If-None-Match": "*"}), '"b"')
    assert not not_modified(request_with(**{"If-None-Match": '"c"'}), '"b"')
    assert not not_modified(request_with(), '"b"')


def test_a_cursor_belongs_to_its_collection_and_query():
    request = DummyRequest(path="/rest/p/demo/notes/@@items", params={"q": "label:x"})
    cursor = encode_cursor(request, "Guide/Install")
    again = DummyRequest(path="/rest/p/demo/notes/@@items",
                         params={"q": "label:x", "cursor": cursor, "limit": "5"})
    assert cursor_key(again) == "Guide/Install"
    for path, params in (("/rest/p/demo/wiki/@@items", {"q": "label:x"}),
                         ("/rest/p/demo/notes/@@items", {"q": "label:y"}),
                         ("/rest/p/demo/notes/@@items", {})):
        other = DummyRequest(path=path, params=dict(params, cursor=cursor))
        with pytest.raises(Problem) as refused:
            cursor_key(other)
        assert refused.value.status == 400
