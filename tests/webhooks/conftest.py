"""A forge whose webhooks may call 127.0.0.1 (the tests' own receivers), with
fast bus retries; ada admins ``demo`` with notes at ``notes/``."""
import pytest

from forge.actions.projects import install_tool
from forge.actions.roles import add_member, role_named
from forge.model import session
from forge.bus.dead_letters import purge
from forge.testing import forge_test_settings
from forge.webhooks.reactor import REACTOR_NAME

from .receiver import Receiver

SECRET = "a-test-secret-of-some-length"


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.webhooks.allow_private": "true",
                                  "forge.webhooks.timeout_seconds": "2",
                                  "forge.bus.max_attempts": "4",
                                  "forge.bus.retry_base_seconds": "0.02",
                                  "forge.bus.retry_max_seconds": "0.05"})


@pytest.fixture
def receiver():
    made = []

    def make(*statuses, **kw):
        made.append(Receiver(statuses or (200,), **kw))
        return made[-1]
    yield make
    for one in made:
        one.close()


@pytest.fixture
def site(registry, make_user, make_project):
    # the memory broker outlives each test's app: no dead letters of another test
    purge(registry, REACTOR_NAME)
    ada = make_user("ada")
    project = make_project("demo", ada)
    people = {"ada": ada, "project": project}
    people["dev"] = make_user("dev")
    add_member(registry, project, role_named(project, "Developer"), people["dev"], ada)
    people["out"] = make_user("out")
    people["notes"] = install_tool(registry, project, "notes", "notes", ada)
    session.close()
    return people


def note(registry, site, name, title="A note", actor=None):
    from tools.notes.actions import create_note
    return create_note(registry, site["project"], site["notes"], None, name,
                       {"title": title, "text": "Some text.", "labels": [], "custom": {},
                        "ext": {}}, actor or site["ada"])
