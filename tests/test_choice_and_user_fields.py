"""``ChoiceField`` and ``UserField`` of ``forge.forms`` (``attr=``, ``initial=``,
a stored choice no longer offered) and ``set_tool_options`` (no change writes
nothing; a stale settings version is refused)."""
import types

import pytest

from forge.actions.tool_options import set_tool_options
from forge.fields import FieldErrors
from forge.forms import ArtifactForm, ChoiceField, TitleField, UserField
from forge.model import ChangeLogEntry, ToolInstance, session
from forge.unit_of_work import StaleSettings


class PlanForm(ArtifactForm):
    title = TitleField("Summary")
    size = ChoiceField(choices=lambda form: ["s", "m"], valid=lambda form: ["s", "m", "xl"],
                       default=lambda form: "m")
    phase = ChoiceField(choices=lambda form: ["a", "b"], blank=True,
                        message="There is no phase named %r.")
    owner = UserField("Owner", attr="owner_id", initial=lambda form: "ada")


def form(registry, site):
    request = types.SimpleNamespace(registry=registry)
    tool = types.SimpleNamespace(custom_fields=lambda: [])
    kind = types.SimpleNamespace(name="plans.plan", noun="plan", private_readers=())
    return PlanForm(request, tool, kind)


@pytest.fixture
def site(make_user, make_project):
    ada = make_user("ada")
    return {"ada": ada, "project": make_project("demo", ada)}


def test_fields_clean_into_their_attributes_with_defaults_and_messages(registry, site):
    plan = form(registry, site)
    plan.fill_defaults()
    assert (plan.values["size"], plan.values["owner"]) == ("m", "ada")
    cleaned = plan.read({"title": "Ship", "size": "", "phase": "", "owner": "ada"}).clean()
    assert (cleaned["size"], cleaned["phase"], cleaned["owner_id"]) == ("m", "", site["ada"]._id)
    assert "owner" not in cleaned
    with pytest.raises(FieldErrors):
        plan.read({"title": "", "size": "huge", "phase": "z", "owner": "nobody"}).clean()
    assert plan.errors == {"title": "A summary is required.",
                           "size": "The size must be one of: s, m, xl.",
                           "phase": "There is no phase named 'z'.",
                           "owner": "There is no user named 'nobody'."}
    # a stored value no longer offered stays selectable (and valid if valid= says so)
    stored = types.SimpleNamespace(title="Ship", size="xl", phase="", owner_id=site["ada"]._id,
                                   custom={}, ext={})
    plan = form(registry, site)
    plan.fill_from(stored)
    assert plan.values["owner"] == "ada"
    assert PlanForm.size.choices(plan) == ["s", "m", "xl"]
    assert PlanForm.phase.choices(plan) == ["a", "b"]


def test_set_tool_options_writes_once_and_refuses_a_stale_form(registry, site):
    from forge.actions.projects import install_tool
    tool = install_tool(registry, site["project"], "notes", "notes", site["ada"])
    version = tool.version or 0
    assert set_tool_options(registry, tool, {"home": "Start"}, site["ada"], "home",
                            "set the home", version=version) is True
    assert set_tool_options(registry, tool, {"home": "Start"}, site["ada"], "home",
                            "set the home", version=version + 1) is False
    with pytest.raises(StaleSettings):
        set_tool_options(registry, tool, {"home": "Other"}, site["ada"], "home",
                         "set the home", version=version)
    session.close()
    assert ToolInstance.query.get(_id=tool._id).options["home"] == "Start"
    assert ChangeLogEntry.query.find({"action": "notes.home"}).count() == 1
