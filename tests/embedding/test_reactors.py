"""Mounting the forge starts its reactors as ``forge serve`` does (memory://)."""
import time

from forge.bus.worker import stop_embedded_workers
from forge.testing import PASSWORD, reset_database
from tests.embedding.conftest import host_settings


def test_mount_forge_starts_the_reactors_when_the_app_is_made():
    from hostapp import make_app
    settings = host_settings()
    reset_database(settings)
    app = make_app(settings)                     # workers=True: the default
    try:
        pool = app.registry.forge_workers
        assert pool.alive
        # an event goes through the bus to the activity reactor, in this process
        from forge.actions.projects import create_project
        from forge.actions.users import create_user
        from forge.model import Neighborhood, session
        ada = create_user(app.registry, "ada", "ada@example.test", PASSWORD)
        create_project(app.registry, Neighborhood.query.get(name="p"), "demo", "Demo", ada)
        session.close()
        assert wait_for(lambda: session.db.activity.count_documents({}) > 0)
    finally:
        stop_embedded_workers(app.registry, timeout=5)
    assert wait_for(lambda: not pool.alive)


def wait_for(condition, seconds=10):
    deadline = time.time() + seconds
    while not condition():
        if time.time() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_workers_false_leaves_them_to_forge_worker(host_app):
    assert getattr(host_app.registry, "forge_workers", None) is None
