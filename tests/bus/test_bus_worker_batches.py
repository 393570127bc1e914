"""A worker asks the database which events its reactor already processed
only for messages that may be second copies, once per fetched batch; it runs
the events in order and records each one."""
import uuid

from kombu import Connection, Producer

from forge.bus import amqp
from forge.bus import worker as worker_module
from forge.bus.processed import already_processed
from forge.bus.registry import Reactor
from forge.bus.worker import ReactorWorker
from forge.model import OutboxEvent
from forge.model.session import collection


def resend_without_first_copy_header(reactor, records):
    """What a relay publishes for records a dead relay had claimed."""
    with Connection("memory://") as connection:
        producer = Producer(connection.channel())
        for record in records:
            producer.publish(record["message"], serializer="json",
                             routing_key=amqp.reactor_queue_name(reactor.name),
                             message_id=record["_id"], headers={"seq": record["seq"]})


def test_first_copies_are_not_looked_up_and_other_copies_once_per_batch(
        registry, make_user, make_project, monkeypatch):
    seen = []
    name = "test-batches-%s" % uuid.uuid4().hex[:8]
    reactor = registry.forge_reactors[name] = Reactor(
        name=name, topic="project.created", fn=lambda event, context: seen.append(event["id"]))
    try:
        ada = make_user("ada")
        for i in range(6):
            make_project("b%d" % i, ada)
        records = list(collection(OutboxEvent).find({"topic": "project.created"}).sort("seq", 1))
        created = [r["_id"] for r in records]
        queries = []
        real = worker_module.processed_among

        def counted(reactor_name, event_ids):
            queries.append(list(event_ids))
            return real(reactor_name, event_ids)
        monkeypatch.setattr(worker_module, "processed_among", counted)

        assert ReactorWorker(registry, reactor).run_until_idle() == len(created) == 7
        assert seen == created                                   # in seq order
        assert queries == []                     # every one a first copy: nothing to ask
        assert all(already_processed(name, event_id) for event_id in created)

        resend_without_first_copy_header(reactor, records)
        assert ReactorWorker(registry, reactor).run_until_idle() == len(created)
        assert seen == created                                   # not again
        assert sum(queries, []) == created                       # each asked about once
        assert len(queries) < len(created)                       # batched
    finally:
        registry.forge_reactors.pop(name, None)


def test_a_redelivered_or_retried_first_copy_is_looked_up():
    class Message:
        def __init__(self, headers, redelivered=False):
            self.headers, self.delivery_info = headers, {"redelivered": redelivered}
    first = {amqp.FIRST_COPY_HEADER: 1}
    assert worker_module._first_copy(Message(first))
    assert not worker_module._first_copy(Message(first, redelivered=True))
    assert not worker_module._first_copy(Message(dict(first, **{worker_module.ATTEMPT_HEADER: 2})))
    assert not worker_module._first_copy(Message({}))
