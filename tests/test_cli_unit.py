"""``forge`` commands in-process (click's CliRunner) on the in-memory mim://
of testing.ini, and the pieces they are built from."""
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyramid.exceptions import ConfigurationError

from forge.cli import main
from forge.cli.runtime import build_settings, configured_database, load_secret
from forge.demo import MARKER_FILE, ensure_demo_site
from forge.settings import DEV_SECRET
from forge.testing import PASSWORD, reset_database

TESTING_INI = str(Path(__file__).resolve().parent.parent / "testing.ini")


@pytest.fixture
def forge_cli(tmp_path, monkeypatch):
    """Invoke ``forge ...`` against a fresh mim:// database; returns the Result."""
    for name in list(os.environ):
        if name.startswith(("FORGE_", "MING_")):
            monkeypatch.delenv(name)
    reset_database({"ming.main.uri": "mim://", "ming.main.database": "forge_test"})
    runner = CliRunner()

    def invoke(*args, input=None):
        return runner.invoke(main, [*args, "--config", TESTING_INI, "--data-dir",
                                    str(tmp_path)], input=input)
    return invoke


def ok(result):
    assert result.exit_code == 0, (result.output, result.exception)
    return result


def refused(result, message, code=1):
    assert result.exit_code == code, result.output
    assert message in result.stderr
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit), result.exception
    return result


def test_create_user_project_subproject_and_tool(forge_cli):
    from forge.model import Project, ToolInstance, User
    assert "Created user ada (site admin)." in ok(forge_cli(
        "admin", "create-user", "ada", "--email", "ada@example.test", "--password-stdin",
        "--site-admin", "--display-name", "Ada", input=PASSWORD + "\n")).output
    ok(forge_cli("admin", "create-project", "demo", "--admin", "ada", "--title", "Demo"))
    assert "Created project /p/demo/docs/ (private)." in ok(forge_cli(
        "admin", "create-project", "docs", "--parent", "demo", "--admin", "ada",
        "--private")).output
    assert "Installed notes at /p/demo/docs/wiki/." in ok(forge_cli(
        "admin", "install-tool", "demo/docs", "notes", "wiki", "--label", "Wiki")).output

    ada = User.by_username("ada")
    assert ada.site_admin and ada.display_name == "Ada"
    docs = Project.query.get(shortname="demo/docs")
    assert docs.title == "docs" and docs.parent_id == Project.query.get(shortname="demo")._id
    tool = ToolInstance.query.get(project_id=docs._id, mount="wiki")
    assert tool.tool == "notes" and tool.label == "Wiki"


def test_created_user_can_sign_in(forge_cli, forge_app, forge_browser):
    ok(forge_cli("admin", "create-user", "ada", "--email", "ada@example.test",
                 "--password-stdin", input=PASSWORD + "\r\n"))
    forge_browser.login("ada")


def test_refusals_are_messages_not_tracebacks(forge_cli):
    ok(forge_cli("admin", "create-user", "ada", "--email", "ada@example.test",
                 "--password-stdin", input=PASSWORD + "\n"))
    ok(forge_cli("admin", "create-project", "demo", "--admin", "ada"))
    refused(forge_cli("admin", "create-project", "demo", "--admin", "ada"),
            "The short name 'demo' is taken.")
    refused(forge_cli("admin", "create-project", "x-", "--admin", "ada"),
            "may contain only lowercase letters")
    refused(forge_cli("admin", "create-project", "new", "--admin", "nobody"),
            "There is no user 'nobody'.")
    refused(forge_cli("admin", "install-tool", "demo", "nonesuch", "x"),
            "There is no tool named 'nonesuch'")
    refused(forge_cli("admin", "install-tool", "demo/missing", "notes", "x"),
            "There is no project 'demo/missing'")
    refused(forge_cli("admin", "create-user", "bob", "--email", "bob@example.test",
                      "--password-stdin", input="\n"), "No password on standard input")
    refused(forge_cli("admin", "create-user", "Bob!", "--email", "bob@example.test",
                      "--password-stdin", input=PASSWORD + "\n"), "A username may contain")
    refused(forge_cli("admin", "create-user", "bob", "--password-stdin", input=PASSWORD),
            "Missing option '--email'", code=2)


def test_ensure_indexes(forge_cli):
    assert "Indexes are in place." in ok(forge_cli("admin", "ensure-indexes")).output


def test_production_without_secret_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.delenv("FORGE_SECRET", raising=False)
    ini = tmp_path / "production.ini"
    ini.write_text("[app:main]\nuse = egg:pyforge\nming.main.uri = mim://\n"
                   "forge.production = true\n")
    result = CliRunner().invoke(main, ["admin", "ensure-indexes", "--config", str(ini),
                                       "--data-dir", str(tmp_path)])
    refused(result, "forge.secret is required when forge.production is true")


def test_configured_database_or_embedded():
    assert configured_database({}, {}) is None
    assert configured_database({"ming.main.uri": "embedded"}, {}) is None
    assert configured_database({"ming.main.uri": "mim://"}, {}) == "mim://"
    assert configured_database({}, {"FORGE_MONGODB_URL": "mongodb://db/"}) == "mongodb://db/"
    assert configured_database({"ming.main.uri": "mim://"},
                               {"MING_MAIN_URI": "mongodb://x/"}) == "mongodb://x/"


def test_secret_is_generated_once_and_private(tmp_path):
    secret = load_secret(str(tmp_path))
    path = tmp_path / "secret"
    assert len(secret) > 40 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(str(tmp_path)) == secret


def test_settings_take_the_data_dir_secret_unless_one_is_configured(tmp_path):
    settings = build_settings({}, str(tmp_path), environ={})
    assert settings["forge.secret"] == load_secret(str(tmp_path)) != DEV_SECRET
    assert settings["forge.data_dir"] == str(tmp_path)
    assert build_settings({"forge.secret": "mine"}, str(tmp_path),
                          environ={})["forge.secret"] == "mine"
    with pytest.raises(ConfigurationError):
        build_settings({"forge.production": "true"}, str(tmp_path), environ={})


def test_demo_site_is_created_once(registry, forge_browser, tmp_path):
    from forge.model import Project, ToolInstance, User
    password = ensure_demo_site(registry, str(tmp_path))
    assert password and (tmp_path / MARKER_FILE).exists()
    assert User.by_username("admin").site_admin
    demo = Project.query.get(shortname="demo")
    docs = Project.query.get(shortname="demo/docs")
    assert docs.parent_id == demo._id
    for project in (demo, docs):
        assert ToolInstance.query.get(project_id=project._id, mount="notes").tool == "notes"
    forge_browser.login("admin", password)
    assert forge_browser.get("/p/demo/docs/").status_int == 200

    assert ensure_demo_site(registry, str(tmp_path)) is None       # the marker
    (tmp_path / MARKER_FILE).unlink()
    assert ensure_demo_site(registry, str(tmp_path)) is None       # admin exists: no password
    assert Project.query.find({"shortname": {"$regex": "^demo"}}).count() == 2
    assert ToolInstance.query.find({"project_id": demo._id}).count() == 5   # notes, wiki, tracker, discussion, code


def test_the_demo_project_has_each_tool_with_sample_content(registry, forge_browser,
                                                           run_reactors, tmp_path):
    password = ensure_demo_site(registry, str(tmp_path))
    run_reactors()
    assert "Welcome to the demo wiki" in forge_browser.get("/p/demo/wiki/Home/").text
    tickets = forge_browser.get("/p/demo/tickets/?q=").text
    assert "Document the wiki" in tickets and "Sign-in form forgets" in tickets
    forum = forge_browser.get("/p/demo/discussion/general/").text
    assert "Welcome!" in forum
    forge_browser.login("admin", password)
    assert forge_browser.get("/p/demo/tickets/1/").status_int == 200


def test_serve_links_name_its_own_address_unless_configured():
    from forge.cli.serve import _use_own_address
    from forge.settings import DEFAULTS

    class Server:
        effective_host, effective_port = "127.0.0.1", 8123
    settings = {"forge.base_url": DEFAULTS["forge.base_url"][0]}
    _use_own_address(settings, Server())
    assert settings["forge.base_url"] == "http://127.0.0.1:8123"
    configured = {"forge.base_url": "https://forge.example.org"}
    _use_own_address(configured, Server())
    assert configured["forge.base_url"] == "https://forge.example.org"
