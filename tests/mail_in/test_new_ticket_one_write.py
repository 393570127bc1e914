"""A new ticket (by mail here; the web shares ``create_artifact``) is one
insert of its document, its reporter included: no update after it."""
import os

import pytest
from ming import mim

from forge.model import session

from .conftest import DOMAIN, new_mail, send
from .test_new_by_mail_commands import ticket_titles
from .test_tickets import forge_settings, tickets  # noqa: F401

pytestmark = pytest.mark.skipif(bool(os.environ.get("FORGE_TEST_MONGODB_URL")),
                                reason="counts mim's writes")


def test_a_new_ticket_is_inserted_with_its_reporter(registry, site, tickets, monkeypatch,
                                                    mail_in):
    from tools.tracker.model import Ticket
    writes = []
    for method in ("insert_one", "update_one", "replace_one", "find_one_and_update"):
        real = getattr(mim.Collection, method)

        def counting(self, *args, _real=real, _method=method, **kw):
            if self.name == "artifact":
                writes.append(_method)
            return _real(self, *args, **kw)
        monkeypatch.setattr(mim.Collection, method, counting)
    address = "tickets.demo@" + DOMAIN
    send(mail_in, new_mail("mem@example.test", address, "Crash", "Text"), [address],
         sender="mem@example.test")
    assert ticket_titles(tickets) == ["Crash"] and writes == ["insert_one"]
    session.close()
    ticket = Ticket.query.get(tool_id=tickets._id, number=1)
    assert ticket.reporter_id == ticket.author_id == site["mem"]._id
