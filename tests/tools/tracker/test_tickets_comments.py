"""Comments on tickets: the core's threaded posts, in the ticket's timeline
between the field changes, with attachments, moderation for outsiders and
the ticket's privacy."""
import re

from forge.discussion.model import Post
from forge.model import session

from .conftest import TOOL
from .test_tickets import create, edit_fields


def timeline_text(page):
    html = page.text[page.text.index('id="ticket-timeline"'):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_comment_and_reply_in_the_timeline(login, site):
    mem, dev = login("mem"), login("dev")
    create(mem, "Broken build")
    response = mem.post_form(TOOL + "1/@@post", {"text": "First *comment*"}, status=302)
    assert response.location.startswith("http://localhost/p/demo/tickets/1/#post-")
    fields = edit_fields(dev, 1)
    fields.update(status="accepted")
    dev.post_form(TOOL + "1/@@edit", fields, status=302)
    session.close()
    first = Post.query.get(text="First *comment*")
    dev.post_form(TOOL + "1/@@post", {"text": "A reply", "parent_id": first._id}, status=302)
    dev.post_form(TOOL + "1/@@post", {"text": "Second top-level"}, status=302)
    page = mem.get(TOOL + "1/")
    assert "<em>comment</em>" in page.text
    text = timeline_text(page)
    # created, the first comment (with its reply), the change, the second comment
    order = [text.index(s) for s in ("created the ticket", "First comment", "A reply",
                                     "status : open → accepted", "Second top-level")]
    assert order == sorted(order)
    reply = page.text.index("A reply")
    assert page.text.rindex('class="replies"', 0, reply) > page.text.index("First")
    assert 'id="post-form-new"' in page.text          # the comment form


def test_outsider_comment_waits_for_a_moderator(login, site):
    create(login("mem"), "Question")
    out = login("out")
    out.post_form(TOOL + "1/@@post", {"text": "outsider says hi"}, status=302)
    session.close()
    assert Post.query.get(text="outsider says hi").status == "pending"
    assert "outsider says hi" not in login("mem2").get(TOOL + "1/").text
    assert "outsider says hi" in out.get(TOOL + "1/").text         # its author sees it
    dev = login("dev")
    page = dev.get(TOOL + "1/")
    assert "outsider says hi" in page.text and "Approve" in page.text
    assert "Sign in</a> to comment" in login().get(TOOL + "1/").text


def test_comment_with_attachment(login, site):
    mem = login("mem")
    create(mem, "With a log")
    mem.post_form(TOOL + "1/@@post", {"text": "log attached"},
                  upload_files=[("attachment", "build.log", b"line 1\nline 2\n")], status=302)
    page = mem.get(TOOL + "1/")
    link = re.search(r'href="(http://localhost/p/demo/tickets/1/@@attachment/[^"]+)"',
                     page.text)
    assert link and "build.log" in link.group(1)
    served = mem.get(link.group(1))
    assert served.body == b"line 1\nline 2\n"
    assert served.headers["X-Content-Type-Options"] == "nosniff"


def test_comments_on_a_private_ticket_are_private(login, site):
    mem = login("mem")
    create(mem, "Secret", private="on")
    mem.post_form(TOOL + "1/@@post", {"text": "secret comment"}, status=302)
    assert "secret comment" in login("dev").get(TOOL + "1/").text
    login("mem2").post_form(TOOL + "1/@@post", {"text": "x"}, status=404)
    login("mem2").get(TOOL + "1/", status=404)


def test_ticket_page_reads_do_not_grow_with_comments_or_changes(login, site):
    from forge.testing import count_queries
    mem, dev = login("mem"), login("dev")
    create(mem, "Busy")
    create(mem, "Quiet")
    for i in range(20):
        (mem if i % 2 else dev).post_form(TOOL + "1/@@post", {"text": "comment %d" % i},
                                          status=302)
    for i, status in enumerate(("accepted", "in-progress", "open", "accepted")):
        dev.post_form(TOOL + "1/@@status", {"status": status, "version": str(i + 1)},
                      status=302)
    mem.post_form(TOOL + "2/@@post", {"text": "only one"}, status=302)
    for url in (TOOL + "1/", TOOL + "2/"):
        mem.get(url)                                   # warm the caches
    with count_queries() as busy:
        page = mem.get(TOOL + "1/")
    assert page.text.count('class="post"') + page.text.count('class="post ') >= 20
    with count_queries() as quiet:
        mem.get(TOOL + "2/")
    assert len(busy) <= len(quiet) + 1, (busy, quiet)
