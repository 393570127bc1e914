"""A commit-graph for every repository, refreshed after each accepted push.

Git walks history (``log --skip``, ``rev-list``, merge bases, ahead/behind)
several times faster with a commit-graph file, and path-limited logs and blame
with its changed-path Bloom filters; ``git gc`` writes one, pushes do not.  So
after a push (or a bundle import) the repository's graph is extended with the
new commits: ``git commit-graph write --reachable --split --changed-paths``
adds a small layer (git merges layers as they grow).  It runs on a thread of
the process that took the push, after the push's answer is built, under the
push lock (a push or an emptying of the repository never races it); a push
arriving while a write runs asks for one more write, however many pushes
arrived.  A failure is logged and only costs speed: git reads without a graph.
"""
import logging
import threading

from .repository import git, push_lock

log = logging.getLogger(__name__)
COMMAND = ("commit-graph", "write", "--reachable", "--split", "--changed-paths")


def write_commit_graph(repo_path):
    with push_lock(repo_path):
        git(repo_path, *COMMAND)


class CommitGraphWriter:
    """The background writes of one process (kept on the registry)."""

    def __init__(self, write=write_commit_graph):
        self._write = write
        self._lock = threading.Condition()
        self._running = set()
        self._again = set()

    def refresh(self, repo_path):
        """Bring the repository's graph up to date soon, off this thread."""
        with self._lock:
            if repo_path in self._running:
                self._again.add(repo_path)
                return
            self._running.add(repo_path)
        threading.Thread(target=self._run, args=(repo_path,), daemon=True,
                         name="commit-graph").start()

    def _run(self, repo_path):
        while True:
            try:
                self._write(repo_path)
            except Exception:       # noqa: BLE001 -- reads work without a graph
                log.warning("writing the commit-graph of %s failed", repo_path, exc_info=True)
            with self._lock:
                if repo_path in self._again:
                    self._again.discard(repo_path)
                    continue
                self._running.discard(repo_path)
                self._lock.notify_all()
                return

    def wait_idle(self, timeout=60):
        """True once no write runs (tests, and a process about to stop)."""
        with self._lock:
            return self._lock.wait_for(lambda: not self._running, timeout)


def commit_graph_writer(registry):
    writer = getattr(registry, "code_commit_graph_writer", None)
    if writer is None:
        writer = registry.code_commit_graph_writer = CommitGraphWriter()
    return writer


def refresh_commit_graph(registry, repo_path):
    commit_graph_writer(registry).refresh(repo_path)
