"""Every change writes its event to the outbox right after the flush that
wrote its documents (``forge.model.outbox.emit``), and subscribers hear of it
only after that flush succeeded."""
import pytest

from forge.actions import ActionError
from forge.actions.projects import create_project, install_tool
from forge.events import ForgeEvent, ProjectCreated
from forge.model import Neighborhood, OutboxEvent, Project


@pytest.fixture
def heard(registry):
    events = []
    registry.registerHandler(events.append, (ForgeEvent,))
    return events


def test_each_change_is_in_the_outbox_in_order(registry, make_user, heard):
    ada = make_user("ada")
    project = create_project(registry, Neighborhood.query.get(name="p"), "demo", "Demo", ada)
    install_tool(registry, project, "notes", "notes", ada)
    records = OutboxEvent.query.find().sort("seq", 1).all()
    topics = [r.topic for r in records]
    assert topics[-2:] == ["project.created", "project.tool.installed"]
    assert [r.seq for r in records] == sorted({r.seq for r in records})
    created = records[-2]
    assert created.message["project_id"] == project._id
    assert created.message["actor_id"] == ada._id
    assert [e.topic for e in heard][-2:] == topics[-2:]
    assert {e.id for e in heard} == {r._id for r in records}


def test_a_refused_change_leaves_no_event(registry, make_user, heard):
    ada = make_user("ada")
    nb = Neighborhood.query.get(name="p")
    create_project(registry, nb, "demo", "Demo", ada)
    before = OutboxEvent.query.find().count()
    heard.clear()
    with pytest.raises(ActionError):
        create_project(registry, nb, "demo", "Again", ada)
    assert OutboxEvent.query.find().count() == before
    assert not [e for e in heard if isinstance(e, ProjectCreated)]
    assert Project.query.find({"shortname": "demo"}).count() == 1
