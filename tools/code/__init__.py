"""Code: one Git repository per tool instance, cloned and pushed over smart
HTTP with the real ``git`` client, browsed as trees, files, logs and commits.

``repository`` reads the bare repository with git's plumbing; ``smart_http``
runs ``git http-backend``; ``views_git`` decides who may clone (``read``) and
push (``push``); ``pre_receive`` runs the ``scm.push`` and ``scm.commit``
auditors before git accepts a push (``protected`` is one of them); ``events``
turns an accepted push into ``scm.commit`` events through the unit of work;
``views`` and ``views_history`` are the browsing pages (``history``: compare
and blame); ``views_admin`` the repository's settings (``admin_actions``).
"""
import shutil

from forge.api import ToolInstalled, ToolUninstalled, add_archive_part

from .advertisement import Advertisements
from .commit_graph import CommitGraphWriter
from .pre_receive import check_hook_python
from .resources import CodeTool
from .repository import init_repository, repository_path


def repository_creator(registry):
    def create_repository(event):
        """``git init --bare`` when a code tool is installed (after its flush)."""
        tool = event.node
        if getattr(tool, "tool", None) == "code":
            init_repository(repository_path(registry, tool._id))
    return create_repository


def repository_remover(registry):
    def remove_repository(event):
        """The repository's directory goes with its tool (after the flush)."""
        tool = event.node
        if getattr(tool, "tool", None) == "code":
            shutil.rmtree(repository_path(registry, tool._id), ignore_errors=True)
    return remove_repository


def includeme(config):
    check_hook_python(config.registry.settings)
    config.add_tool(
        "code", title="Code", resource=CodeTool,
        permissions=("read", "push", "admin"),
        # anonymous clone comes from a public project's read
        default_acl=[("allow", "Developer", "push"),
                     ("allow", "Admin", "admin")],
        description="A Git repository: clone and push over HTTP, browse files and commits.")
    config.add_jinja2_search_path("tools.code:templates", name=".jinja2")
    config.add_forge_static("code", "tools.code:static")
    config.add_subscriber(repository_creator(config.registry), ToolInstalled)
    config.add_subscriber(repository_remover(config.registry), ToolUninstalled)
    # the commit-graph written after pushes, on threads of this process
    config.registry.code_commit_graph_writer = CommitGraphWriter()
    # protocol v2's first answer of a fetch, kept per repository (advertisement.py)
    config.registry.code_advertisements = Advertisements()
    # a push's pack is streamed to git and bounded by forge.repos.max_push_bytes
    config.add_streamed_body_type("application/x-git-receive-pack-request")
    config.add_streamed_body_type("application/x-git-upload-pack-request")
    config.add_tool_tween("tools.code.resources.git_url_tween_factory")
    config.scan(".views")
    config.scan(".views_git")
    config.scan(".views_admin")
    config.scan(".views_history")
    config.include(".protected")
    config.add_demo_content("code", "tools.code.demo.demo_content")
    # commit messages in search, one mail per push to the repository's watchers
    config.include(".commit_search")
    config.include(".commit_mail")
    # the repository travels in project archives as a git bundle (forge export/import)
    add_archive_part(config, "code", "repository", ".archive.export_repository",
                     ".archive.restore_repository")
