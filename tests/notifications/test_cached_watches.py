"""The notify reactor reads a node's watches and its watchers' preferences
through their own per-process cache: once read, the next event about the same
node sends no query for them, and a watch or a preference written since is
seen at once (their writes move the ``watches`` generation)."""
import pytest

from forge.bus.registry import freeze
from forge.bus.worker import ReactorContext
from forge.model import OutboxEvent, session
from forge.model.session import collection
from forge.notifications import reactor
from forge.notifications.watches import set_frequency, set_watch

from .conftest import edit_ticket, new_ticket
from .test_mail import ticket_doc


def last_update(registry):
    session.close()
    record = max((r for r in collection(OutboxEvent).find() if "updated" in r["topic"]),
                 key=lambda r: r["seq"])
    return freeze(record["message"])


def notify_first_copy(registry, event):
    reactor.notify(event, ReactorContext(registry, registry.settings, 1, first_copy=True))
    session.close()


def test_watches_and_preferences_come_from_their_cache_and_follow_writes(
        site, login, mail, smtp_server, registry, finds_on):
    number = new_ticket(login("mem"), "Cached watches")
    edit_ticket(login("dev"), number, status="closed")
    mail()
    event = last_update(registry)
    notify_first_copy(registry, event)           # warms the cache
    smtp_server.clear()
    del finds_on[:]
    notify_first_copy(registry, event)
    assert [m.envelope_to for m in smtp_server.messages] == [["mem@example.test"]]
    assert "watch" not in finds_on and "mail_preference" not in finds_on

    # a preference and a watch written since are seen by the very next event
    for frequency, mailed in (("none", []), ("each", [["mem@example.test"]])):
        set_frequency(registry, site["mem"], frequency)
        session.close()
        smtp_server.clear()
        notify_first_copy(registry, event)
        assert [m.envelope_to for m in smtp_server.messages] == mailed
    set_watch(registry, "artifact", ticket_doc(site, number), site["mem"], watch=False)
    session.close()
    smtp_server.clear()
    notify_first_copy(registry, event)
    assert smtp_server.messages == []


@pytest.mark.parametrize("cls_name", ["Watch", "MailPreference"])
def test_any_write_of_a_watch_or_a_preference_moves_the_watches_generation(site, cls_name):
    """Not only the watch actions' writes: a write by any path (a plain
    ``collection``, an import, a script) must reach the watch cache's readers;
    and pages show watch state (``content``), but no tree document changed."""
    from forge.model.cache import all_generations
    from forge.notifications import model
    cls = getattr(model, cls_name)
    session.close()
    before = all_generations(session.db)
    collection(cls).insert_one({"_id": "someone:somewhere", "user_id": "someone"})
    after = all_generations(session.db)
    assert after.of("watches") == before.of("watches") + 1
    assert (after[0], after[1]) == (before[0], before[1] + 1)      # tree kept, content moved
