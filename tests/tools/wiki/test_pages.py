"""Wiki pages: home, create, edit, history/diff/revert, 409, sub-pages, lists."""
from forge.model import Snapshot

from .conftest import WIKI, create, edit, stored


def test_home_is_created_on_the_first_visit_of_a_member(site, browse):
    anonymous = browse()
    page = anonymous.get(WIKI)
    assert "has no page “Home”" in page.text
    assert stored(site, "Home") is None
    response = browse("mem").get(WIKI, status=302)
    assert response.location == "http://localhost/p/demo/wiki/Home/"
    home = stored(site, "Home")
    assert home.version == 1 and "Welcome" in home.text
    # from now on the tool's address leads to it, for everyone who may read
    assert anonymous.get(WIKI, status=302).location.endswith("/wiki/Home/")
    assert "Welcome" in anonymous.get(WIKI + "Home/").text
