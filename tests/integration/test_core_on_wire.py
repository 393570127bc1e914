"""The functional core suite, again, over a real socket to a MongoDB wire-protocol
server: the embedded nx-27017 by default, or the MongoDB named by
FORGE_TEST_MONGODB_URL."""
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pymongo
import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
# the core's functional tests; tools and browser tests have their own integration runs
CORE_TESTS = [
    "tests/test_smoke.py", "tests/test_permission_matrix.py", "tests/test_depth.py",
    "tests/test_bad_input.py", "tests/test_embedding.py", "tests/test_auth.py",
    "tests/test_projects.py", "tests/test_versions.py", "tests/test_permissions_ui.py",
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def mongodb_url(tmp_path_factory):
    url = os.environ.get("FORGE_TEST_MONGODB_URL")
    if url:
        yield url
        return
    data = tmp_path_factory.mktemp("nx")
    port = free_port()
    nx = Path(sys.executable).with_name("nx-27017")
    process = subprocess.Popen(
        [str(nx), "--data-dir", str(data / "db"), "--host", "127.0.0.1", "-p", str(port),
         "--log-file", str(data / "nx.log"), "--pid-file", str(data / "nx.pid")],
        stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = "mongodb://127.0.0.1:%d/" % port
    deadline = time.monotonic() + 30
    while True:
        try:
            pymongo.MongoClient(url, serverSelectionTimeoutMS=500).admin.command("ping")
            break
        except pymongo.errors.PyMongoError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("nx-27017 did not start; see %s" % (data / "nx.log"))
            time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_core_suite_over_the_wire(mongodb_url):
    files = [f for f in CORE_TESTS if (ROOT / f).exists()]
    env = dict(os.environ, FORGE_TEST_MONGODB_URL=mongodb_url)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-x", *files],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=1200)
    summary = result.stdout[-3000:]
    assert result.returncode == 0, summary + result.stderr[-2000:]
    assert " passed" in summary
