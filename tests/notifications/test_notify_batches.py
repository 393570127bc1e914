"""The notify reactor takes its events in batches (``forge.bus.batches``): a
batch shares one site request and one SMTP session and reads its comments
in one query; when a batch call fails half-way, the worker runs its events
again one at a time, not as first copies (tests/bus/test_bus_batch_delivery.py),
so those runs read the markers (some were mailed)."""
from forge.bus.registry import freeze
from forge.bus.worker import ReactorContext
from forge.model import OutboxEvent, session
from forge.model.session import collection
from forge.notifications import reactor
from forge.notifications.mailer import MailConnection
from forge.notifications.model import SentNotification

from .conftest import TICKETS, new_ticket


def comments(login, mail, count):
    number = new_ticket(login("mem"), "Batched")
    dev = login("dev")
    for index in range(count):
        dev.post_form(TICKETS + "%d/@@post" % number, {"text": "Comment %d." % index},
                      status="*")
    mail()
    session.close()
    records = collection(OutboxEvent).find({"topic": "tracker.post.created"}).sort("seq", 1)
    events = tuple(freeze(record["message"]) for record in records)
    # as if the reactor had not seen them yet
    collection(SentNotification).delete_many({"event_id": {"$in": [e["id"] for e in events]}})
    return events


def first_copy(registry, first=True):
    return ReactorContext(registry, registry.settings, 1, first_copy=first)


def test_a_batch_reads_its_comments_once_over_one_smtp_session(
        site, login, mail, smtp_server, registry, finds_on, monkeypatch):
    events = comments(login, mail, 3)
    sessions = []
    connect = registry.forge_mailer._connect
    monkeypatch.setattr(registry.forge_mailer, "_connect",
                        lambda: sessions.append(1) or connect())
    smtp_server.clear()
    del finds_on[:]
    reactor.notify(events, first_copy(registry))
    assert [m.envelope_to for m in smtp_server.messages] == [["mem@example.test"]] * 3
    assert [m["Subject"] for m in smtp_server.messages] == \
        ["[Demo] Re: #1 Batched: new comment"] * 3
    assert finds_on.count("post") == 1 and finds_on.count("site_config") == 1
    assert sessions == [1]


def test_a_batch_that_failed_half_way_mails_nobody_twice(
        site, login, mail, smtp_server, registry, monkeypatch):
    events = comments(login, mail, 2)
    smtp_server.clear()
    real_send = MailConnection.send
    sends = []

    def second_fails(self, message):
        sends.append(1)
        if len(sends) == 2:
            raise OSError("the server went away")
        return real_send(self, message)
    monkeypatch.setattr(MailConnection, "send", second_fails)
    try:
        reactor.notify(events, first_copy(registry))
    except OSError:
        pass
    else:
        raise AssertionError("the batch should have failed")
    monkeypatch.setattr(MailConnection, "send", real_send)
    assert len(smtp_server.messages) == 1
    # the worker: each event again, alone, not as a first copy
    for event in events:
        reactor.notify((event,), first_copy(registry, first=False))
        session.close()
    assert [m.envelope_to for m in smtp_server.messages] == [["mem@example.test"]] * 2


def test_a_batch_records_its_mails_in_one_write(
        site, login, mail, smtp_server, registry, monkeypatch):
    events = comments(login, mail, 3)
    smtp_server.clear()
    writes = []
    real_insert = reactor.insert_all_new
    monkeypatch.setattr(reactor, "insert_all_new",
                        lambda target, documents: (writes.append(list(documents)),
                                                   real_insert(target, documents))[1])
    reactor.notify(events, first_copy(registry))
    assert len(smtp_server.messages) == 3
    assert len(writes) == 1 and sorted(d["event_id"] for d in writes[0]) == \
        sorted(e["id"] for e in events)
    # handled again (a retry): the markers are read, nobody is mailed twice
    for event in events:
        reactor.notify((event,), first_copy(registry, first=False))
        session.close()
    assert len(smtp_server.messages) == 3
