"""The watch button on a ticket page kept per reader (``reader_cached``) and
kept whole (the signed-in page cache): a watch's write moves ``content``, so
the next view shows the button as it is now, never as it was."""
import pytest

from forge.model import session
from forge.model.session import collection
from forge.notifications.model import Watch
from forge.notifications.watches import add_watch, watch_key
from forge.testing import count_renders, forge_test_settings, smtp_settings

from .conftest import TICKETS, new_ticket
from .test_mail import ticket_doc


@pytest.fixture(params=["kept-content", "whole-page-cache"])
def forge_settings(request, smtp_server):
    """The ticket page kept per reader (``reader_cached``), and also whole
    (the signed-in page cache) in the second run."""
    cache = {"forge.page_cache.max_mb": "0"} if request.param == "kept-content" else {}
    return forge_test_settings(**smtp_settings(smtp_server), **cache)


def watch_button(page):
    return "Unwatch</button>" if "Unwatch</button>" in page.text else "Watch</button>"


def test_a_watch_shows_on_the_next_view_of_a_kept_page(site, login, registry,
                                                        monkeypatch):
    """A watch written alone (no audit entry nor event beside it, as the
    reactor's ``add_watch`` or a script writes it) moves ``content``: a kept
    ticket page shows the button as it is now, never as it was."""
    from tools.tracker import views_ticket
    number = new_ticket(login("mem"), "Kept page")
    dev = login("dev")
    path = TICKETS + "%d/" % number
    dev.get(path)
    renders = count_renders(monkeypatch, views_ticket)
    assert watch_button(dev.get(path)) == "Watch</button>"
    assert views_ticket.CONTENT not in renders           # the page is kept

    ticket_id = ticket_doc(site, number)._id
    add_watch(site["dev"]._id, "artifact", ticket_doc(site, number))
    session.close()
    assert watch_button(dev.get(path)) == "Unwatch</button>"
    collection(Watch).delete_one({"_id": watch_key(site["dev"]._id, ticket_id)})
    session.close()
    assert watch_button(dev.get(path)) == "Watch</button>"

    # and through the buttons themselves
    dev.post_form(path + "@@watch", {}, status=302)
    assert watch_button(dev.get(path)) == "Unwatch</button>"
    dev.post_form(path + "@@unwatch", {}, status=302)
    assert watch_button(dev.get(path)) == "Watch</button>"
