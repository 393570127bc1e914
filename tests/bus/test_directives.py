"""``config.add_auditor`` / ``config.add_reactor`` as directives, and ``freeze``."""
import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError, ConfigurationError

from forge.bus.registry import Auditor, Reactor, auditors_for, freeze, reactors_for


def noop(*args):
    return None


def other(*args):
    return None


def configurator():
    config = Configurator(settings={})
    config.include("forge.bus.registry")
    return config


def two_reactors_named_index(config):
    config.add_reactor("notes.#", noop, name="index")


def another_reactor_named_index(config):
    config.add_reactor("wiki.#", other, name="index")


def test_reactors_are_stored_by_name_and_introspectable():
    config = configurator()
    config.add_reactor("notes.note.*", noop, name="notes.index")
    config.add_reactor("#", "tests.bus.test_directives.other", name="audit-log")
    config.commit()
    reactors = config.registry.forge_reactors
    assert reactors["notes.index"] == Reactor("notes.index", "notes.note.*", noop)
    assert reactors["audit-log"].fn is other
    introspector = config.registry.introspector
    category = introspector.get_category("forge reactors")
    assert {e["introspectable"]["reactor"].name for e in category} == {"notes.index",
                                                                       "audit-log"}
    assert [r.name for r in reactors_for(config.registry, "notes.note.created")] == [
        "audit-log", "notes.index"]
    assert [r.name for r in reactors_for(config.registry, "project.created")] == ["audit-log"]


def test_two_reactors_with_one_name_conflict():
    config = configurator()
    config.include(two_reactors_named_index)
    config.include(another_reactor_named_index)
    with pytest.raises(ConfigurationConflictError):
        config.commit()


def test_two_reactors_with_one_name_in_one_include_conflict():
    config = configurator()
    config.add_reactor("notes.#", noop, name="index")
    config.add_reactor("wiki.#", other, name="index")
    with pytest.raises(ConfigurationConflictError):
        config.commit()


@pytest.mark.parametrize("name", [None, "", "has space", "a/b", "x" * 101, 7])
def test_a_reactor_needs_a_usable_name(name):
    config = configurator()
    with pytest.raises(ConfigurationError):
        config.add_reactor("notes.#", noop, name=name)


def test_a_reactor_name_is_required():
    config = configurator()
    with pytest.raises(TypeError):
        config.add_reactor("notes.#", noop)


def test_bad_patterns_are_refused_at_registration():
    config = configurator()
    with pytest.raises(ValueError):
        config.add_auditor("notes..note", noop)
    with pytest.raises(ValueError):
        config.add_reactor("notes.note*", noop, name="x")


def test_one_auditor_twice_on_one_topic_conflicts_but_not_on_two_topics():
    config = configurator()
    config.add_auditor("notes.note.created", noop)
    config.add_auditor("notes.note.updated", noop)
    config.commit()
    assert [a.topic for a in config.registry.forge_auditors] == [
        "notes.note.created", "notes.note.updated"]
    config = configurator()
    config.add_auditor("notes.note.created", noop)
    config.add_auditor("notes.note.created", noop)
    with pytest.raises(ConfigurationConflictError):
        config.commit()


def test_auditors_default_to_their_dotted_name_and_priority_100():
    config = configurator()
    config.add_auditor("notes.#", noop)
    config.commit()
    [auditor] = config.registry.forge_auditors
    assert auditor == Auditor("tests.bus.test_directives.noop", "notes.#", noop, 100)
    category = config.registry.introspector.get_category("forge auditors")
    assert [e["introspectable"]["auditor"] for e in category] == [auditor]


def test_auditor_priority_must_be_an_integer():
    config = configurator()
    with pytest.raises(ConfigurationError):
        config.add_auditor("notes.#", noop, priority="high")
    with pytest.raises(ConfigurationError):
        config.add_auditor("notes.#", 42)


def test_auditors_for_orders_by_priority_then_name_whatever_the_registration_order():
    config = configurator()
    config.add_auditor("#", noop, name="zeta", priority=100)
    config.add_auditor("notes.#", noop, name="beta", priority=100)
    config.add_auditor("notes.note.*", noop, name="alpha", priority=100)
    config.add_auditor("*.*.created", noop, name="omega", priority=10)
    config.add_auditor("wiki.#", noop, name="early", priority=1)
    config.add_auditor("notes.note.updated", noop, name="late", priority=500)
    config.commit()
    names = [a.name for a in auditors_for(config.registry, "notes.note.created")]
    assert names == ["omega", "alpha", "beta", "zeta"]
    names = [a.name for a in auditors_for(config.registry, "notes.note.updated")]
    assert names == ["alpha", "beta", "zeta", "late"]
    assert [a.name for a in auditors_for(config.registry, "scm.commit")] == ["zeta"]


def test_freeze_is_a_deep_read_only_copy():
    message = {"id": "e1", "topic": "notes.note.updated",
               "detail": {"fields": ["title", "text"], "changes": {"title": ["a", "b"]},
                          "tags": {"x"}}}
    event = freeze(message)
    assert event["detail"]["fields"] == ("title", "text")
    assert event["detail"]["changes"]["title"] == ("a", "b")
    with pytest.raises(TypeError):
        event["topic"] = "other"
    with pytest.raises(TypeError):
        del event["id"]
    with pytest.raises(TypeError):
        event["detail"]["changes"]["title"] = "c"
    with pytest.raises(TypeError):
        event["detail"]["fields"][0] = "labels"
    with pytest.raises(AttributeError):
        event["detail"]["fields"].append("labels")
    with pytest.raises(AttributeError):
        event["detail"]["tags"].add("y")
    # a copy: changing the original afterwards does not show through
    message["detail"]["fields"].append("labels")
    message["topic"] = "changed"
    assert event["topic"] == "notes.note.updated"
    assert event["detail"]["fields"] == ("title", "text")
    assert dict(event)["id"] == "e1"
