"""The protocol v2 capability advertisement, kept per repository.

Every fetch by a git since 2.26 starts with ``GET info/refs?service=
git-upload-pack`` and ``Git-Protocol: version=2``.  In protocol v2 git's answer
names no ref (the client asks for them in its next request, ``ls-refs``): it
is the server's capabilities (``agent=git/2.39.5``, ``ls-refs=unborn``,
``fetch=shallow wait-for-done``, ``object-format=sha1``, ...), which depend only
on git's version and on the configuration git reads for this repository (the
repository's ``config``; the forge's user's ``~/.gitconfig`` and
``~/.config/git/config``; no system file, ``GIT_CONFIG_NOSYSTEM``).  So the
forge keeps ``git http-backend``'s own answer (status, headers, body: byte for
byte what git sent) per repository with the files' signatures (inode, size,
change times) and the git executable's, and serves it again while none of
them changed: no git process for the first request of a fetch.  Any change of
them (``git config`` writes a new file), or a configuration that includes
another file, and git runs again.  Protocol v0, whose answer lists the refs,
and ``git-receive-pack`` always run ``git http-backend``.

Who may read was decided before (``views_git.info_refs``): the kept answer is
served exactly where git would have been run.
"""
import itertools
import os
import shutil
import threading

from pyramid.response import Response

from .repository import git_env

GIT_PROTOCOL_V2 = "version=2"
CONTENT_TYPE = "application/x-git-upload-pack-advertisement"
MAX_ANSWER = 64 * 1024          # a v2 advertisement is a few hundred bytes
MAX_REPOSITORIES = 10000


def is_v2_advertisement_request(request, service):
    """Whether git's answer to this request is the v2 capability list: what git
    sends by default (anything else, such as protocol v0, lists refs)."""
    return (service == "git-upload-pack" and request.method == "GET"
            and request.headers.get("Git-Protocol") == GIT_PROTOCOL_V2)


def _signature(path):
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


class Advertisements:
    """The kept answers, by repository path: ``(signature, status, headers, body)``."""

    def __init__(self):
        self._answers = {}
        self._lock = threading.Lock()
        self._git = {}

    def config_files(self, repo_path, env=None):
        home = (env or git_env())["HOME"]
        return (os.path.join(repo_path, "config"), os.path.join(home, ".gitconfig"),
                os.path.join(home, ".config", "git", "config"))

    def git_executable(self, env):
        path = env["PATH"]
        if path not in self._git:
            self._git[path] = shutil.which("git", path=path)
        return self._git[path]

    def signature(self, repo_path):
        """What git's answer depends on, as of now (before git reads it)."""
        env = git_env()
        git = self.git_executable(env)
        return (git, _signature(git or "/nonexistent"),
                tuple(_signature(path) for path in self.config_files(repo_path, env)))

    def get(self, repo_path, signature):
        answer = self._answers.get(repo_path)
        return answer[1:] if answer is not None and answer[0] == signature else None

    def keep(self, repo_path, signature, status, headers, body):
        if signature[1] is None or not self._plain_configuration(repo_path):
            return
        with self._lock:
            if len(self._answers) >= MAX_REPOSITORIES and repo_path not in self._answers:
                self._answers.clear()
            self._answers[repo_path] = (signature, status, tuple(headers), body)

    def _plain_configuration(self, repo_path):
        """False when a configuration file includes another (whose changes the
        signature would not see)."""
        for path in self.config_files(repo_path):
            try:
                with open(path, "rb") as f:
                    if b"include" in f.read().lower():
                        return False
            except OSError:
                continue
        return True


def is_v2_answer(status, headers, body):
    return (status.startswith("200") and (dict((name.lower(), value) for name, value in headers)
                                          .get("content-type") == CONTENT_TYPE)
            and body.startswith(b"000eversion 2\n") and body.endswith(b"0000"))


def advertisement_response(request, repo_path, run_backend, stream_output):
    """The v2 advertisement of ``repo_path``: the kept one, else git's (kept
    when it is one).  ``run_backend()`` runs ``git http-backend`` for this
    request and returns ``(process, status, headers)``; ``stream_output(process)``
    streams the rest of its output (an answer too long to be a v2 one)."""
    kept = request.registry.code_advertisements
    signature = kept.signature(repo_path)
    answer = kept.get(repo_path, signature)
    if answer is None:
        process, status, headers = run_backend()
        body = process.stdout.read(MAX_ANSWER + 1)
        if len(body) > MAX_ANSWER:       # not a v2 answer: git's, as it comes
            response = Response(status=status, headerlist=headers)
            response.app_iter = itertools.chain((body,), stream_output(process))
            return response
        process.stdout.close()
        if process.wait() == 0 and is_v2_answer(status, headers, body):
            kept.keep(repo_path, signature, status, headers, body)
        answer = status, headers, body
    status, headers, body = answer
    response = Response(status=status, headerlist=list(headers))
    response.body = body
    return response
