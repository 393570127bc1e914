"""The @@bus admin page: site admins only, counters per reactor."""
from forge.bus.processed import add_stats


def test_site_admin_sees_counters(forge_browser, make_user):
    make_user("root", site_admin=True)
    add_stats("mailer", {"processed": 7, "failed": 2, "retried": 2, "dead_lettered": 1},
              lag_seconds=0.25)
    forge_browser.login("root")
    page = forge_browser.get("/@@bus")
    assert "Message bus" in page.text
    row = page.html.find("table", id="reactors").find("td", string="mailer").parent
    cells = [td.get_text() for td in row.find_all("td")]
    assert cells[2:7] == ["7", "2", "2", "1", "0.250"]


def test_others_may_not(forge_browser, make_user):
    make_user("ada")
    forge_browser.get("/@@bus", status=302)          # anonymous: sign in first
    forge_browser.login("ada")
    forge_browser.get("/@@bus", status=403)
