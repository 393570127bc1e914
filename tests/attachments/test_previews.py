"""Image attachments are previewed on the artifact page; nothing else is."""
import re

import pytest

from forge.actions.projects import install_tool
from forge.model import session
from forge.testing import ForgeBrowser

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40
PAGE = "/p/demo/wiki/Home/"


@pytest.fixture
def site(registry, make_user, make_project):
    from tools.wiki.actions import create_page
    ada = make_user("ada")
    project = make_project("demo", ada)
    tool = install_tool(registry, project, "wiki", "wiki", ada)
    create_page(registry, project, tool, "Home", "Home", "Welcome", ada)
    session.close()


def test_only_images_served_inline_are_previewed(forge_app, site):
    ada = ForgeBrowser(forge_app)
    ada.login("ada")
    ada.post_form(PAGE + "@@attach", {}, status=302, upload_files=[
        ("attachment", name, data) for name, data in (
            ("shot.png", PNG), ("fake.png", b"<html><script>alert(1)</script>"),
            ("evil.svg", b"<svg onload=alert(1)></svg>"))])
    html = ForgeBrowser(forge_app).get(PAGE).text
    assert "fake.png" in html and "evil.svg" in html
    previews = re.findall(r'<a class="attachment-preview" href="([^"]+)"><img src="([^"]+)" '
                          r'alt="([^"]+)"', html)
    assert [(alt, href == src, src.endswith("/shot.png")) for href, src, alt in previews] == [
        ("shot.png", True, True)]
    # the preview is the file the page links to, served as an image
    assert ForgeBrowser(forge_app).get(previews[0][1].replace("http://localhost", "")).headers[
        "Content-Type"] == "image/png"
