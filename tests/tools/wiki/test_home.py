"""An empty wiki's home: a GET never writes (it used to create the home page
on the first visit of a Member); the empty state offers a button that does,
with a POST."""
from forge.model import session
from forge.model.session import collection

from tools.wiki.model import WikiPage

from .conftest import WIKI, create, stored


def database_counts():
    """{collection: number of documents} of the whole database."""
    session.close()
    database = collection(WikiPage).database
    return {name: database[name].count_documents({})
            for name in database.list_collection_names()}


def test_a_get_on_an_empty_wiki_writes_nothing(site, browse):
    mem = browse("mem")
    before = database_counts()
    page = mem.get(WIKI, status=200)
    assert "has no page “Home”" in page.text
    assert "Create “Home”" in page.text                 # a member may create it
    assert database_counts() == before
    assert stored(site, "Home") is None
    # the button posts, and that makes the page
    response = page.forms["create-home"].submit(status=302)
    assert response.location == "http://localhost/p/demo/wiki/Home/"
    home = stored(site, "Home")
    assert home.author_id == site["mem"]._id and "Welcome to the wiki" in home.text
    assert mem.get(WIKI, status=302).location == "http://localhost/p/demo/wiki/Home/"


def test_the_empty_state_is_the_same_whatever_holds_an_unreadable_home(site, browse):
    """A private Home a member may not read: the same empty state as none,
    and the button's refusal tells nothing either."""
    mem = browse("mem")
    empty = mem.get(WIKI).text
    create(browse("ada"), "Home", text="secret home", private="on")
    page = mem.get(WIKI)
    assert page.text == empty.replace(*_csrf_pair(empty, page.text))
    refused = page.forms["create-home"].submit(status=400)
    assert "The name “Home” is not available here" in refused.text
    assert "already" not in refused.text


def test_readers_who_may_not_create_get_no_button(site, browse):
    assert "Create “Home”" not in browse().get(WIKI).text
    assert "Create “Home”" not in browse("out").get(WIKI).text
    browse().post(WIKI + "@@create-home", status=(400, 403))
    assert stored(site, "Home") is None


def _csrf_pair(first, second):
    """(token in first, token in second): the pages differ in nothing else."""
    import re
    find = re.compile(r'name="csrf_token" value="([^"]*)"')
    return find.search(first).group(1), find.search(second).group(1)
