"""axe-core (the engine of Lighthouse's accessibility audit, the copy shipped
in the axe-playwright-python package: no CDN) over the everyday pages, for a
visitor and for a signed-in developer: no violation of WCAG 2 A/AA rules
rated serious or critical."""
import pathlib

import pytest

from .conftest import login, project_url, shot

pytestmark = pytest.mark.browser

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")


def axe_source():
    import axe_playwright_python
    return (pathlib.Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def violations(page):
    """Serious and critical violations on the page, as readable lines.
    ``evaluate`` runs over the DevTools protocol: the page's CSP (no inline
    script) does not stop it, and nothing is added to the page's DOM."""
    page.evaluate(axe_source())
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    found = []
    for violation in result["violations"]:
        if violation["impact"] in FAILING_IMPACTS:
            targets = ", ".join(str(node["target"]) for node in violation["nodes"][:5])
            found.append("%s (%s): %s — %s" % (violation["id"], violation["impact"],
                                               violation["help"], targets))
    return found


@pytest.fixture(scope="module")
def a11y_world(live_registry):
    """A project with a ticket, a wiki page and a forum thread, made once."""
    from forge.model import Project, ToolInstance, User, session
    from tools.tracker.actions import create_ticket
    from .conftest import Seed
    seed = Seed(live_registry)
    owner = seed.user("ally")
    project = seed.project(owner, prefix="a11y", tools=[("tracker", "tickets"),
                                                       ("wiki", "wiki"),
                                                       ("discussion", "forums")])
    tool = ToolInstance.query.get(project_id=project._id, mount="tickets")
    create_ticket(live_registry, Project.query.get(_id=project._id), tool, {
        "title": "A ticket to look at", "description": "Some *text*.", "labels": ["ui"],
        "custom": {}, "ext": {}}, User.query.get(_id=owner._id))
    session.close()
    return owner.username, project_url(project)


# one page of each kind (a list, an artifact, a form, a settings table)
VISITOR_PAGES = ["/", "/@@signup", "/@@search?q=ticket", "{p}tickets/", "{p}tickets/1/",
                 "{p}forums/"]
MEMBER_PAGES = ["/", "/@@account", "{p}tickets/@@new", "{p}@@permissions", "{p}wiki/@@new"]


@pytest.mark.parametrize("path", VISITOR_PAGES)
def test_visitor_pages_have_no_serious_accessibility_violations(page, a11y_world, path):
    _owner, base = a11y_world
    page.goto(path.format(p=base))
    found = violations(page)
    shot(page, "a11y-visitor-" + (path.strip("/{}").replace("/", "-").replace("@@", "")
                                  .replace("?", "-").replace("=", "") or "front"))
    assert not found, "\n".join(found)


@pytest.mark.parametrize("path", MEMBER_PAGES)
def test_signed_in_pages_have_no_serious_accessibility_violations(page, a11y_world, path):
    owner, base = a11y_world
    login(page, owner)
    page.goto(path.format(p=base))
    found = violations(page)
    shot(page, "a11y-admin-" + (path.strip("/{}").replace("/", "-").replace("@@", "")
                                or "dashboard"))
    assert not found, "\n".join(found)
