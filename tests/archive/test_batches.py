"""The import's batch writer (``forge.archive.batches``) on the embedded server:
one transaction per batch; a failed batch is committed up to the failure, not
rolled back (the import's undo removes it), so another client's writes on
the server's shared connection stay; failures reach the importer's thread."""
import uuid

import pymongo
import pytest
from pymongo.errors import BulkWriteError

from forge.archive.batches import BatchWriter, duplicate_key, insert_batch, takes_transactions
from tests.integration.conftest import mongo_url  # noqa: F401  (the fixture)


@pytest.fixture
def db(mongo_url):  # noqa: F811
    client = pymongo.MongoClient(mongo_url)
    name = "forge_batches_%s" % uuid.uuid4().hex[:10]
    yield client[name]
    client.drop_database(name)
    client.close()


def test_mim_takes_no_transactions():
    from forge.model.session import doc_session
    from forge.testing import forge_test_settings
    from forge.testing_apps import fresh_app
    fresh_app(forge_test_settings())
    assert takes_transactions(doc_session.db) is False


@pytest.mark.integration
def test_batches_in_transactions_on_the_embedded_server(db, mongo_url):  # noqa: F811
    if db.client.admin.command("buildInfo").get("process") != "nx_27017":
        pytest.skip("a real MongoDB: transactions only on replica sets")
    assert takes_transactions(db) is True
    insert_batch(db, "things", [{"_id": str(n)} for n in range(5)], True)
    assert db.things.count_documents({}) == 5


@pytest.mark.integration
def test_a_failed_batch_keeps_its_first_documents_and_others_writes(db, mongo_url):  # noqa: F811
    transactions = takes_transactions(db)
    db.things.insert_one({"_id": "2"})
    other = pymongo.MongoClient(mongo_url)[db.name]
    other.elsewhere.insert_one({"_id": "theirs"})
    with pytest.raises(BulkWriteError) as failure:
        insert_batch(db, "things", [{"_id": str(n)} for n in range(5)], transactions)
    assert duplicate_key(failure.value) is not None
    # ordered: 0 and 1 went in before the duplicate, 3 and 4 did not
    assert sorted(d["_id"] for d in db.things.find()) == ["0", "1", "2"]
    assert other.elsewhere.find_one({"_id": "theirs"}) is not None
    other.client.close()


@pytest.mark.integration
def test_the_writer_hands_a_failure_to_the_importer(db):
    db.things.insert_one({"_id": "dup"})
    writer = BatchWriter(db)
    writer.insert("things", [{"_id": "a"}, {"_id": "dup"}])
    with pytest.raises(BulkWriteError):
        writer.close()
    # abandoned with batches queued: the writer stops without writing them
    writer = BatchWriter(db)
    writer.stopped = True
    for n in range(5):
        writer.insert("later", [{"_id": str(n)}])
    writer.abandon()
    assert db.later.count_documents({}) == 0
    assert not writer.thread.is_alive()


def test_duplicate_key_of_other_errors():
    assert duplicate_key(ValueError("no")) is None
    assert duplicate_key(BulkWriteError({"writeErrors": [{"code": 121, "errmsg": "x"}]})) \
        is None
