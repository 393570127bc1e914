"""The code tool's part of a project archive: its repository as a Git bundle.

``git bundle create --all`` holds every ref and object (an empty repository
has no bundle); the import clones nothing from a URL: it fetches the bundle
file into a new bare repository at the imported tool's path and points HEAD
where it pointed."""
import os

from .repository import REF, git, init_repository, repository_path

BUNDLE = "repository.bundle"


def export_repository(registry, tool_doc, files):
    path = repository_path(registry, tool_doc._id)
    if not os.path.isdir(path):
        return {"head": None}
    head = git(path, "symbolic-ref", "HEAD", check=False).decode().strip() or None
    if git(path, "for-each-ref", "--count=1").strip():
        git(path, "bundle", "create", files.path(BUNDLE), "--all")
    # always data, so the import creates the repository even when it is empty
    return {"head": head}


def restore_repository(registry, tool_doc, data, files):
    path = init_repository(repository_path(registry, tool_doc._id))
    if BUNDLE in files.names():
        git(path, "fetch", "--quiet", files.path(BUNDLE), "+refs/*:refs/*")
    head = (data or {}).get("head")
    if head and head.startswith("refs/heads/") and REF.match(head[len("refs/"):]):
        git(path, "symbolic-ref", "HEAD", head)
