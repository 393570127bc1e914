"""``forge.testing_apps.fresh_app`` over the wire: between tests it clears only
the collections this process wrote to, and falls back to clearing everything
when the database's counts say another writer was there or an index changed."""
import pytest

from forge import testing_apps
from forge.testing import embedded_database, forge_test_settings


@pytest.fixture
def wire_app(tmp_path):
    """``make()``: the shared forge for a database on an nx-27017 of its own,
    as ``forge_app`` gives it before a test (forgotten when the test ends).
    Made once here, so that every ``make()`` of the test is a reset."""
    with embedded_database(tmp_path / "db") as url:
        settings = forge_test_settings(**{"ming.main.uri": url,
                                          "ming.main.database": "reset_test"})
        testing_apps.fresh_app(settings)
        yield lambda: testing_apps.fresh_app(settings)
        key = testing_apps._key(settings)
        configured = testing_apps._apps.pop(key, None)
        if configured is not None:
            configured.close()


def _db():
    from forge.model.session import doc_session
    return doc_session.db


def _contents(db):
    return {name: sorted(repr(sorted(doc.items())) for doc in db[name].find())
            for name in db.list_collection_names() if not name.startswith("system.")}


def test_what_a_test_wrote_is_gone_and_the_site_is_as_new(wire_app):
    wire_app()
    db = _db()
    fresh = _contents(db)
    assert fresh["site_config"] and fresh["neighborhood"]
    db.project.insert_one({"_id": "left-over", "shortname": "x"})
    db.site_config.update_one({"key": "site"}, {"$set": {"title": "Changed"}})
    db.made_by_a_test.insert_one({"x": 1})
    wire_app()
    after = _contents(db)
    assert set(after) == set(fresh)
    assert after["project"] == []
    assert [doc["title"] for doc in db.site_config.find({"key": "site"})] == ["PyForge"]
    assert {name: len(docs) for name, docs in after.items()} == \
        {name: len(docs) for name, docs in fresh.items()}


def test_a_write_it_did_not_see_is_cleared_by_the_counts_check(wire_app):
    wire_app()
    db = _db()
    db.user.insert_one({"_id": "from-another-process", "username": "ghost"})
    testing_apps._writes.take(db.client.address, db.name)   # as if not made here
    wire_app()
    assert db.user.count_documents({}) == 0


def test_a_dropped_index_is_made_again(wire_app):
    wire_app()
    db = _db()
    before = testing_apps.index_fingerprint(db)
    name = next(index["name"] for index in db.user.list_indexes() if index["name"] != "_id_")
    db.user.drop_index(name)
    wire_app()
    assert testing_apps.index_fingerprint(db) == before
