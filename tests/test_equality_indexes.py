"""The embedded server's extra indexes: which prefixes, and only where wanted."""
from forge.model.equality_indexes import (declared_indexes, equality_prefixes,
                                          server_wants_them)


def test_each_field_leading_an_index_gets_one_ending_with_it():
    keys = [["tool_id", "deleted", "number"], ["tool_id", "path"],
            ["tool_id", "deleted", "status", "number"], ["labels", "title"]]
    assert equality_prefixes(keys, {"labels"}) == [
        ["tool_id"], ["tool_id", "deleted"], ["tool_id", "deleted", "status"]]


def test_fields_already_ending_an_index_need_nothing():
    assert equality_prefixes([["project_id", "seq"], ["seq"], ["sent", "seq"], ["sent"]],
                             set()) == [["project_id"]]


def test_the_declared_indexes_include_the_artifact_lineage_lookup(forge_app):
    keys, arrays = declared_indexes()["artifact"]
    assert ["tool_id", "family"] in keys and ["tool_id", "path"] in keys
    assert "labels" in arrays
    assert ["tool_id"] in equality_prefixes(keys, arrays)


def test_only_the_embedded_server_or_the_setting_wants_them():
    class Admin:
        def __init__(self, info):
            self.info = info

        def command(self, name):
            if self.info is None:
                raise RuntimeError("not authorised")
            return self.info

    class Db:
        def __init__(self, info):
            self.client = type("Client", (), {"admin": Admin(info)})()

    assert server_wants_them(Db({"process": "nx_27017"}))
    assert not server_wants_them(Db({"version": "7.0.12"}))          # MongoDB
    assert not server_wants_them(Db(None))
    assert server_wants_them(Db({"version": "7.0.12"}), "true")
    assert not server_wants_them(Db({"process": "nx_27017"}), "false")
