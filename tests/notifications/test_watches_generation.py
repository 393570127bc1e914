"""Watches and mail preferences have a generation of their own (``watches``,
``forge.model.cache.own_generation``): writing one moves it and ``content``,
never ``tree``, so the cached users, roles and tools of every process
survive a new ticket's watch, and the notify reactor still sees each watch
at once (the kept pages: test_watch_button_kept.py)."""
import pytest

from forge.bus.registry import freeze
from forge.bus.worker import ReactorContext
from forge.model import OutboxEvent, session
from forge.model.cache import all_generations
from forge.model.session import collection
from forge.notifications import reactor, watches
from forge.notifications.model import Watch
from forge.notifications.watches import add_watch, set_watch, watch_key, watcher_ids
from forge.testing import count_collection_calls

from .conftest import edit_ticket, new_ticket
from .test_mail import ticket_doc


def last_event(verb):
    session.close()
    record = max((r for r in collection(OutboxEvent).find() if r["topic"].endswith(verb)),
                 key=lambda r: r["seq"])
    return freeze(record["message"])


def notify_first_copy(registry, event):
    reactor.notify(event, ReactorContext(registry, registry.settings, 1, first_copy=True))
    session.close()


def mailed_to(smtp_server):
    return sorted(address for m in smtp_server.messages for address in m.envelope_to)


def test_a_watch_flushed_by_ming_moves_the_watches_generation_not_the_tree(site):
    # (collection(cls)'s writes: test_cached_watches.py)
    session.close()
    before = all_generations(session.db)
    Watch(_id="someone:somewhere", user_id="someone", kind="artifact", node_id="somewhere",
          created=1.0)
    session.flush()
    session.close()
    after = all_generations(session.db)
    assert after.of("watches") == before.of("watches") + 1
    assert after[0] == before[0] and after[1] > before[1]


def test_cached_users_and_roles_survive_a_watch_and_new_watches_are_seen_at_once(
        site, login, mail, smtp_server, registry, finds_on):
    number = new_ticket(login("mem"), "Survives")
    edit_ticket(login("dev"), number, status="closed")
    mail()
    event = last_event("updated")
    notify_first_copy(registry, event)           # warms both caches
    smtp_server.clear()
    del finds_on[:]

    # a watch written by any path: the watches are read again, users and roles not
    add_watch(site["out"]._id, "artifact", ticket_doc(site, number))
    session.close()
    notify_first_copy(registry, event)
    assert "watch" in finds_on
    assert "user" not in finds_on and "project_role" not in finds_on
    # out watches from now on: not mailed about a change made before
    assert mailed_to(smtp_server) == ["mem@example.test"]

    # the next change is theirs too; once they stop watching, it is not
    edit_ticket(login("dev"), number, status="open")
    assert sorted(mail()) == ["mem@example.test", "out@example.test"]
    set_watch(registry, "artifact", ticket_doc(site, number), site["out"], watch=False)
    session.close()
    edit_ticket(login("dev"), number, status="closed")
    assert sorted(mail()) == ["mem@example.test"]


def test_a_new_artifacts_author_who_watches_it_already_is_not_made_to_watch_again(
        site, login, mail, registry, monkeypatch):
    """The tracker makes the reporter watch their ticket: the reactor sees it
    in the watches it reads for the mail, and writes nothing (no insert, no
    bump of the generations, which would empty every process's watch cache)."""
    number = new_ticket(login("mem"), "Watched already")
    mail()
    event = last_event("ticket.created")
    calls = count_collection_calls(monkeypatch, watches)     # add_watch's writes
    before = all_generations(session.db)
    notify_first_copy(registry, event)
    assert ("watch", "insert_one") not in calls
    assert all_generations(session.db).of("watches") == before.of("watches")
    assert watcher_ids(ticket_doc(site, number)._id) == [site["mem"]._id]

    # an author who does not watch it (the watch removed behind the reactor's back)
    collection(Watch).delete_one({"_id": watch_key(site["mem"]._id,
                                                   ticket_doc(site, number)._id)})
    session.close()
    notify_first_copy(registry, event)
    assert ("watch", "insert_one") in calls
    assert watcher_ids(ticket_doc(site, number)._id) == [site["mem"]._id]
