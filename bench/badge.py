"""The unread-notification badge's cost per signed-in page (in-process mim).

    .venv/bin/python bench/badge.py [-n 200] [--unread 25]

A site that sends no mail; ``mem`` watches a project in which ``dev`` makes
``--unread`` changes (one ticket each), so ``mem`` has that many unread in-app
notifications.  For mem's warm ticket page it prints the database finds and
the CPU ms per request with the badge as built (kept per the session's
generation, ``forge.notifications.in_app``) and, as the baseline in the same
run, counted on every page (the store bypassed: what every page did before).
mim runs in this process, so its CPU is in the figures.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from forge import main  # noqa: E402
from forge.actions.projects import create_project, install_tool  # noqa: E402
from forge.actions.roles import add_member, role_named  # noqa: E402
from forge.actions.users import create_user  # noqa: E402
from forge.model import Neighborhood, session  # noqa: E402
from forge.notifications import in_app  # noqa: E402
from forge.notifications.watches import add_watch  # noqa: E402
from forge.testing import (PASSWORD, ForgeBrowser, count_queries,  # noqa: E402
                           deliver_to_reactors, forge_test_settings, reset_database)
from tools.tracker.actions import create_ticket  # noqa: E402


def build(unread):
    settings = forge_test_settings()
    reset_database(settings)
    app = main({}, **settings)
    registry = app.registry
    ada, mem, dev = (create_user(registry, name, "%s@example.test" % name, PASSWORD)
                     for name in ("ada", "mem", "dev"))
    project = create_project(registry, Neighborhood.query.get(name="p"), "demo", "Demo", ada)
    add_member(registry, project, role_named(project, "Developer"), dev, ada)
    tickets = install_tool(registry, project, "tracker", "tickets", ada)
    add_watch(mem._id, "project", project)
    for number in range(unread):
        create_ticket(registry, project, tickets, {"title": "Change %d" % number,
                                                   "description": "x"}, dev)
    deliver_to_reactors(registry)
    session.close()
    browser = ForgeBrowser(app)
    browser.login("mem")
    return browser


def measure(browser, url, n):
    for _ in range(5):
        browser.get(url)
    with count_queries() as finds:
        browser.get(url)
    cpu = time.process_time()
    for _ in range(n):
        browser.get(url)
    return len(finds), 1000 * (time.process_time() - cpu) / n


def main_():
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--unread", type=int, default=25, help="at least 1 (the page is ticket 1)")
    args = parser.parse_args()
    if args.unread < 1:
        parser.error("--unread must be at least 1")
    browser = build(args.unread)
    url = "/p/demo/tickets/1/"
    badge = browser.get(url).html.select_one("#notifications-link .badge")
    badge = badge.get_text() if badge is not None else "none"
    kept = measure(browser, url, args.n)
    original = in_app.reader_cached
    in_app.reader_cached = lambda request, key, load: load()
    try:
        every_page = measure(browser, url, args.n)
    finally:
        in_app.reader_cached = original
    print("badge %s, %d unread, load average %s" % (badge, args.unread,
                                                    os.getloadavg()[0]))
    print("counted on every page: %d finds, %.2f CPU ms/request" % every_page)
    print("kept per generation:   %d finds, %.2f CPU ms/request" % kept)
    print("ratio (CPU): %.2fx" % (every_page[1] / kept[1]))


if __name__ == "__main__":
    main_()
