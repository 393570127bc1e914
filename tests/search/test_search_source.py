"""``config.add_search_source``: a tool's own documents, rebuilt with the tool."""
import pytest
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationConflictError, ConfigurationError

from forge.search.indexer import Indexer
from forge.testing import forge_test_settings


def test_add_search_source_is_a_real_directive():
    def one(request, tool):
        return []

    config = Configurator(settings=forge_test_settings())
    config.include("forge.search.directive")
    config.add_search_source("x", one)
    config.commit()
    assert config.registry.forge_search_sources == {"x": one}
    config.add_search_source("y", one)
    config.add_search_source("y", lambda request, tool: [])
    with pytest.raises(ConfigurationConflictError):
        config.commit()
    with pytest.raises(ConfigurationError):
        config.add_search_source("z", 42)


class Batch:
    def __init__(self):
        self.added, self.deleted = [], []

    def add(self, document):
        self.added.append(document)

    def delete_where(self, field, value):
        self.deleted.append((field, value))


class Tool:
    class doc:
        tool = "thing"


def test_re_indexing_a_tool_adds_its_sources_documents(registry, monkeypatch):
    seen = []

    def documents(request, tool):
        seen.append(tool)
        return [{"id": "own:1"}, {"id": "own:2"}]
    monkeypatch.setitem(registry.forge_search_sources, "thing", documents)
    indexer = Indexer(registry, Batch())
    monkeypatch.setattr(indexer.resolver, "tool", lambda tool_id: Tool if tool_id == "t1" else None)
    indexer.tool("t1")
    indexer.tool("gone")            # not resolvable (uninstalled): nothing is asked
    assert indexer.batch.deleted == [("tool_id", "t1"), ("tool_id", "gone")]
    assert [d["id"] for d in indexer.batch.added] == ["own:1", "own:2"]
    assert seen == [Tool] and indexer.indexed == 2
