"""``forge admin install-tool demo code code`` makes a repository a git client
can push to and clone from; uninstalling takes its directory away."""
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from forge.cli import main
from forge.testing import reset_database

TESTING_INI = str(Path(__file__).resolve().parents[3] / "testing.ini")


@pytest.fixture
def forge_cli(tmp_path, monkeypatch):
    for name in list(os.environ):
        if name.startswith(("FORGE_", "MING_")):
            monkeypatch.delenv(name)
    reset_database({"ming.main.uri": "mim://", "ming.main.database": "forge_test"})
    runner = CliRunner()

    def invoke(*args, input=None):
        result = runner.invoke(main, [*args, "--config", TESTING_INI, "--data-dir",
                                      str(tmp_path / "data")], input=input)
        assert result.exit_code == 0, (result.output, result.exception)
        return result
    return invoke


def test_install_tool_code_makes_a_bare_repository(forge_cli, tmp_path):
    from forge.model import ToolInstance, session
    forge_cli("admin", "create-user", "ada", "--email", "ada@example.test", "--site-admin",
              "--password-stdin", input="correct horse battery\n")
    forge_cli("admin", "create-project", "demo", "--admin", "ada")
    result = forge_cli("admin", "install-tool", "demo", "code", "code")
    assert "Installed code at /p/demo/code/." in result.output
    session.close()
    tool = ToolInstance.query.get(mount="code")
    path = tmp_path / "data" / "repos" / (tool._id + ".git")
    assert (path / "HEAD").read_text() == "ref: refs/heads/main\n"
    assert (path / "objects").is_dir()
