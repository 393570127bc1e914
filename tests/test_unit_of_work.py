"""``forge.unit_of_work.change``: the steps of every change, all or nothing."""
import pytest

from forge.actions import ActionError
from forge.bus.auditing import Rejected
from forge.bus.registry import Auditor
from forge.events import ProjectUpdated, ToolUpdated
from forge.model import ChangeLogEntry, OutboxEvent, Project, session
from forge.unit_of_work import StaleSettings, change


@pytest.fixture
def auditor(registry, monkeypatch):
    """``auditor(topic, fn)``: an auditor for this test only (the app is shared)."""
    def add(topic, fn):
        monkeypatch.setattr(registry, "forge_auditors", list(registry.forge_auditors) + [
            Auditor(name="test.%s" % len(registry.forge_auditors), topic=topic, fn=fn,
                    priority=100)])
    return add


@pytest.fixture
def seen(registry):
    """The ``ProjectUpdated`` events subscribers received during the test."""
    received = []
    registry.registerHandler(received.append, (ProjectUpdated,))
    yield received
    registry.unregisterHandler(received.append, (ProjectUpdated,))


@pytest.fixture
def demo(registry, make_user, make_project):
    ada = make_user("ada")
    return make_project("demo", ada, title="Demo"), ada


def counts():
    return OutboxEvent.query.find().count(), ChangeLogEntry.query.find().count()


def stored_title(project):
    session.clear()
    return Project.query.get(_id=project._id).title


def test_writes_the_change_the_log_and_the_event_in_one_flush(registry, demo, seen):
    project, ada = demo
    events, logs = counts()
    with change(registry, ProjectUpdated, node=project, actor=ada,
                old={"title": "Demo"}, new={"title": "New"}) as ch:
        project.title = ch.new["title"]
        ch.log("project.update", "changed title")
        ch.event_detail["changes"] = ["title"]
    assert counts() == (events + 1, logs + 1)
    assert [e.detail for e in seen] == [{"changes": ["title"]}]
    entry = ChangeLogEntry.query.get(node_id=project._id, action="project.update")
    assert entry.node_kind == "project" and entry.project_id == project._id
    assert stored_title(project) == "New"


def test_the_auditors_may_change_new_and_validation_runs_again(registry, demo, auditor):
    project, ada = demo
    checked = []

    def validate(new):
        checked.append(dict(new))
        if not new["title"]:
            raise ActionError("A title is required.")
        return dict(new, title=new["title"].strip())

    auditor("project.updated", lambda c: c.new.update(title=""))
    with pytest.raises(ActionError):
        with change(registry, ProjectUpdated, node=project, actor=ada, old={}, new={"title": "x"},
                    validate=validate) as ch:
            project.title = ch.new["title"]
    assert checked == [{"title": "x"}, {"title": ""}]
    assert stored_title(project) == "Demo"


def test_a_rejection_writes_nothing_and_runs_no_body(registry, demo, auditor):
    project, ada = demo

    def refuse(c):
        raise Rejected("no", status=422)

    auditor("project.tool.updated", refuse)
    events, logs = counts()
    ran = []
    with pytest.raises(Rejected):
        with change(registry, ToolUpdated, topic="project.tool.updated", node=project,
                    actor=ada, new={}):
            ran.append(True)
    assert ran == [] and counts() == (events, logs)


def test_an_error_in_the_body_drops_what_it_changed_and_sends_no_event(registry, demo, seen):
    project, ada = demo
    events, logs = counts()
    with pytest.raises(RuntimeError):
        with change(registry, ProjectUpdated, node=project, actor=ada, old={}, new={}) as ch:
            project.title = "Half"
            ch.log("project.update", "half a change")
            raise RuntimeError("bug")
    session.flush()                 # a later flush in the request writes none of it
    assert counts() == (events, logs) and seen == []
    assert stored_title(project) == "Demo"


def test_several_events_or_none(registry, demo):
    project, ada = demo
    events, logs = counts()
    with change(registry, None, topic="project.updated", node=project, actor=ada,
                new={}) as ch:
        ch.also_emit(ProjectUpdated(project, actor=ada, changes=["a"]))
        ch.also_emit(ProjectUpdated(project, actor=ada, changes=["b"]))
    with change(registry, None, node=project, actor=ada, new={}) as ch:
        ch.log("project.note", "a change no one is told about")
    assert counts() == (events + 2, logs + 1)


def test_nothing_changed_writes_nothing(registry, demo):
    project, ada = demo
    events, logs = counts()
    with change(registry, ProjectUpdated, node=project, actor=ada, new={}, version=0) as ch:
        ch.log("project.update", "nothing")
        ch.nothing_changed()
    assert counts() == (events, logs)
    assert Project.query.get(_id=project._id).version == 0


def test_a_stale_version_is_refused_before_the_auditors(registry, demo, auditor):
    project, ada = demo
    audited = []
    auditor("project.updated", audited.append)
    with change(registry, ProjectUpdated, node=project, actor=ada, new={}, version=0):
        project.title = "First"
    with pytest.raises(StaleSettings) as refused:
        with change(registry, ProjectUpdated, node=project, actor=ada, new={}, version=0):
            project.title = "Second"
    assert refused.value.status == 409 and len(audited) == 1
    assert stored_title(project) == "First"


@pytest.fixture
def outbox_inserts(monkeypatch):
    """The ``insert_many`` calls on the outbox from now on (each a list of topics
    and details, in order)."""
    from forge.model import outbox
    calls = []
    real = outbox.collection

    class Counting:
        def __init__(self, coll):
            self.coll = coll

        def insert_many(self, records, **kw):
            calls.append([r["message"]["detail"].get("changes") for r in records])
            return self.coll.insert_many(records, **kw)

        def __getattr__(self, name):
            return getattr(self.coll, name)
    monkeypatch.setattr(outbox, "collection", lambda cls: Counting(real(cls)))
    return calls


def test_a_nested_unit_flushes_and_tells_subscribers_at_once_and_its_record_goes_with_the_outer(
        registry, demo, seen, outbox_inserts):
    """One insert for the whole change, the nested unit's record first; its
    documents and its subscribers do not wait for the outer unit."""
    project, ada = demo
    with change(registry, ProjectUpdated, node=project, actor=ada, new={}) as outer:
        with change(registry, ProjectUpdated, node=project, actor=ada, new={}) as inner:
            project.title = "Inner"
            inner.event_detail["changes"] = ["inner"]
        assert [e.detail for e in seen] == [{"changes": ["inner"]}]
        assert outbox_inserts == []
        session.clear()
        assert Project.query.get(_id=project._id).title == "Inner"     # flushed
        outer.event_detail["changes"] = ["outer"]
    assert outbox_inserts == [[["inner"], ["outer"]]]
    assert [e.detail for e in seen] == [{"changes": ["inner"]}, {"changes": ["outer"]}]
    stored = list(OutboxEvent.query.find({"topic": "project.updated"}).sort("seq", -1).limit(2))
    assert [r.message["detail"]["changes"] for r in stored] == [["outer"], ["inner"]]


def test_an_outer_unit_that_fails_after_a_nested_one_still_writes_the_nested_event(
        registry, demo, seen, outbox_inserts):
    """The nested unit's documents are saved, so its event is not lost; the
    outer unit's change and event are dropped; the next unit emits by itself."""
    project, ada = demo
    with pytest.raises(RuntimeError):
        with change(registry, ProjectUpdated, node=project, actor=ada, new={}):
            with change(registry, ProjectUpdated, node=project, actor=ada, new={}) as inner:
                project.title = "Inner"
                inner.event_detail["changes"] = ["inner"]
            project.title = "Never saved"
            raise RuntimeError("bug")
    assert outbox_inserts == [[["inner"]]]
    assert stored_title(project) == "Inner"
    with change(registry, ProjectUpdated, node=project, actor=ada, new={}) as ch:
        ch.event_detail["changes"] = ["next"]
    assert outbox_inserts == [[["inner"]], [["next"]]]
