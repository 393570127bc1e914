"""On the embedded server the app's start-up creates the prefix indexes that
make equalities on leading index fields use an index; on MongoDB it creates
none (FORGE_TEST_MONGODB_URL)."""
import os
import uuid

import pytest

import forge
from forge.model.session import session
from forge.testing import forge_test_settings

pytestmark = pytest.mark.integration


def test_start_up_creates_the_prefix_indexes_only_on_the_embedded_server(mongo_url):
    database = "forge_eqidx_%s" % uuid.uuid4().hex[:10]
    forge.main({}, **forge_test_settings(**{"ming.main.uri": mongo_url,
                                             "ming.main.database": database}))
    try:
        keys = [dict(index["key"]) for index in session.db["artifact"].list_indexes()]
        embedded = not os.environ.get("FORGE_TEST_MONGODB_URL")
        assert ({"tool_id": 1} in keys) == embedded
        assert ({"tool_id": 1, "deleted": 1} in keys) == embedded
        assert {"tool_id": 1, "path": 1} in keys
        if embedded:
            # the lineage lookup and a ticket-list filter both answer correctly
            artifacts = session.db["artifact"]
            artifacts.insert_many([{"_id": "a%d" % i, "tool_id": "t", "path": str(i),
                                    "family": str(i), "deleted": i % 2 == 0,
                                    "labels": ["ui"]} for i in range(20)])
            assert artifacts.find_one({"tool_id": "t", "path": "7"})["_id"] == "a7"
            live = [d["_id"] for d in artifacts.find({"tool_id": "t", "deleted": False})]
            assert len(live) == 10
            # an array field that ends no index still matches by membership
            assert len(list(artifacts.find({"tool_id": "t", "labels": "ui"}))) == 20
    finally:
        session.db.client.drop_database(database)
