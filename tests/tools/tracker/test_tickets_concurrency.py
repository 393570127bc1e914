"""200 tickets created at once get the numbers 1..200: no gaps, no duplicates.

Ming's in-memory ``mim://`` is not thread safe, so this test runs the forge
on the embedded wire-protocol server (nx-27017, a real database process that
serialises writes), started for this module in a temporary directory.  The
200 creations run in 20 threads through the actions layer, each thread with
its own Ming session (``forge.model.session`` is a ThreadLocalODMSession).
"""
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from forge.model import Project, ToolInstance, User, session
from forge.counters import last_number
from forge.testing import embedded_database, forge_test_settings
from tools.tracker.actions import create_ticket
from tools.tracker.model import Ticket, TicketCounter

TICKETS = 200
THREADS = 20


@pytest.fixture(scope="module")
def wire_url(tmp_path_factory):
    with embedded_database(tmp_path_factory.mktemp("tracker-db")) as url:
        yield url


@pytest.fixture
def forge_settings(wire_url):
    return forge_test_settings(**{"ming.main.uri": wire_url,
                                  "ming.main.database": "tracker_concurrency"})


def test_200_concurrent_creations_are_numbered_1_to_200(registry, site):
    tool_id, project_id, user_ids = (site["tool"]._id, site["project"]._id,
                                     [site[n]._id for n in ("ada", "dev", "mem", "mem2")])
    start = threading.Barrier(THREADS)
    numbers, errors = [], []
    lock = threading.Lock()

    def worker(index):
        try:
            start.wait()
            # each thread reads its own documents in its own session
            tool = ToolInstance.query.get(_id=tool_id)
            project = Project.query.get(_id=project_id)
            actor = User.query.get(_id=user_ids[index % len(user_ids)])
            made = []
            for i in range(TICKETS // THREADS):
                ticket = create_ticket(registry, project, tool,
                                       {"title": "t%d-%d" % (index, i), "description": "",
                                        "labels": [], "custom": {}, "ext": {},
                                        "milestone": "", "assigned_to_id": None},
                                       actor)
                made.append(ticket.number)
            with lock:
                numbers.extend(made)
        except Exception as error:        # reported below, with the thread's index
            with lock:
                errors.append((index, repr(error)))
        finally:
            session.close()

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))
    assert errors == []
    assert sorted(numbers) == list(range(1, TICKETS + 1))
    session.close()
    stored = sorted(t.number for t in Ticket.query.find({"tool_id": tool_id}))
    assert stored == list(range(1, TICKETS + 1))
    assert sorted(t.path for t in Ticket.query.find({"tool_id": tool_id})) == sorted(
        str(n) for n in range(1, TICKETS + 1))
    assert last_number(TicketCounter, tool_id) == TICKETS
