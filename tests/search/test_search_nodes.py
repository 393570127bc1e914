"""Search nodes (``forge.search.node``): the reactor, its queue and the index
directory are the node's, so each machine keeps an index of its own.  That two
nodes both receive every change over RabbitMQ is
``tests/integration/test_scale_out.py``."""
import os

import pytest
from pyramid.exceptions import ConfigurationError

from forge.bus import amqp
from forge.search.node import index_directory, reactor_name, search_node


@pytest.fixture(autouse=True)
def no_node_in_the_environment(monkeypatch):
    monkeypatch.delenv("FORGE_SEARCH_NODE", raising=False)


def test_without_a_node_the_index_and_queue_are_shared():
    settings = {"forge.data_dir": "/srv/forge"}
    assert search_node(settings) is None
    assert reactor_name(settings) == "forge.search"
    assert index_directory(settings) == os.path.join("/srv/forge", "search-index")
    assert index_directory({}) == ""


def test_a_node_has_its_own_queue_and_directory():
    settings = {"forge.data_dir": "/srv/forge", "forge.search.node": "web1"}
    assert reactor_name(settings) == "forge.search.web1"
    assert amqp.reactor_queue_name(reactor_name(settings), "forge") == \
        "forge.reactor.forge.search.web1"
    assert index_directory(settings) == os.path.join("/srv/forge", "search-index-web1")
    # an explicit path wins: the operator chose the directory
    assert index_directory(dict(settings, **{"forge.search.path": "/idx"})) == "/idx"


def test_the_environment_names_the_node(monkeypatch):
    monkeypatch.setenv("FORGE_SEARCH_NODE", "web2")
    assert search_node({"forge.search.node": "web1"}) == "web2"


@pytest.mark.parametrize("bad", ["web 1", "../up", "a" * 41, "-x", "web.1"])
def test_a_node_name_that_cannot_name_a_queue_and_a_directory_is_refused(bad):
    with pytest.raises(ConfigurationError, match="forge.search.node"):
        search_node({"forge.search.node": bad})


def test_the_app_registers_the_node_reactor(tmp_path):
    from forge.testing import forge_test_settings
    from forge.testing_apps import fresh_app
    app = fresh_app(forge_test_settings(**{"forge.search.node": "n1",
                                           "forge.data_dir": str(tmp_path)}))
    reactors = app.registry.forge_reactors
    assert "forge.search.n1" in reactors and "forge.search" not in reactors
    index = app.registry.forge_search_index()
    assert index.path == str(tmp_path / "search-index-n1")
