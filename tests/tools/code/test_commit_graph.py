"""The commit-graph written after accepted pushes (tools/code/commit_graph.py)."""
import os
import struct
import threading

from tools.code.commit_graph import CommitGraphWriter
from tools.code.repository import repository_path

from .conftest import with_credentials
from .test_smart_http import REPO, push


def graph_commits(repo_path):
    """How many commits the repository's split commit-graph holds (every layer
    of the chain; the OID fanout's last entry is a layer's commit count)."""
    graphs = os.path.join(repo_path, "objects", "info", "commit-graphs")
    with open(os.path.join(graphs, "commit-graph-chain")) as chain:
        layers = chain.read().split()
    total = 0
    for layer in layers:
        with open(os.path.join(graphs, "graph-%s.graph" % layer), "rb") as f:
            data = f.read()
        assert data[:4] == b"CGPH"
        chunks = data[6]
        for index in range(chunks):
            chunk_id, offset = struct.unpack(">4sQ", data[8 + 12 * index:20 + 12 * index])
            if chunk_id == b"OIDF":
                total += struct.unpack(">I", data[offset + 4 * 255:offset + 4 * 256])[0]
    return total


def commit(git, work, name):
    (work / name).write_text(name + "\n")
    git("add", name, cwd=work)
    git("commit", "--quiet", "-m", "Add " + name, cwd=work)


def test_a_push_writes_the_graph_and_the_next_one_extends_it(site, server, git, work_tree,
                                                               registry):
    url = with_credentials(server + REPO, "dev", site["tokens"]["dev"])
    path = repository_path(registry, site["tool"]._id)
    push(git, work_tree, url)
    assert registry.code_commit_graph_writer.wait_idle(30)
    assert graph_commits(path) == 2
    commit(git, work_tree, "a.txt")
    commit(git, work_tree, "b.txt")
    push(git, work_tree, url)
    assert registry.code_commit_graph_writer.wait_idle(30)
    assert graph_commits(path) == 4
    assert git("--git-dir", path, "commit-graph", "verify").returncode == 0


def test_pushes_during_a_write_ask_for_one_more_write():
    started, release, writes = threading.Event(), threading.Event(), []

    def slow_write(path):
        writes.append(path)
        started.set()
        release.wait(10)
    writer = CommitGraphWriter(write=slow_write)
    writer.refresh("/repo")
    assert started.wait(10)
    for _ in range(5):
        writer.refresh("/repo")      # while the first write runs
    release.set()
    assert writer.wait_idle(10)
    assert writes == ["/repo", "/repo"]


def test_a_failing_write_is_logged_and_the_writer_goes_idle(caplog):
    def failing(path):
        raise RuntimeError("disk full")
    writer = CommitGraphWriter(write=failing)
    writer.refresh("/repo")
    assert writer.wait_idle(10)
    assert "commit-graph of /repo failed" in caplog.text
