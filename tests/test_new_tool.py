"""``forge new-tool``: the skeleton it writes imports, and its own tests pass;
a bad name or an existing directory is refused with a message and exit code 1."""
import os
import subprocess
import sys

from click.testing import CliRunner

from forge.cli import main

NAME = "scaffolded_journal"


def run_forge(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def run_python(args, package_dir):
    env = dict(os.environ, PYTHONPATH=str(package_dir))
    return subprocess.run([sys.executable, *args], cwd=package_dir, env=env,
                          capture_output=True, text=True, timeout=600)


def test_the_skeleton_imports_and_its_tests_pass(tmp_path):
    target = tmp_path / "journal"
    result = run_forge("new-tool", NAME, "--dir", str(target))
    assert result.exit_code == 0, result.output
    assert "Wrote the tool 'scaffolded_journal'" in result.output
    written = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert written == ["README.md", "pyproject.toml",
                       NAME + "/__init__.py", NAME + "/hooks.py", NAME + "/model.py",
                       NAME + "/templates/entry.jinja2", NAME + "/views.py",
                       "tests/conftest.py", "tests/test_%s.py" % NAME]
    pyproject = (target / "pyproject.toml").read_text()
    assert '[project.entry-points."forge.tools"]\n%s = "%s"' % (NAME, NAME) in pyproject

    imported = run_python(["-c", "import %s.model as m; print(m.Entry.__mongometa__.polymorphic_identity)" % NAME], target)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.strip() == NAME + ".entry"

    tests = run_python(["-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], target)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "5 passed" in tests.stdout


def test_the_skeleton_keeps_the_import_contract(tmp_path):
    from tests.test_import_contract import violations
    run_forge("new-tool", NAME, "--dir", str(tmp_path / "tests/thirdparty/journal"))
    (tmp_path / "forge").mkdir()
    (tmp_path / "tools").mkdir()
    assert violations(tmp_path) == []
    assert (tmp_path / "tests/thirdparty/journal" / NAME / "views.py").exists()


def test_a_bad_name_is_refused(tmp_path):
    for name, message in (("Bad-Name", "is not a tool name"), ("class", "is not a tool name"),
                          ("x", "is not a tool name"), ("json", "is taken"),
                          ("forge", "is taken")):
        result = run_forge("new-tool", name, "--dir", str(tmp_path / "out"))
        assert result.exit_code == 1 and message in result.output, (name, result.output)
    assert not (tmp_path / "out").exists()


def test_an_existing_directory_is_refused_and_left_alone(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "keep.txt").write_text("mine")
    result = run_forge("new-tool", NAME, "--dir", str(tmp_path / "mine"))
    assert result.exit_code == 1
    assert "already exists" in result.output
    assert [p.name for p in (tmp_path / "mine").iterdir()] == ["keep.txt"]
