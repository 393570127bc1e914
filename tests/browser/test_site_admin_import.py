"""A site admin imports a project archive in a real browser: the upload form
in the site admin menu, a bad archive refused with the record named, the dry
run of a good one, the import in the worker, the imported project's page."""
import pytest

from .conftest import login, shot

pytestmark = pytest.mark.browser


def exported(registry, project, path):
    from forge.archive import export_project
    from forge.model import session
    export_project(registry, project._id, str(path))
    session.close()
    return path


def test_a_site_admin_checks_and_imports_an_archive(run_reactors, page, seed, live_registry,
                                                    tmp_path):
    root = seed.user("boss", site_admin=True)
    owner = seed.user("own")
    project = seed.project(owner, prefix="exp", title="Exported project",
                           tools=[("notes", "notes")])
    seed.note(project, "notes", "Carried over", text="This note travels.")
    archive = exported(live_registry, project, tmp_path / "project.zip")
    broken = tmp_path / "broken.zip"
    broken.write_bytes(archive.read_bytes()[:200])
    copy_name = project.shortname + "-copy"

    login(page, root.username)
    page.goto("/@@admin")
    with page.expect_navigation():
        page.get_by_role("navigation", name="Site administration").get_by_role(
            "link", name="Import").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Import a project"

    # a broken archive: the error, the options kept, nothing to confirm
    page.get_by_label("Archive (.zip)").set_input_files(str(broken))
    page.get_by_label("New path").fill(copy_name)
    with page.expect_navigation():
        page.get_by_role("button", name="Check the archive").click()
    assert "not a readable archive" in page.locator("#import-error").inner_text()
    assert page.get_by_label("New path").input_value() == copy_name
    assert page.get_by_role("button", name="Import it").count() == 0

    # a good one: the dry run says what it would create
    page.get_by_label("Archive (.zip)").set_input_files(str(archive))
    page.get_by_label("People without an account here").select_option("create")
    with page.expect_navigation():
        page.get_by_role("button", name="Check the archive").click()
    plan = page.locator(".import-plan").first
    text = plan.inner_text()
    assert "Dry run: the archive is valid; nothing was written." in text
    assert "/p/%s/" % copy_name in text
    shot(page, "site-admin-import-dry-run")
    assert page.request.get("/p/%s/" % copy_name).status == 404

    with page.expect_navigation():
        plan.get_by_role("button", name="Import it").click()
    assert "queued" in page.locator("#import-list").inner_text()
    run_reactors()
    page.goto("/@@admin-import")
    state = page.locator("#import-list .import-state").first
    assert "imported as /p/%s/" % copy_name in state.inner_text()
    shot(page, "site-admin-import-done")
    with page.expect_navigation():
        state.get_by_role("link").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Exported project"
    page.goto("/p/%s/notes/carried-over/" % copy_name)
    assert "This note travels." in page.locator("main").inner_text()
