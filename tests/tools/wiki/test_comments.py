"""Comments on wiki pages: the core's threads, with the wiki's default ACL."""
from forge.discussion.model import Post
from forge.model import session

from .conftest import WIKI, create, stored


def test_members_comment_outsiders_wait_for_moderation(site, browse):
    ada = browse("ada")
    create(ada, "Talk", text="discuss")
    page = ada.get(WIKI + "Talk/")
    assert 'id="discussion"' in page.text and 'name="text"' in page.text
    mem = browse("mem")
    response = mem.post_form(WIKI + "Talk/@@post", {"text": "a *member* says"}, status=302)
    assert response.location.startswith("http://localhost/p/demo/wiki/Talk/#post-")
    assert "<em>member</em> says" in browse().get(WIKI + "Talk/").text
    browse("out").post_form(WIKI + "Talk/@@post", {"text": "an outsider says"}, status=302)
    session.close()
    doc = stored(site, "Talk")
    statuses = {p.text: p.status for p in Post.query.find({"ref_id": doc._id})}
    assert statuses == {"a *member* says": "ok", "an outsider says": "pending"}
    assert "an outsider says" not in browse().get(WIKI + "Talk/").text
    assert "an outsider says" in browse("dev").get(WIKI + "Talk/").text   # moderators see it
    # anonymous visitors may read but not post
    anonymous = browse()
    assert "Sign in</a> to comment" in anonymous.get(WIKI + "Talk/").text
    anonymous.post_form(WIKI + "Talk/@@post", {"text": "anon"}, status=403)
