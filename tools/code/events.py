"""``scm.commit``: one event per commit a push brought, oldest first."""
from forge.api import ForgeEvent, change, new_id

from .commit_graph import refresh_commit_graph
from .repository import Repository


class CommitPushed(ForgeEvent):
    """A commit new to the forge; ``node`` is the repository's tool instance.
    Detail: sha, parents, author, email, time, message, subject, ref, and the
    push it came in: ``push_id`` (one id per push), ``push_size`` (its number
    of commits) and ``push_index`` (this commit's place in it, from 0)."""

    topic = "scm.commit"


def record_push(registry, tool_doc, repo_path, before, actor):
    """Emit the commits reachable from the refs the push moved and from no ref
    it found (``before``), through the unit of work (audit log, outbox, flush).
    The push is accepted already: no auditor runs on it here."""
    repo = Repository(repo_path)
    after = repo.ref_shas()
    moved = {ref: sha for ref, sha in after.items() if before.get(ref) != sha}
    deleted = sorted(set(before) - set(after))
    if not moved and not deleted:
        return []
    commits = repo.new_commits(sorted(set(moved.values())), sorted(set(before.values())))
    ref_of = _first_ref(repo, moved, commits, sorted(set(before.values())))
    push_id = new_id()
    with change(registry, None, topic="scm.push", node=tool_doc, actor=actor, source="scm",
                new={"refs": moved, "deleted": deleted}, auditors=False) as ch:
        for index, commit in enumerate(commits):
            ch.also_emit(CommitPushed(tool_doc, actor=actor, source="scm",
                                      ref=ref_of.get(commit["sha"], ""), push_id=push_id,
                                      push_size=len(commits), push_index=index, **commit))
        ch.log("code.push", "pushed %d commit(s) to %s" % (
            len(commits), ", ".join(sorted(moved)) or "(deleted refs)"),
            refs=sorted(moved), deleted=deleted, commits=len(commits))
    if commits:
        # the log pages and merge bases walk history: keep the graph up to date
        refresh_commit_graph(registry, repo_path)
    return commits


def _first_ref(repo, moved, commits, old_tips):
    """The ref each new commit arrived on (the first moved ref reaching it)."""
    if len(moved) == 1:
        (ref,) = moved
        return {c["sha"]: ref for c in commits}
    shas = {c["sha"] for c in commits}
    found = {}
    for ref, tip in sorted(moved.items()):
        for sha in repo.new_commits([tip], old_tips):
            if sha["sha"] in shas:
                found.setdefault(sha["sha"], ref)
    return found
