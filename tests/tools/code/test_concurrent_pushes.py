"""Two pushes to one repository at once: each commit is emitted once, by its pusher."""
import threading

from forge.model import session
from forge.model.outbox import OutboxEvent

from .conftest import with_credentials

REPO = "/p/demo/code"


def test_concurrent_pushes_emit_each_commit_once(site, server, git, tmp_path, work_tree):
    url = with_credentials(server + REPO, "dev", site["tokens"]["dev"])
    git("push", url, "main", cwd=work_tree)
    clones = []
    for n in range(3):
        clone = tmp_path / ("c%d" % n)
        git("clone", "--quiet", url, str(clone))
        git("checkout", "--quiet", "-b", "b%d" % n, cwd=clone)
        for i in range(3):
            (clone / ("f%d.txt" % i)).write_text("%d %d\n" % (n, i))
            git("add", ".", cwd=clone)
            git("commit", "--quiet", "-m", "b%d c%d" % (n, i), cwd=clone)
        clones.append((n, clone))
    results = []
    threads = [threading.Thread(target=lambda n=n, c=c: results.append(
        git("push", url, "b%d" % n, cwd=c, check=False).returncode)) for n, c in clones]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert results == [0, 0, 0]
    session.close()
    subjects = [e.message["detail"]["subject"]
                for e in OutboxEvent.query.find({"topic": "scm.commit"}).all()]
    assert sorted(subjects) == sorted(["First commit", "Add the app"] + [
        "b%d c%d" % (n, i) for n in range(3) for i in range(3)])
    refs = {e.message["detail"]["subject"]: e.message["detail"]["ref"]
            for e in OutboxEvent.query.find({"topic": "scm.commit"}).all()}
    assert refs["b1 c2"] == "refs/heads/b1"
