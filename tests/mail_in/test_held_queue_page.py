"""The held queue on ``@@mail-in``: each button names the message it acts on
(a screen reader moving from button to button hears which), and a queue
longer than a page says more are waiting."""
from forge.mail_in import held
from forge.mail_in.model import InboundMail
from forge.model import session



def hold(site, count):
    for number in range(count):
        InboundMail(kind="new", status="held", sender="mem@example.test",
                    envelope_from="mem@example.test", recipient="forums.demo@x.test",
                    subject="Question %d" % number, user_id=site["mem"]._id,
                    project_id=site["project"]._id, tool_id=site["forums"]._id,
                    raw=b"Subject: q\r\n\r\nq\r\n", length=17)
    session.flush()
    session.close()


def test_each_button_names_its_message(site, login):
    hold(site, 2)
    page = login("ada").get("/p/demo/forums/@@mail-in")
    labels = [b.get("aria-label") for b in page.html.select("#held-mail button")]
    assert labels == ["Approve “Question 0” from mem@example.test",
                      "Discard “Question 0” from mem@example.test",
                      "Approve “Question 1” from mem@example.test",
                      "Discard “Question 1” from mem@example.test"]
    assert page.html.select_one("#held-mail th .visually-hidden").text == "Actions"
    assert page.html.find(id="more-held-mail") is None


def test_a_long_queue_says_more_are_waiting(site, login, monkeypatch):
    monkeypatch.setattr(held, "PAGE", 3)
    monkeypatch.setattr("forge.mail_in.views.PAGE", 3)
    hold(site, 4)
    page = login("ada").get("/p/demo/forums/@@mail-in")
    assert len(page.html.select("#held-mail tbody tr")) == 3
    assert "more are" in page.html.find(id="more-held-mail").text
