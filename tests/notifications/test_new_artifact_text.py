"""A new artifact's mail quotes its text (a ticket's description, a page's
text), as a comment's mail quotes the comment: watchers of the tracker learn
what the new ticket says without opening it.  Only readers are mailed."""
from tools.wiki.actions import create_page

from .conftest import TICKETS, body, new_ticket


def test_a_new_ticket_mail_quotes_its_description(site, login, mail):
    login("dev").post_form(TICKETS + "@@watch", {}, status=302)
    new_ticket(login("mem"), "Crash on start", "It crashes\n\nwhen the disk is full.")
    sent = mail()
    assert list(sent) == ["dev@example.test"]
    text = body(sent["dev@example.test"][0])
    assert "Crash on start: created by" in text
    assert "It crashes when the disk is full." in text


def test_a_new_page_mail_quotes_its_text(site, login, mail, registry):
    login("out").post_form("/p/demo/@@watch", {}, status=302)
    create_page(registry, site["project"], site["wiki"], "Setup", "Setup",
                "Install **it** first.", site["ada"])
    assert "Install **it** first." in body(mail()["out@example.test"][0])


def test_a_private_ticket_text_reaches_only_its_readers(site, login, mail):
    for name in ("out", "dev"):
        login(name).post_form(TICKETS + "@@watch", {}, status=302)
    new_ticket(login("ada"), "Hole", "the secret detail", private=True)
    sent = mail()
    assert list(sent) == ["dev@example.test"]
    assert "the secret detail" in body(sent["dev@example.test"][0])


def test_a_long_description_is_cut(site, login, mail):
    login("dev").post_form(TICKETS + "@@watch", {}, status=302)
    new_ticket(login("mem"), "Long", "word " * 600)
    text = body(mail()["dev@example.test"][0])
    assert "…" in text and text.count("word") < 260
