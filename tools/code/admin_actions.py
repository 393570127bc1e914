"""Changes to a repository an admin makes: default branch, protected branches,
import from a git bundle, deleting the contents.

Each is one unit of work (``forge.api.change``, ``ToolUpdated``): the
``project.tool.updated`` auditors see it, an audit-log entry and the event are
written in one flush.  What lives in git (HEAD, refs, objects) is changed
inside the unit's body, under the push lock, after every check has passed;
a refused form changes nothing.  Failures are ``ActionError`` (a 4xx) with
the message the admin sees.
"""
import os
import shutil
import tempfile

from forge.api import ActionError, Rejected, ToolUpdated, change, plain_value

from .events import record_push
from .pre_receive import ZERO, audit_push
from .protected import clean_patterns
from .repository import NotInRepository, Repository, git, init_repository, push_lock, text
from .smart_http import CHUNK


def set_default_branch(registry, tool, repo_path, branch, actor, version=None):
    """HEAD names ``branch`` (an existing branch): what a clone checks out."""
    with push_lock(repo_path):
        repo = Repository(repo_path)
        branches = [name for kind, name, *_ in repo.refs() if kind == "heads"]
        if branch not in branches:
            raise ActionError("There is no branch %r; choose one of the list." % branch[:100])
        old = repo.default_branch()
        if branch == old:
            return False
        with change(registry, ToolUpdated, node=tool, old={"default_branch": old},
                    new={"default_branch": branch}, actor=actor, version=version,
                    change="default_branch") as ch:
            git(repo_path, "symbolic-ref", "HEAD", "refs/heads/" + ch.new["default_branch"])
            ch.log("code.default_branch", "set the default branch to %s" % branch,
                   old=old, new=branch)
            ch.event_detail["changes"] = {"options": "default_branch"}
    return True


def set_protected_branches(registry, tool, raw, actor, version=None):
    patterns = clean_patterns(raw)
    old = plain_value(dict(tool.options or {}))
    new = dict(old, protected_branches=patterns)
    if new == old or (not patterns and not old.get("protected_branches")):
        return False
    with change(registry, ToolUpdated, node=tool, old={"options": old}, new={"options": new},
                actor=actor, version=version, change="protected_branches") as ch:
        tool.options = ch.new["options"]
        ch.log("code.protected_branches", "protected branches: %s"
               % (", ".join(patterns) or "none"), branches=patterns)
        ch.event_detail["changes"] = {"options": "protected_branches"}
    return True


def import_bundle(registry, tool, repo_path, upload, actor):
    """Fill the empty repository from ``upload`` (a file object holding a git
    bundle): its branches and tags, through the same auditors as a push, then
    one ``scm.commit`` event per commit.  Returns the number of commits."""
    with push_lock(repo_path), tempfile.TemporaryDirectory(
            prefix="import-", dir=os.path.dirname(repo_path)) as work:
        if not Repository(repo_path).is_empty():
            raise ActionError("The repository is not empty: a bundle can only be imported "
                              "into an empty repository (delete its contents first).")
        bundle = os.path.join(work, "upload.bundle")
        with open(bundle, "wb") as out:
            shutil.copyfileobj(upload, out, CHUNK)
        # unpacked beside the repository first: a refused bundle leaves nothing in it
        staging = init_repository(os.path.join(work, "staging.git"))
        refs, head_sha = read_bundle(staging, bundle)
        repo = Repository(repo_path, objects_env={
            "GIT_OBJECT_DIRECTORY": os.path.join(staging, "objects"),
            "GIT_ALTERNATE_OBJECT_DIRECTORIES": os.path.join(repo_path, "objects")})
        updates = [{"ref": ref, "old": ZERO, "new": sha, "kind": "created"}
                   for ref, sha in sorted(refs.items())]
        try:
            audit_push(registry, tool, repo, updates, actor)
        except Rejected as refused:
            raise ActionError("The import was refused: %s" % refused.message, refused.status)
        with change(registry, ToolUpdated, node=tool, old={}, new={"imported": sorted(refs)},
                    actor=actor, change="import") as ch:
            git(repo_path, "fetch", "--quiet", "--no-tags", staging,
                *["+%s:%s" % (ref, ref) for ref in sorted(refs)])
            head = bundle_head(refs, head_sha)
            git(repo_path, "symbolic-ref", "HEAD", head)
            ch.log("code.import", "imported a bundle: %d branch(es) and tag(s)" % len(refs),
                   refs=sorted(refs))
            ch.event_detail["changes"] = {"options": "import"}
    commits = record_push(registry, tool, repo_path, {}, actor)
    return len(commits)


def read_bundle(staging, bundle):
    """({ref: sha} of the bundle's branches and tags, fetched into ``staging``;
    the commit its HEAD names or None)."""
    try:
        git(staging, "bundle", "verify", "--quiet", bundle)
    except NotInRepository as error:
        detail = str(error).splitlines()[-1:] or [""]
        raise ActionError("This file is not a complete git bundle (%s). Make one with "
                          "'git bundle create repo.bundle --all'." % detail[0][:200])
    heads = text(git(staging, "bundle", "list-heads", bundle))
    refs, head_sha = {}, None
    for line in heads.splitlines():
        sha, _, ref = line.partition(" ")
        if ref == "HEAD":
            head_sha = sha
        elif ref.startswith(("refs/heads/", "refs/tags/")) and ZERO != sha:
            refs[ref] = sha
    if not any(ref.startswith("refs/heads/") for ref in refs):
        raise ActionError("The bundle holds no branch.")
    try:
        git(staging, "fetch", "--quiet", "--no-tags", bundle,
            *["%s:%s" % (ref, ref) for ref in sorted(refs)])
    except NotInRepository as error:
        raise ActionError("The bundle could not be read: %s" % str(error)[:200])
    return refs, head_sha


def bundle_head(refs, head_sha):
    """The branch at the bundle's HEAD (main or master first when several
    are), else main, master or the first branch."""
    branches = sorted(ref for ref in refs if ref.startswith("refs/heads/"))
    at_head = [ref for ref in branches if refs[ref] == head_sha] or branches
    for preferred in ("refs/heads/main", "refs/heads/master"):
        if preferred in at_head:
            return preferred
    return at_head[0]


def delete_contents(registry, tool, repo_path, confirmation, actor):
    """Empty the repository (every branch, tag and object); ``confirmation``
    must be the tool's mount point."""
    if confirmation != tool.mount:
        raise ActionError("Type the mount point %r to confirm; nothing was deleted." % tool.mount)
    with push_lock(repo_path):
        refs = Repository(repo_path).ref_shas()
        with change(registry, ToolUpdated, node=tool, old={"refs": sorted(refs)},
                    new={"refs": []}, actor=actor, change="delete_contents") as ch:
            empty_repository(repo_path)
            ch.log("code.delete_contents", "deleted the repository's contents (%d refs)"
                   % len(refs), refs=sorted(refs))
            ch.event_detail["changes"] = {"options": "contents"}


def empty_repository(repo_path):
    """Replace the repository by an empty one, keeping the directory (and the
    push lock file in it, which this process holds)."""
    for name in os.listdir(repo_path):
        if name == "forge-push.lock":
            continue
        target = os.path.join(repo_path, name)
        if os.path.isdir(target) and not os.path.islink(target):
            shutil.rmtree(target)
        else:
            os.remove(target)
    git(repo_path, bare_init=True)
    git(repo_path, "config", "http.receivepack", "true")

