"""``forge.testing_apps.fresh_app(world=)``: a world is built once, each test
starts from its copy (what a test wrote is gone in the next), and a test
without the world starts from an empty database; on mim:// and over the wire."""
import pytest
from pymongo import monitoring

from forge import testing_apps
from forge.testing import PASSWORD, embedded_database, forge_test_settings

BUILDS = []


class _Commands(monitoring.CommandListener):
    """The names of the commands sent by clients made from now on."""

    def __init__(self):
        self.names = []

    def started(self, event):
        self.names.append(event.command_name)

    def succeeded(self, event):
        pass

    def failed(self, event):
        pass


COMMANDS = _Commands()
monitoring.register(COMMANDS)


def build(app):
    from forge.actions.users import create_user
    BUILDS.append(app)
    create_user(app.registry, "ada", "ada@example.test", PASSWORD)
    return {"built": len(BUILDS)}


@pytest.fixture(params=["mim", "wire"])
def make_app(request, tmp_path):
    """``make(world)``: the shared forge of a database of this test's own, as
    ``forge_app`` gives it before a test (forgotten when the test ends)."""
    overrides = {"ming.main.uri": "mim://", "ming.main.database": "world_test"}
    with (embedded_database(tmp_path / "db") if request.param == "wire"
          else _nothing()) as url:
        if url:
            overrides["ming.main.uri"] = url
        settings = forge_test_settings(**overrides)
        del BUILDS[:]
        yield lambda world=build: testing_apps.fresh_app(settings, world=world)
        configured = testing_apps._apps.pop(testing_apps._key(settings), None)
        if configured is not None:
            configured.close()


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _db():
    from forge.model.session import doc_session
    return doc_session.db


def _usernames(db):
    return sorted(doc["username"] for doc in db.user.find())


def test_a_world_is_built_once_and_what_a_test_wrote_is_gone(make_app):
    app = make_app()
    db = _db()
    assert _usernames(db) == ["ada"]
    world = {name: sorted(repr(sorted(doc.items())) for doc in db[name].find())
             for name in db.list_collection_names() if not name.startswith("system.")}
    db.user.update_one({"username": "ada"}, {"$set": {"display_name": "Changed"}})
    db.user.insert_one({"username": "bob", "email": "bob@example.test"})
    db.project.delete_many({})
    db.site_config.update_one({"key": "site"}, {"$set": {"title": "Changed"}})
    db.made_by_a_test.insert_one({"x": 1})
    del COMMANDS.names[:]
    assert make_app() is app
    if app.registry.settings["ming.main.uri"].startswith("mongodb:"):
        # put back collection by collection, not by emptying everything
        assert "listIndexes" not in COMMANDS.names and "dropDatabase" not in COMMANDS.names
    db = _db()
    assert {name: sorted(repr(sorted(doc.items())) for doc in db[name].find())
            for name in db.list_collection_names() if not name.startswith("system.")} == world
    assert len(BUILDS) == 1
    assert testing_apps.world_value(app, build) == {"built": 1}


def test_without_the_world_the_database_is_empty_and_the_world_comes_back(make_app):
    make_app()
    make_app(world=None)
    db = _db()
    assert _usernames(db) == []
    assert db.site_config.count_documents({"key": "site"}) == 1
    make_app()
    assert _usernames(_db()) == ["ada"]
    assert len(BUILDS) == 1
