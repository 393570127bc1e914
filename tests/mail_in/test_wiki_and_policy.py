"""Comments by mail to a wiki page's own address and as replies to wiki
mail; a tool's mail policy (refused at RCPT, moderated: held messages and
held comments), set and moderated on the tool's ``@@mail-in`` page."""
import smtplib

import gridfs
import pytest

from forge.discussion.model import Post
from forge.mail_in.addresses import artifact_address
from forge.mail_in.model import InboundMail, read_raw
from forge.mail_in.policy import set_mail_policy
from forge.model import ToolInstance, session
from forge.model.session import collection

from .conftest import DOMAIN, body, new_mail, node_at, send

FORUMS = "forums.demo@" + DOMAIN




@pytest.fixture
def page(registry, site):
    """The wiki page "Guide", written by ada; its mail address."""
    from forge.artifact_actions import create_artifact
    from tools.wiki.model import WikiPage
    doc = create_artifact(registry, WikiPage, site["project"], site["wiki"], None, "Guide",
                          {"title": "Guide", "text": "How to build."}, site["ada"])
    session.close()
    return doc, artifact_address(registry.settings, "demo", "wiki", doc._id)


def posts_on(doc_id):
    session.close()
    return list(collection(Post).find({"ref_id": doc_id}).sort("slug", 1))


def policy(registry, site, mount, value):
    session.close()
    tool = ToolInstance.query.get(project_id=site["project"]._id, mount=mount)
    set_mail_policy(registry, tool, value, site["ada"])
    session.close()


def test_mail_to_a_page_address_comments_on_it(registry, site, page, login, mail, mail_in):
    doc, address = page
    assert address == "wiki.demo+%s@%s" % (doc._id, DOMAIN)
    login("dev").post_form("/p/demo/wiki/Guide/@@watch", {}, status=302)
    mail()
    send(mail_in, new_mail("Mem <mem@example.test>", address, "About the guide",
                          "Step 3 needs sudo."), [address], sender="mem@example.test")
    [post] = [p for p in posts_on(doc._id) if p["author_id"] == site["mem"]._id]
    assert post["text"] == "Step 3 needs sudo." and post["status"] == "ok"
    assert "Step 3 needs sudo." in login("out").get("/p/demo/wiki/Guide/").text
    record = InboundMail.query.get(post_id=post["_id"])
    assert record.kind == "comment" and record.status == "applied"
    # the page's watchers are told, the commenter is not
    assert sorted(mail()) == ["ada@example.test", "dev@example.test"]
    # a stranger's address is no account: refused at DATA, nothing saved
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(mail_in, new_mail("who@example.test", address, "Hi", "Spam."), [address],
             sender="who@example.test")
    assert refused.value.smtp_code == 550 and b"verified address" in refused.value.smtp_error
    assert len(posts_on(doc._id)) == 1


def test_a_reply_to_wiki_mail_comments_on_the_page(registry, site, page, login, mail,
                                                   mail_in):
    from forge.artifact_actions import save_artifact
    from tools.wiki.model import WikiPage
    doc, _address = page
    login("mem").post_form("/p/demo/wiki/Guide/@@watch", {}, status=302)
    mail()
    current = WikiPage.query.get(_id=doc._id)
    save_artifact(registry, current, current.version, {"text": "How to build, v2."},
                  site["ada"])
    [to_mem] = mail()["mem@example.test"]
    assert to_mem["Reply-To"].startswith("reply+")
    reply = new_mail("mem@example.test", to_mem["Reply-To"], "Re: " + to_mem["Subject"],
                    "Much clearer now.\n\nOn Mon, PyForge wrote:\n> " + body(to_mem)[:40])
    send(mail_in, reply, [to_mem["Reply-To"]], sender="mem@example.test")
    assert [p["text"] for p in posts_on(doc._id)] == ["Much clearer now."]
    assert mail().keys() == {"ada@example.test"}        # the author watches; mem is not told


def test_page_addresses_that_name_nothing_are_refused_at_rcpt(registry, site, page, mail_in):
    from forge.artifact_actions import create_artifact
    from tools.notes.model import Note
    doc, address = page
    note = create_artifact(registry, Note, site["project"], site["notes"], None, "plan",
                           {"title": "Plan", "text": "v1"}, site["ada"])
    session.close()
    for wrong in ("notes.demo+%s@%s" % (note._id, DOMAIN),    # notes take no comments
                  "wiki.demo+%s@%s" % (note._id, DOMAIN),     # not the wiki's artifact
                  "forums.demo+%s@%s" % (doc._id, DOMAIN),    # not the forums' either
                  "wiki.demo+%s@%s" % ("0" * 24, DOMAIN), "wiki.demo+Guide@" + DOMAIN):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(mail_in, new_mail("ada@example.test", wrong, "Hi", "Text"), [wrong],
                 sender="ada@example.test")
        assert refused.value.recipients[wrong][0] == 550, wrong


def test_a_refusing_tool_is_refused_at_rcpt(registry, site, page, mail_in):
    _doc, address = page
    policy(registry, site, "forums", "refused")
    policy(registry, site, "wiki", "refused")
    for to in (FORUMS, address):
        with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
            send(mail_in, new_mail("mem@example.test", to, "Hi", "Text"), [to],
                 sender="mem@example.test")
        code, text = refused.value.recipients[to]
        assert code == 550 and b"takes no mail" in text


def test_a_moderated_wiki_holds_comments(registry, site, page, login, mail, mail_in):
    doc, address = page
    policy(registry, site, "wiki", "moderated")
    mail()
    with smtplib.SMTP(*mail_in.address) as client:
        client.ehlo()
        client.mail("mem@example.test")
        client.rcpt(address)
        code, text = client.data(new_mail("mem@example.test", address, "Re", "Held?")
                                 .as_bytes())
    assert code == 250 and b"moderator" in text
    [post] = posts_on(doc._id)
    assert post["status"] == "pending" and mail() == {}


def threads():
    from tools.discussion.model import ForumThread
    session.close()
    return ForumThread.query.find({"type": "discussion.thread", "deleted": False}).all()


def held_form(page, action, record_id):
    """The Approve or Discard form of one held message on ``@@mail-in``."""
    [form] = [f for f in page.forms.values()
              if getattr(f.get("form", default=None), "value", None) == action
              and f.get("id").value == record_id]
    return form


def test_a_moderated_tool_holds_new_items_for_approval(registry, site, login, mail, mail_in):
    ada = login("ada")
    page = ada.get("/p/demo/forums/@@mail-in")
    form = page.forms["mail-policy-form"]
    form["policy"] = "moderated"
    form.submit(status=302)
    session.close()
    assert ToolInstance.query.get(_id=site["forums"]._id).options["mail_in"] == "moderated"
    for subject in ("Please add ARM builds", "Buy cheap watches"):
        send(mail_in, new_mail("mem@example.test", FORUMS, subject, "Text of " + subject),
             [FORUMS], sender="mem@example.test")
    assert threads() == []                              # nothing shows yet
    held = {r.subject: r for r in InboundMail.query.find({"status": "held"})}
    assert sorted(held) == ["Buy cheap watches", "Please add ARM builds"]
    # a member may not moderate; an admin sees the queue
    login("mem").get("/p/demo/forums/@@mail-in", status=403)
    page = ada.get("/p/demo/forums/@@mail-in")
    assert "Please add ARM builds" in page.text and "mem@example.test" in page.text
    held_form(page, "approve", held["Please add ARM builds"]._id).submit(status=302)
    [thread] = threads()
    assert thread.title == "Please add ARM builds" and thread.author_id == site["mem"]._id
    session.close()
    applied = InboundMail.query.get(_id=held["Please add ARM builds"]._id)
    assert applied.status == "applied" and applied.artifact_id == thread._id
    # discarding deletes the record and its raw message
    page = ada.get("/p/demo/forums/@@mail-in")
    held_form(page, "discard", held["Buy cheap watches"]._id).submit(status=302)
    session.close()
    assert InboundMail.query.get(_id=held["Buy cheap watches"]._id) is None
    # a short message is kept in its record (gone with it), a long one in GridFS
    if held["Buy cheap watches"].raw_file_id is not None:
        with pytest.raises(gridfs.errors.NoFile):
            read_raw(held["Buy cheap watches"].raw_file_id)
    else:
        assert held["Buy cheap watches"].raw is not None
    assert "No mail is waiting" in ada.get("/p/demo/forums/@@mail-in").text
    # approving what is no longer waiting is a 404 page, not a 500
    response = ada.post("/p/demo/forums/@@mail-in", {
        "form": "approve", "id": held["Buy cheap watches"]._id,
        "csrf_token": page.forms["mail-policy-form"]["csrf_token"].value}, status=404)
    assert "no longer waiting" in response.text


def test_the_mail_page_and_policy_are_for_admins(registry, site, login):
    login("out").get("/p/demo/forums/@@mail-in", status=403)
    login("dev").get("/p/demo/notes/@@mail-in", status=403)
    page = login("ada").get("/p/demo/notes/@@mail-in")
    assert "notes.demo@" + DOMAIN in page.text
    assert "Replies to this tool" not in page.text          # notes take no comments
    assert "Replies to this tool" in login("ada").get("/p/demo/forums/@@mail-in").text
    form = page.forms["mail-policy-form"]
    form["policy"].force_value("anything")
    refused = form.submit(status=400)
    assert "Choose one of" in refused.text


def test_request_mail_address_for_pages_that_show_one(registry, site, page):
    """``request.mail_address(node)``: the page's address for a reader who may
    comment, the tool's for one who may create; None otherwise."""
    from forge.mail_in.request_address import mail_address
    from forge.notifications.messages import mail_request
    from forge.security import user_principals
    doc, address = page
    session.close()
    with mail_request(registry) as request:
        wiki_page = node_at(registry, "/p/demo/wiki/Guide/")
        notes, forums = node_at(registry, "/p/demo/notes/"), node_at(registry, "/p/demo/forums/")
        assert mail_address(request, wiki_page) is None         # anonymous may not comment
        request.principals = user_principals(site["mem"])
        assert request.mail_address(wiki_page) == address
        assert mail_address(request, notes) == "notes.demo@" + DOMAIN
        assert mail_address(request, node_at(registry, "/p/demo/")) is None
        policy(registry, site, "wiki", "refused")
        assert mail_address(request, node_at(registry, "/p/demo/wiki/Guide/")) is None
        request.principals = user_principals(site["out"])      # no role: may not create
        assert mail_address(request, forums) is None


def test_the_page_shows_its_address_to_those_who_may_comment(site, page, login):
    doc, address = page
    shown = login("mem").get("/p/demo/wiki/Guide/").html.select_one("#comment-by-mail a")
    assert shown is not None and shown.get_text() == address
    assert shown["href"] == "mailto:" + address
    # a visitor may not comment: no address (and the cached page keeps none)
    assert "comment-by-mail" not in login().get("/p/demo/wiki/Guide/").text
