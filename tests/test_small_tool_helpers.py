"""forge.checked_fields, forge.one_path_family and forge.acl_restrictions."""
import pytest

from forge.acl_restrictions import restricts
from forge.actions import ActionError
from forge.checked_fields import CheckedField
from forge.forms import ArtifactForm
from forge.one_path_family import OnePathFamily


def check_even(raw):
    if int(raw) % 2:
        raise ActionError("The number must be even.")
    return int(raw)


class EvenForm(ArtifactForm):
    number = CheckedField(check_even, "Number", widget="markdown", max_length=9)


def test_a_checked_field_cleans_by_its_check():
    field = EvenForm.__dict__["number"]
    assert field.name == "number" and field.widget == "markdown" and field.max_length == 9
    assert field.clean("4", None) == 4
    with pytest.raises(ValueError, match="The number must be even."):
        field.clean("3", None)


def test_one_path_family_loads_exactly_one_path(registry, make_user, make_project):
    from forge.actions.projects import install_tool
    from tools.notes.actions import create_note
    ada = make_user("ada")
    demo = make_project("demo", ada)
    tool = install_tool(registry, demo, "notes", "notes", ada)
    create_note(registry, demo, tool, None, "first", {"title": "First", "text": "one"}, ada)
    create_note(registry, demo, tool, None, "second", {"title": "Second", "text": "two"}, ada)
    family = OnePathFamily(tool._id, "first")
    assert list(family.by_path) == ["first"]
    assert family.by_path["first"].title == "First"
    assert family.children_of("first") == []
    assert OnePathFamily(tool._id, "third").by_path == {}


@pytest.mark.parametrize("acl, permission, expected", [
    ([], "read", False),
    (None, "read", False),
    ([{"access": "allow", "permission": "read", "role_id": "r"}], "read", False),
    ([{"access": "deny", "permission": "read", "role_id": "r"}], "read", True),
    ([{"access": "deny", "permission": "*", "role_id": "r"}], "read", True),
    ([{"access": "deny", "permission": "update", "role_id": "r"}], "read", False),
    ([{"access": "deny", "permission": "update", "role_id": "r"}], "update", True),
])
def test_restricts(acl, permission, expected):
    assert restricts(acl, permission) is expected
