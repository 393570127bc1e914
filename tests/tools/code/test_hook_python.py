"""``forge.repos.hook_python``: the interpreter that runs the pre-receive hook."""
import os
import sys

import pytest
from pyramid.exceptions import ConfigurationError

from forge.testing import forge_test_settings
from tools.code.pre_receive import check_hook_python, hook_python

from .conftest import MAX_PUSH, with_credentials

REPO = "/p/demo/code"


@pytest.fixture(scope="module")
def wrapper(tmp_path_factory):
    """An interpreter wrapper that notes each run in ``ran.log``, then runs Python."""
    directory = tmp_path_factory.mktemp("hook-python")
    script = directory / "python-wrapper"
    script.write_text('#!/bin/sh\necho ran >> "%s"\nexec "%s" "$@"\n'
                      % (directory / "ran.log", sys.executable))
    script.chmod(0o755)
    return script


@pytest.fixture
def forge_settings(wrapper):
    return forge_test_settings(**{"forge.tools": "tools.code",
                                  "forge.load_tool_entry_points": "false",
                                  "forge.repos.max_push_bytes": str(MAX_PUSH),
                                  "forge.repos.hook_python": str(wrapper)})


def test_the_configured_interpreter_runs_the_hook(site, server, git, work_tree, wrapper):
    git("push", with_credentials(server + REPO, "dev", site["tokens"]["dev"]), "main",
        cwd=work_tree)
    assert (wrapper.parent / "ran.log").read_text() == "ran\n"


def test_without_the_setting_this_interpreter_runs_it():
    assert hook_python({}) == sys.executable
    assert hook_python({"forge.repos.hook_python": " /opt/py/bin/python3 "}) == \
        "/opt/py/bin/python3"


@pytest.mark.parametrize("value", ["/nonexistent/python3", "no-such-python-here", "/etc"])
def test_a_wrong_interpreter_stops_the_start(value):
    with pytest.raises(ConfigurationError, match="forge.repos.hook_python"):
        check_hook_python({"forge.repos.hook_python": value})


def test_a_name_on_the_path_is_accepted():
    check_hook_python({"forge.repos.hook_python": "sh"})     # no error
