"""What a reactor on ``scm.commit`` reads beyond the event itself.

The code tool emits one ``scm.commit`` event per pushed commit (``detail``:
``sha``, ``ref``, ``message``, ``author``, ``email``, ``default_branch``); a
reactor in any tool (the tracker's ticket references) asks whether the commit
landed on the repository's default branch.  Events that do not carry
``default_branch`` are answered from the bare repository itself, as the code
tool reads it.
"""
import re
import subprocess

from .settings import repository_settings


def on_default_branch(registry, event):
    """Whether the ``scm.commit`` event's commit arrived on its repository's
    default branch (the event's ``default_branch``, else the repository's HEAD)."""
    detail = event.get("detail") or {}
    ref = detail.get("ref") or ""
    default = detail.get("default_branch")
    if default is None:
        default = repository_default_branch(registry, event.get("tool_id"))
    return bool(default) and ref == "refs/heads/" + default


def repository_default_branch(registry, tool_id):
    """HEAD of the bare repository, as the code tool reads it (``HEAD``'s
    branch when it exists, else the first branch).  Only for events that do
    not carry ``default_branch`` themselves."""
    root = getattr(registry, "code_repos_root", None) or \
        repository_settings(registry.settings)[0]
    if not root or not re.match(r"^[A-Za-z0-9_-]{1,64}$", str(tool_id or "")):
        return None
    path = "%s/%s.git" % (root.rstrip("/"), tool_id)
    try:
        head = subprocess.run(["git", "--git-dir", path, "symbolic-ref", "--quiet", "HEAD"],
                              capture_output=True, text=True, timeout=30).stdout.strip()
        heads = subprocess.run(["git", "--git-dir", path, "for-each-ref",
                                "--format=%(refname)", "refs/heads"],
                               capture_output=True, text=True, timeout=30).stdout.split()
    except (OSError, subprocess.SubprocessError):
        return None
    branches = [name[len("refs/heads/"):] for name in heads]
    name = head[len("refs/heads/"):] if head.startswith("refs/heads/") else ""
    return name if name in branches else (branches[0] if branches else None)
