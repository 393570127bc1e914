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
# the functional tests of the core and the example tool, each with its seconds
# over the wire: the CPU of the test process and of nx-27017, plus the waits
# seen both there and on mim:// (event streams, command subprocesses); measured
# on 2 shared cores, so only the proportions matter: they split the modules
# into two even halves
CORE_TESTS = {
    "tests/test_smoke.py": 5, "tests/test_permission_matrix.py": 9, "tests/test_depth.py": 3,
    "tests/test_bad_input.py": 12, "tests/test_embedding.py": 2, "tests/test_auth.py": 9,
    "tests/test_projects.py": 9, "tests/test_versions.py": 5, "tests/test_permissions_ui.py": 19,
    "tests/test_tree_cache.py": 2, "tests/test_acl_actions.py": 6, "tests/test_roles.py": 9,
    "tests/test_project_admin.py": 7, "tests/test_profile.py": 10, "tests/test_notes.py": 12,
    "tests/test_fields.py": 12, "tests/test_login_throttle.py": 10,
    "tests/test_extend_artifact.py": 5, "tests/test_api_tokens.py": 14,
    "tests/test_live_events.py": 41, "tests/test_outbox.py": 1,
    "tests/tools/wiki/test_page_cache.py": 18, "tests/test_site_admin.py": 12,
    "tests/test_live_changes.py": 8,
}


def even_halves(seconds):
    """Two lists of files whose seconds add up to about the same: the longest
    first, each to the half with fewer seconds so far (in the listed order
    within a half)."""
    halves, totals = ([], []), [0, 0]
    for name in sorted(seconds, key=lambda name: -seconds[name]):
        lighter = totals.index(min(totals))
        halves[lighter].append(name)
        totals[lighter] += seconds[name]
    order = list(seconds)
    return [sorted(half, key=order.index) for half in halves]


# two halves, so that parallel workers (make test: pytest -n) run them side by side
HALVES = even_halves(CORE_TESTS)


@pytest.mark.parametrize("files", HALVES, ids=["first-half", "second-half"])
def test_core_suite_over_the_wire(mongo_url, files):
    assert all((ROOT / f).exists() for f in files), "a listed test module is gone"
    assert sorted(HALVES[0] + HALVES[1]) == sorted(CORE_TESTS), "a module in no half"
    env = dict(os.environ, FORGE_TEST_MONGODB_URL=mongo_url)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *files],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    summary = result.stdout[-3000:]
    assert result.returncode == 0, summary + result.stderr[-2000:]
    assert " passed" in summary
