"""Reactors for the bus integration tests (``tests/integration/test_bus_rabbitmq.py``).

Their names start with ``FORGE_TEST_BUS_PREFIX`` so that each test run has
queues of its own on the shared RabbitMQ.

* ``PREFIX.count`` records its effect for each ``notes.note.created`` event:
  one document per event id in ``bus_test_effects`` (an insert that ignores
  the duplicate key, i.e. an idempotent effect) and one ``$inc`` per call in
  ``bus_test_calls``, so a test can tell effects from calls;
* ``PREFIX.flaky`` does the same under its own name but raises while the
  document ``broken`` exists in ``bus_test_flags``;
* ``PREFIX.projects`` does the same for every ``project.#`` event.
"""
import os

from pymongo.errors import DuplicateKeyError

from forge.model.session import session

TOPIC = "notes.note.created"


def record(reactor_name, event):
    db = session.db
    db["bus_test_calls"].update_one({"_id": reactor_name}, {"$inc": {"n": 1}}, upsert=True)
    try:
        db["bus_test_effects"].insert_one({"_id": "%s %s" % (reactor_name, event["id"]),
                                           "reactor": reactor_name})
    except DuplicateKeyError:
        pass


def includeme(config):
    prefix = os.environ.get("FORGE_TEST_BUS_PREFIX", "bus-test")

    def count(event, context):
        record(prefix + ".count", event)

    def flaky(event, context):
        if session.db["bus_test_flags"].find_one({"_id": "broken"}) is not None:
            raise RuntimeError("broken on purpose (attempt %d)" % context.attempt)
        record(prefix + ".flaky", event)

    def projects(event, context):
        record(prefix + ".projects", event)

    config.add_reactor(TOPIC, count, name=prefix + ".count")
    config.add_reactor("project.#", projects, name=prefix + ".projects")
    config.add_reactor(TOPIC, flaky, name=prefix + ".flaky")
