"""``/@@metrics`` (``forge.metrics``): who may read it, what it counts, and
that its labels are a bounded set fixed by the code (never a URL or a name)."""
import os
import subprocess
import sys

import pytest
from prometheus_client.parser import text_string_to_metric_families

from forge.metrics import ForgeMetrics, allowed_addresses
from forge.model import session
from forge.testing import ForgeBrowser

ELSEWHERE = {"REMOTE_ADDR": "203.0.113.9"}


def families(text):
    return {family.name: family for family in text_string_to_metric_families(text)}


def request_series(text):
    """(view, method, status) -> request count."""
    family = families(text)["forge_request_seconds"]
    return {(s.labels["view"], s.labels["method"], s.labels["status"]): s.value
            for s in family.samples if s.name == "forge_request_seconds_count"}


def counted(forge_app):
    """The request counts so far (the app, and so its metrics, is shared by tests)."""
    return request_series(admin(forge_app).get("/@@metrics", extra_environ=ELSEWHERE).text)


def added(before, after):
    return {key: value - before.get(key, 0) for key, value in after.items()
            if value != before.get(key, 0)}


@pytest.fixture
def people(make_user, make_project):
    root = make_user("root", site_admin=True)
    ada = make_user("ada")
    make_project("secretorchard", ada, title="Secret Orchard")
    session.close()
    return {"root": root, "ada": ada}


def admin(forge_app):
    browser = ForgeBrowser(forge_app)
    browser.login("root")
    return browser


def test_visitors_and_members_are_refused(forge_app, people):
    anonymous = ForgeBrowser(forge_app)
    response = anonymous.get("/@@metrics", extra_environ=ELSEWHERE, status=(302, 403))
    assert "forge_request_seconds" not in response.text
    member = ForgeBrowser(forge_app)
    member.login("ada")
    response = member.get("/@@metrics", extra_environ=ELSEWHERE, status=403)
    assert "forge_request_seconds" not in response.text


def test_site_admins_read_the_text_format(forge_app, people):
    response = admin(forge_app).get("/@@metrics", extra_environ=ELSEWHERE, status=200)
    assert response.headers["Content-Type"].startswith("text/plain")
    assert response.headers["Cache-Control"] == "no-store"
    found = families(response.text)
    for name in ("forge_request_seconds", "forge_bus_unsent_events",
                 "forge_bus_oldest_unsent_seconds", "forge_bus_queue_depth",
                 "forge_bus_dead_letters", "forge_bus_reactor_lag_seconds"):
        assert name in found, name
    dead = {s.labels["reactor"] for s in found["forge_bus_dead_letters"].samples}
    assert "forge.search" in dead


def test_an_allowed_address_needs_no_sign_in(forge_app, people, monkeypatch):
    monkeypatch.setattr(forge_app.registry, "forge_metrics_allow", {"192.0.2.7"})
    anonymous = ForgeBrowser(forge_app)
    anonymous.get("/@@metrics", extra_environ={"REMOTE_ADDR": "192.0.2.7"}, status=200)
    anonymous.get("/@@metrics", extra_environ=ELSEWHERE, status=(302, 403))


def test_the_allow_list_setting_and_its_environment_override(monkeypatch):
    monkeypatch.delenv("FORGE_METRICS_ALLOW", raising=False)
    assert allowed_addresses({}) == set()
    assert allowed_addresses({"forge.metrics.allow": "127.0.0.1\n10.0.0.5"}) == {
        "127.0.0.1", "10.0.0.5"}
    monkeypatch.setenv("FORGE_METRICS_ALLOW", "::1")
    assert allowed_addresses({"forge.metrics.allow": "127.0.0.1"}) == {"::1"}


def test_latency_is_labelled_by_view_never_by_url(forge_app, people):
    before = counted(forge_app)
    visitor = ForgeBrowser(forge_app)
    visitor.get("/p/secretorchard/", status=200)
    for n in range(30):
        visitor.get("/p/secretorchard/hidden-page-%d/" % n, status=404)
        visitor.get("/@@no-such-view-%d" % n, status=404)
    text = admin(forge_app).get("/@@metrics", extra_environ=ELSEWHERE).text
    assert "secretorchard" not in text and "hidden-page" not in text
    assert "no-such-view" not in text
    series = added(before, request_series(text))
    views = {view for view, _, _ in series}
    # sixty different URLs that found nothing are one series: the not-found view's
    not_found = [key for key in series if key[2] == "4xx"]
    assert len(not_found) == 1 and series[not_found[0]] == 60
    assert any(view.startswith("forge.views.") and "project" in view for view in views), views


def test_a_page_from_the_page_cache_is_labelled_so(forge_app, people):
    before = counted(forge_app)
    visitor = ForgeBrowser(forge_app)
    first = visitor.get("/p/secretorchard/", status=200)
    second = visitor.get("/p/secretorchard/", status=200)
    assert (first.headers.get("X-Forge-Page-Cache"),
            second.headers.get("X-Forge-Page-Cache")) == ("miss", "hit")
    assert added(before, counted(forge_app))[("page_cache", "GET", "2xx")] == 1


def test_health_is_counted_without_a_view(forge_app, people):
    before = counted(forge_app)
    ForgeBrowser(forge_app).get("/@@health", status=200)
    assert added(before, counted(forge_app))[("none", "GET", "2xx")] == 1


def test_odd_methods_share_one_label():
    metrics = ForgeMetrics(registry=None)
    metrics.observe("v", "BREW", 418, 0.1)
    metrics.observe("v", "PROPFIND", 405, 0.1)
    samples = [s for family in metrics.own.collect() for s in family.samples
               if s.name == "forge_request_seconds_count"]
    assert [(s.labels["method"], s.labels["status"], s.value) for s in samples] == [
        ("other", "4xx", 2.0)]


OBSERVE = """
from forge.metrics import ForgeMetrics
ForgeMetrics(registry=None).observe("forge.views.site.home", "GET", 200, 0.02)
"""


def test_several_processes_add_up_in_multiprocess_mode(tmp_path):
    """With PROMETHEUS_MULTIPROC_DIR every process writes its observations to
    files there; a scrape of any one process sums them (docs/deploy.md)."""
    env = dict(os.environ, PROMETHEUS_MULTIPROC_DIR=str(tmp_path))
    for _ in range(2):
        subprocess.run([sys.executable, "-c", OBSERVE], env=env, check=True, timeout=120)
    summed = subprocess.run(
        [sys.executable, "-c", "from prometheus_client import CollectorRegistry, "
         "generate_latest, multiprocess\nr = CollectorRegistry()\n"
         "multiprocess.MultiProcessCollector(r)\nprint(generate_latest(r).decode())"],
        env=env, check=True, timeout=120, capture_output=True, text=True).stdout
    assert request_series(summed)[("forge.views.site.home", "GET", "2xx")] == 2
