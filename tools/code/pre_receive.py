"""Auditors before a push is accepted: git's ``pre-receive`` hook calls back
into the forge process serving the push.

Why a hook and not a check of the request before git runs: the commands of a
push (old, new, ref) come first in its body, but the commits they name are in
the pack after them, and only git can read a pack.  ``git receive-pack``
unpacks a push into a quarantine directory, checks its connectivity, runs
``pre-receive`` with the ref updates, and only if the hook exits 0 moves the
objects into the repository and updates the refs; otherwise it deletes the
quarantine and answers ``pre-receive hook declined``, showing the hook's
output to the client as ``remote: ...``.  Nothing of a refused push is kept,
which no check outside git could promise.  This works unchanged under
``git http-backend`` (a CGI: its environment passes to receive-pack and the hook).

How: for each push the forge opens a Unix socket in a private temporary
directory and runs ``git http-backend`` with ``core.hooksPath`` set (through
``GIT_CONFIG_COUNT``, so no file in any repository is involved) to the
forge's hooks directory and the socket's address and a one-time token in its
environment.  The hook (``pre_receive_hook.py``, a separate interpreter)
sends the updates and git's quarantine directories; the request's thread,
which holds the user, the registry and the database session, answers after
running the auditors of ``scm.push`` (once, with every update and new
commit) and ``scm.commit`` (once per new commit).  A ``Rejected`` auditor
refuses the push with its message; an error in an auditor refuses it too
(fail closed), the push can be tried again.
"""
import json
import logging
import os
import re
import secrets
import shutil
import socket
import sys
import tempfile
import time

from pyramid.exceptions import ConfigurationError

from forge.api import HOOK_PYTHON_SETTING, Rejected, repository_hook_python, run_auditors

from . import pre_receive_hook
from .repository import NotInRepository, Repository, repos_root

log = logging.getLogger(__name__)

ZERO = "0" * 40
SHA = re.compile(r"^[0-9a-f]{40}$")
# isolated, without site-packages: the hook needs the standard library only,
# and starts faster (measured here: 100 ms against 140 ms on a loaded machine)
HOOK = '#!/bin/sh\nexec "$FORGE_HOOK_PYTHON" -I -S "$FORGE_HOOK_SCRIPT"\n'
WAIT_SECONDS = 600
MAX_REQUEST = 16 * 1024 * 1024


def hooks_dir(registry):
    """The forge's hooks directory (beside the repositories), holding ``pre-receive``."""
    path = os.path.join(repos_root(registry), "forge-hooks")
    hook = os.path.join(path, "pre-receive")
    if not _holds(hook, HOOK):
        os.makedirs(path, exist_ok=True)
        partial = hook + ".%d" % os.getpid()
        with open(partial, "w") as f:
            f.write(HOOK)
        os.chmod(partial, 0o755)
        os.replace(partial, hook)
    return path


def hook_python(settings=None):
    """The interpreter that runs the hook (standard library only): the setting
    ``forge.repos.hook_python`` when given, else this one, unless the forge is
    embedded in a server binary (mod_wsgi, uWSGI), else ``python3`` on the PATH."""
    configured = repository_hook_python(settings)
    if configured:
        return configured
    if os.path.basename(sys.executable or "").startswith("python"):
        return sys.executable
    return shutil.which("python3") or "python3"


def check_hook_python(settings):
    """At start-up: a configured interpreter must be an executable file (given
    by path, or a name on the PATH); a wrong one would refuse every push."""
    configured = repository_hook_python(settings)
    if not configured:
        return
    found = configured if os.sep in configured else shutil.which(configured)
    if not found or not os.path.isfile(found) or not os.access(found, os.X_OK):
        raise ConfigurationError("%s = %r is not an executable file; name the Python "
                                 "interpreter that runs the pre-receive hook (Python 3, "
                                 "standard library only)." % (HOOK_PYTHON_SETTING, configured))


def _holds(path, content):
    try:
        with open(path) as f:
            return f.read() == content
    except OSError:
        return False


class PushGate:
    """One push's check: ``env`` for ``git http-backend``; ``serve(process)``
    answers the hook while git runs (it returns when git has exited without
    running the hook, or after answering it)."""

    def __init__(self, registry, tool_doc, repo_path, actor):
        self.registry, self.tool_doc, self.repo_path, self.actor = (
            registry, tool_doc, repo_path, actor)
        self.token = secrets.token_hex(16)
        self.directory = tempfile.mkdtemp(prefix="forge-push-")    # mode 0700
        self.address = os.path.join(self.directory, "hook.sock")
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(self.address)
        self.listener.listen(1)
        self.listener.settimeout(0.05)
        self.refusal = None
        self.env = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "core.hooksPath",
                    "GIT_CONFIG_VALUE_0": hooks_dir(registry),
                    "FORGE_PRE_RECEIVE_SOCKET": self.address,
                    "FORGE_PRE_RECEIVE_TOKEN": self.token,
                    "FORGE_HOOK_PYTHON": hook_python(registry.settings),
                    "FORGE_HOOK_SCRIPT": os.path.abspath(pre_receive_hook.__file__)}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.listener.close()
        shutil.rmtree(self.directory, ignore_errors=True)

    def serve(self, process):
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                channel, _ = self.listener.accept()
            except socket.timeout:
                if process.poll() is not None:
                    return
                continue
            with channel:
                self.answer(channel)
            return

    def answer(self, channel):
        channel.settimeout(30)
        data = b""
        while len(data) <= MAX_REQUEST:
            piece = channel.recv(65536)
            if not piece:
                break
            data += piece
        try:
            request = json.loads(data.decode("utf-8"))
            if not secrets.compare_digest(str(request.get("token", "")), self.token):
                raise ValueError("wrong token")
            self.refusal = self.check(request)
        except (ValueError, TypeError, AttributeError) as error:
            log.warning("pre-receive: a malformed hook request: %s", error)
            self.refusal = "push refused: the forge could not read the push's commands."
        answer = {"accept": self.refusal is None, "message": self.refusal or ""}
        channel.sendall(json.dumps(answer).encode("utf-8"))

    def check(self, request):
        """None to accept the push, else the message refusing it."""
        updates = parse_updates(request.get("updates"))
        repo = Repository(self.repo_path, objects_env=quarantine_env(self.repo_path, request))
        try:
            return audit_push(self.registry, self.tool_doc, repo, updates, self.actor)
        except Rejected as refused:
            return "push refused: %s" % refused.message
        except Exception:       # an auditor's bug must not let a push through
            log.exception("pre-receive auditors failed on %s", self.repo_path)
            return "push refused: the forge could not check it; try again later."


def parse_updates(raw):
    updates = []
    for item in raw or ():
        old, new, ref = item
        if not (SHA.match(old) and SHA.match(new) and ref.startswith("refs/")):
            raise ValueError("not a ref update: %r" % (item,))
        kind = "created" if old == ZERO else "deleted" if new == ZERO else "updated"
        updates.append({"ref": ref, "old": old, "new": new, "kind": kind})
    return updates


def quarantine_env(repo_path, request):
    """The variables that let git read the pushed objects: only directories
    inside this repository's ``objects`` (the hook reports them; check them)."""
    objects = os.path.realpath(os.path.join(repo_path, "objects"))
    env = {}
    quarantine = request.get("objects") or ""
    if quarantine:
        if os.path.commonpath([objects, os.path.realpath(quarantine)]) != objects:
            raise ValueError("a quarantine outside the repository")
        env["GIT_OBJECT_DIRECTORY"] = quarantine
        env["GIT_ALTERNATE_OBJECT_DIRECTORIES"] = objects
    return env


def audit_push(registry, tool_doc, repo, updates, actor):
    """Run the ``scm.push`` and ``scm.commit`` auditors on what the push proposes.

    ``scm.push`` sees ``change.new = {"updates": [...], "commits": [...]}``:
    each update has ref, old, new, kind (created, updated, deleted) and
    ``forced`` (a branch moved to a commit not containing the old one); each
    commit (oldest first) sha, parents, author, email, time, message, subject.
    ``scm.commit`` sees one commit as ``change.new``.  What an auditor changes
    in ``change.new`` is ignored: a push is taken or refused whole."""
    before = Repository(repo.path).ref_shas()
    for update in updates:
        update["forced"] = (update["kind"] == "updated" and update["ref"].startswith("refs/heads/")
                            and not repo.is_ancestor(update["old"], update["new"]))
    tips = sorted({u["new"] for u in updates if u["kind"] != "deleted"})
    try:
        commits = repo.new_commits(tips, sorted(set(before.values())))
    except NotInRepository:
        commits = []       # tags of non-commits: nothing to show the commit auditors
    detail = {"project_id": tool_doc.project_id, "mount": tool_doc.mount}
    run_auditors(registry, "scm.push", node_type="ToolInstance", node=tool_doc,
                 old={"refs": before}, new={"updates": updates, "commits": commits},
                 actor=actor, source="scm", detail=detail)
    for commit in commits:
        run_auditors(registry, "scm.commit", node_type="ToolInstance", node=tool_doc,
                     new=dict(commit), actor=actor, source="scm", detail=detail)
    return None
