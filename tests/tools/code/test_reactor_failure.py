"""A reactor that fails (the tracker down) never refuses or loses a push: the
push is accepted, and each commit's event waits in the reactor's queue and is
taken once it works again."""
import pytest

from forge.model import session
from forge.model.outbox import OutboxEvent
from forge.testing import forge_test_settings

from . import flaky_reactor
from .conftest import MAX_PUSH, with_credentials

REPO = "/p/demo/code"


@pytest.fixture
def forge_settings():
    return forge_test_settings(**{"forge.tools": "tools.code tests.tools.code.flaky_reactor",
                                  "forge.load_tool_entry_points": "false",
                                  "forge.repos.max_push_bytes": str(MAX_PUSH)})


@pytest.fixture(autouse=True)
def clear():
    del flaky_reactor.HANDLED[:], flaky_reactor.FAILED[:]
    yield
    del flaky_reactor.HANDLED[:], flaky_reactor.FAILED[:]


def test_a_failing_reactor_neither_refuses_nor_loses_the_push(site, server, git, work_tree,
                                                              run_reactors, tmp_path):
    result = git("push", with_credentials(server + REPO, "dev", site["tokens"]["dev"]),
                 "main", cwd=work_tree)
    assert result.returncode == 0
    session.close()
    shas = [e.message["detail"]["sha"] for e in
            OutboxEvent.query.find({"topic": "scm.commit"}).sort("seq", 1)]
    assert len(shas) == 2
    clone = tmp_path / "clone"
    git("clone", "--quiet", server + REPO, str(clone))
    assert git("rev-parse", "HEAD", cwd=clone).stdout == git("rev-parse", "HEAD",
                                                             cwd=work_tree).stdout
    run_reactors()
    assert sorted(flaky_reactor.FAILED) == sorted(shas)        # each refused once ...
    assert sorted(flaky_reactor.HANDLED) == sorted(shas)       # ... then taken, once
