"""``forge.bus.namespace``: the default keeps the names the bus always had; a
namespace prefixes every exchange and queue; a bad one is refused at start."""
import pytest

from forge.bus import amqp
from forge.bus.worker import dead_queue, retry_queue


def test_the_default_namespace_keeps_the_historic_names():
    assert amqp.namespace({}) == "forge"
    assert amqp.events_exchange().name == amqp.EVENTS_EXCHANGE == "forge.events"
    assert amqp.retry_exchange_name() == amqp.RETRY_EXCHANGE
    assert amqp.dead_exchange_name() == amqp.DEAD_EXCHANGE
    assert amqp.reactor_queue_name("search") == "forge.reactor.search"
    assert amqp.retry_queue_name("search") == "forge.retry.search"
    assert amqp.dead_queue_name("search") == "forge.dead.search"


def test_a_namespace_prefixes_every_exchange_and_queue():
    ns = amqp.namespace({"forge.bus.namespace": "staging"})
    queue = amqp.reactor_queue("search", "#", ns)
    assert (queue.name, queue.exchange.name) == ("staging.reactor.search", "staging.events")
    retry = retry_queue("search", ns)
    assert (retry.name, retry.exchange.name) == ("staging.retry.search", "staging.retry")
    assert retry.queue_arguments["x-dead-letter-routing-key"] == "staging.reactor.search"
    dead = dead_queue("search", ns)
    assert (dead.name, dead.exchange.name) == ("staging.dead.search", "staging.dead")


def test_an_empty_namespace_is_the_default():
    assert amqp.namespace({"forge.bus.namespace": ""}) == "forge"


@pytest.mark.parametrize("bad", [" ", "a b", ".forge", "x" * 101, "fr/ge"])
def test_a_bad_namespace_is_refused(bad):
    with pytest.raises(ValueError):
        amqp.namespace({"forge.bus.namespace": bad})


def test_the_app_refuses_a_bad_namespace_at_start():
    from forge import main
    from forge.testing import forge_test_settings
    with pytest.raises(ValueError):
        main({}, **forge_test_settings(**{"forge.bus.namespace": "no spaces please"}))
