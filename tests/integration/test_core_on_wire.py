"""The functional core suite, again, over a real socket to a MongoDB wire-protocol
server: the embedded nx-27017 by default, or the MongoDB named by
FORGE_TEST_MONGODB_URL."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
# the functional tests of the core and the example tool
CORE_TESTS = [
    "tests/test_smoke.py", "tests/test_permission_matrix.py", "tests/test_depth.py",
    "tests/test_bad_input.py", "tests/test_embedding.py", "tests/test_auth.py",
    "tests/test_projects.py", "tests/test_versions.py", "tests/test_permissions_ui.py",
    "tests/test_tree_cache.py", "tests/test_acl_actions.py", "tests/test_roles.py",
    "tests/test_project_admin.py", "tests/test_profile.py", "tests/test_notes.py",
    "tests/test_fields.py", "tests/test_login_throttle.py", "tests/test_extend_artifact.py",
    "tests/test_api_tokens.py", "tests/test_live_events.py", "tests/test_outbox.py",
    "tests/tools/wiki/test_page_cache.py", "tests/test_site_admin.py", "tests/test_live_changes.py",
]


# two halves, so that parallel workers (make test: pytest -n) run them side by side
HALVES = [CORE_TESTS[0::2], CORE_TESTS[1::2]]


@pytest.mark.parametrize("files", HALVES, ids=["first-half", "second-half"])
def test_core_suite_over_the_wire(mongo_url, files):
    assert all((ROOT / f).exists() for f in files), "a listed test module is gone"
    env = dict(os.environ, FORGE_TEST_MONGODB_URL=mongo_url)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *files],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    summary = result.stdout[-3000:]
    assert result.returncode == 0, summary + result.stderr[-2000:]
    assert " passed" in summary
