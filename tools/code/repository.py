"""One bare Git repository per tool instance, read through git's plumbing.

The directory is ``forge.repos.path/<tool instance id>``: never a name taken
from a URL.  Every command runs the ``git`` binary with a fixed argument list;
what comes from a URL is a ref (checked by ``REF``, then resolved to a commit
id by ``rev-parse --end-of-options``) or a path (checked by ``check_path``,
then given on stdin to ``cat-file --batch-check`` or after ``SHA:``), so no
input can become an option.
"""
import contextlib
import fcntl
import os
import re
import subprocess
import tempfile
import time

from forge.api import repository_settings

GIT_TIMEOUT = 60
# refs as URLs name them: no option (leading "-"), no "..", no control characters
REF = re.compile(r"^(?!-)(?!.*\.\.)(?!.*//)(?!.*\.lock$)[A-Za-z0-9._/+@-]{1,200}(?<!/)$")
SHA = re.compile(r"^[0-9a-f]{40}$")
FIELD, RECORD = "\x00", "\x1e"
# commit fields as ``commit_fields`` reads them; then the subject or the message
COMMIT_FORMAT = "%H%x00%P%x00%an%x00%ae%x00%at%x00"
WITH_COMMITTER = COMMIT_FORMAT + "%cn%x00%ce%x00"
LOG_FORMAT = COMMIT_FORMAT + "%s"


class NotInRepository(LookupError):
    """A ref, path or object the repository does not have (a 404)."""


class BadName(ValueError):
    """A ref or path that cannot name anything (a 400)."""


def repos_root(registry):
    """``forge.repos.path``, else ``<forge.data_dir>/repos``, else one temporary
    directory per application (tests)."""
    root = getattr(registry, "code_repos_root", None)
    if root is None:
        root = repository_settings(registry.settings)[0] or tempfile.mkdtemp(
            prefix="forge-repos-")
        os.makedirs(root, exist_ok=True)
        registry.code_repos_root = root
    return root


def repository_path(registry, tool_id):
    if not re.match(r"^[A-Za-z0-9_-]{1,64}$", str(tool_id)):
        raise ValueError("not a tool instance id: %r" % (tool_id,))
    return os.path.join(repos_root(registry), str(tool_id) + ".git")


def init_repository(path):
    """``git init --bare`` (harmless on an existing repository)."""
    if not os.path.isdir(path):
        git(path, "init", "--bare", "--quiet", "--initial-branch=main", bare_init=True)
        # smart HTTP serves it without a git-daemon-export-ok file
        git(path, "config", "http.receivepack", "true")
    return path


@contextlib.contextmanager
def push_lock(repo_path):
    """One writer at a time per repository, across processes: pushes, the admin's
    changes and the commit-graph refresh."""
    with open(os.path.join(repo_path, "forge-push.lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def git_env():
    # no user or system configuration changes what the forge reads or serves
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": os.environ.get("HOME", "/nonexistent"), "LC_ALL": "C",
            "GIT_TERMINAL_PROMPT": "0"}


def git(path, *args, stdin=None, bare_init=False, check=True, env=None):
    """Run git on the bare repository ``path``; ``env`` adds variables (a push's
    quarantine: ``GIT_OBJECT_DIRECTORY`` and ``GIT_ALTERNATE_OBJECT_DIRECTORIES``)."""
    command = ["git", "init", "--bare", "--quiet", "--initial-branch=main", path] if bare_init \
        else ["git", "--git-dir", path, *args]
    result = subprocess.run(command, input=stdin, capture_output=True,
                            env=dict(git_env(), **(env or {})), timeout=GIT_TIMEOUT)
    if check and result.returncode != 0:
        raise NotInRepository(result.stderr.decode("utf-8", "replace").strip())
    return result.stdout


def git_stream(path, *args, env=None):
    """A running ``git`` whose stdout the caller reads (raw files, never in memory)."""
    return subprocess.Popen(["git", "--git-dir", path, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=dict(git_env(), **(env or {})))


def text(data):
    return data.decode("utf-8", "replace")


def check_ref(ref):
    if not REF.match(ref or ""):
        raise BadName("%r is not a branch, tag or commit name." % (ref,)[:120])
    return ref


def check_path(path):
    """A path inside a tree: segments without ".", ".." or control characters."""
    segments = [s for s in (path or "").split("/")]
    if path and (any(s in ("", ".", "..") for s in segments)
                 or any(ord(c) < 32 for c in path) or len(path) > 4096):
        raise BadName("%r is not a path in the repository." % path[:120])
    return path or ""


class Repository:
    """Read-only views of one bare repository."""

    def __init__(self, path, objects_env=None):
        self.path = path
        # a push being checked reads its objects from git's quarantine directory
        self.objects_env = objects_env
        self._refs = None

    def refs(self):
        """[(kind, name, sha, unix time, subject)] of branches, then tags (read
        once per instance: a page asks several times, one git run answers)."""
        if self._refs is None:
            self._refs = self._read_refs()
        return self._refs

    def _read_refs(self):
        out = text(git(self.path, "for-each-ref", "--format=%(refname)%00%(objectname)"
                       "%00%(*objectname)%00%(creatordate:unix)%00%(subject)",
                       "refs/heads", "refs/tags"))
        refs = []
        for line in out.splitlines():
            refname, sha, peeled, when, subject = line.split(FIELD)
            kind, _, name = refname[len("refs/"):].partition("/")
            refs.append((kind, name, peeled or sha, int(when or 0), subject))
        return refs

    def ref_shas(self):
        """{full ref name: object id}: what a push changes."""
        out = text(git(self.path, "for-each-ref", "--format=%(refname) %(objectname)"))
        return dict(line.split(" ", 1) for line in out.splitlines())

    def default_branch(self):
        head = text(git(self.path, "symbolic-ref", "--quiet", "HEAD", check=False)).strip()
        branches = [name for kind, name, *_ in self.refs() if kind == "heads"]
        name = head[len("refs/heads/"):] if head.startswith("refs/heads/") else ""
        return name if name in branches else (branches[0] if branches else None)

    def resolve(self, ref):
        """The commit id ``ref`` names, or ``NotInRepository``."""
        check_ref(ref)
        out = git(self.path, "rev-parse", "--verify", "--quiet", "--end-of-options",
                  ref + "^{commit}", check=False)
        sha = text(out).strip()
        if not SHA.match(sha):
            raise NotInRepository("There is no branch, tag or commit %r." % ref)
        return sha

    def split_ref(self, segments):
        """(ref, path) of URL segments ``[feature, x, src, a.py]``: the longest
        leading run that names a branch or tag (names may hold "/"), else the
        first segment (a commit id)."""
        names = {name for _, name, *_ in self.refs()}
        for end in range(len(segments), 0, -1):
            candidate = "/".join(segments[:end])
            if candidate in names:
                return candidate, "/".join(segments[end:])
        if not segments:
            raise BadName("Name a branch, tag or commit.")
        return segments[0], "/".join(segments[1:])

    def object_info(self, sha, path):
        """(object id, type, size) of ``path`` at commit ``sha``."""
        check_path(path)
        spec = "%s:%s" % (sha, path) if path else "%s^{tree}" % sha
        out = text(git(self.path, "cat-file", "--batch-check", stdin=(spec + "\n").encode()))
        parts = out.split()
        if len(parts) != 3 or parts[1] == "missing":
            raise NotInRepository("There is no %r at this commit." % path)
        return parts[0], parts[1], int(parts[2])

    def tree(self, tree_sha):
        """[(name, type, size or None, object id)], directories first."""
        out = git(self.path, "ls-tree", "-z", "-l", "--end-of-options", tree_sha)
        entries = []
        for record in text(out).split(FIELD):
            if not record:
                continue
            meta, name = record.split("\t", 1)
            mode, kind, oid, size = meta.split()
            entries.append((name, kind, int(size) if size.isdigit() else None, oid))
        return sorted(entries, key=lambda e: (e[1] != "tree", e[0].lower()))

    def blob(self, oid, limit):
        """The first ``limit`` bytes of a blob."""
        process = git_stream(self.path, "cat-file", "blob", oid)
        try:
            return process.stdout.read(limit)
        finally:
            process.kill()
            process.wait()

    def log(self, sha, skip, count, path=""):
        out = text(git(self.path, "log", "--format=%s%%x1e" % LOG_FORMAT, "--skip=%d" % skip,
                       "--max-count=%d" % count, "--end-of-options", sha, "--",
                       *([path] if path else [])))
        return [commit_fields(record) for record in out.split(RECORD) if record.strip()]

    def commit(self, sha):
        fmt = "%H%x00%P%x00%an%x00%ae%x00%at%x00%B"
        out = text(git(self.path, "log", "-1", "--format=" + fmt, "--end-of-options", sha, "--"))
        return commit_fields(out)

    def diff(self, sha, limit):
        """The commit's patch against its first parent (the empty tree for a
        root commit), at most ``limit`` bytes, and whether it was cut."""
        process = git_stream(self.path, "diff-tree", "-p", "-M", "--root", "--no-color",
                             "--no-ext-diff", "--end-of-options", sha)
        try:
            data = process.stdout.read(limit + 1)
        finally:
            process.kill()
            process.wait()
        return text(data[:limit]), len(data) > limit

    def new_commits(self, new_tips, old_tips):
        """Commits reachable from ``new_tips`` and from none of ``old_tips``,
        oldest first: what a push brought."""
        if not new_tips:
            return []
        out = text(git(self.path, "rev-list", "--reverse", "--topo-order", "--stdin",
                       stdin=("\n".join(list(new_tips) + ["^" + sha for sha in old_tips])
                              + "\n").encode(), env=self.objects_env))
        return self.described(out.split(), full=True)

    def described(self, shas, full=False):
        """The commits ``shas`` in that order: with ``full``, the whole message
        and the committer (what events carry), else the subject (the log)."""
        fmt = WITH_COMMITTER + "%B" if full else LOG_FORMAT
        commits = []
        for start in range(0, len(shas), 500):
            chunk = shas[start:start + 500]
            raw = text(git(self.path, "log", "--no-walk=unsorted", "--format=%s%%x1e" % fmt,
                           "--stdin", stdin=("\n".join(chunk) + "\n").encode(),
                           env=self.objects_env))
            commits.extend(commit_fields(r, full) for r in raw.split(RECORD) if r.strip())
        return commits

    def log_next_to(self, sha, cursor, count, path="", newer=False):
        """A page of ``git log sha -- path`` beside the commit ``cursor`` (a stable
        cursor: pushes on top of ``sha`` do not shift it): the ``count`` commits
        after it in the walk (older), or with ``newer`` the ``count`` before it.
        Returns (commits, whether the walk goes on past the page that way).

        The walk is ``rev-list``'s (``log``'s order), read up to the page's end
        only: as deep as ``--skip`` would go, one sha per line.  A cursor not
        in the walk (a force-push dropped it) is ``NotInRepository``."""
        if not SHA.match(cursor or ""):
            raise BadName("%r is not a commit id." % (cursor,)[:120])
        check_path(path)
        # GIT_FLUSH=0: one write per 4 KiB, not one per commit (10,000 commits:
        # 23 -> 8 ms of git's CPU); the walk is scanned in chunks, not lines
        process = git_stream(self.path, "rev-list", "--end-of-options", sha, "--",
                             *([path] if path else []), env={"GIT_FLUSH": "0"})
        try:
            page, more = walk_beside(process.stdout, cursor.encode("ascii"), count, newer)
        finally:
            process.kill()
            process.wait()
        return self.described(page), more


    def is_ancestor(self, old, new):
        """True when commit ``new`` contains ``old`` (a fast-forward from ``old``)."""
        result = subprocess.run(["git", "--git-dir", self.path, "merge-base", "--is-ancestor",
                                 "--end-of-options", old, new], capture_output=True,
                                env=dict(git_env(), **(self.objects_env or {})),
                                timeout=GIT_TIMEOUT)
        return result.returncode == 0

    def is_empty(self):
        return not self.ref_shas()


def walk_beside(stream, cursor, count, newer, chunk_size=65536):
    """(the ``count`` shas after ``cursor`` in the stream of lines, or with
    ``newer`` before it; whether more follow that way).  Reads the stream up to
    the page's end only; ``NotInRepository`` when the cursor never comes."""
    tail, before = b"", []
    while True:
        chunk = stream.read1(chunk_size) if hasattr(stream, "read1") else stream.read(chunk_size)
        data = tail + chunk
        at = data.find(cursor + b"\n")
        if at >= 0 and (at == 0 or data[at - 1:at] == b"\n"):
            break
        if not chunk:
            raise NotInRepository("Commit %s is not in this history." % cursor[:12].decode())
        if newer:       # the last count + 1 complete lines are all a page needs
            complete = data[:data.rfind(b"\n") + 1]
            before = (before + complete.split())[-(count + 1):]
            tail = data[len(complete):]
        else:
            tail = data[data.rfind(b"\n") + 1:]
    if newer:
        shas = (before + data[:at].split())[-(count + 1):]
        return [s.decode() for s in shas[-count:]], len(shas) > count
    after = data[at + len(cursor) + 1:]
    while after.count(b"\n") < count + 1:
        chunk = stream.read1(chunk_size) if hasattr(stream, "read1") else stream.read(chunk_size)
        if not chunk:
            break
        after += chunk
    shas = after.split(b"\n")[:count + 1]
    shas = [s.decode() for s in shas if len(s) == len(cursor)]
    return shas[:count], len(shas) > count


def commit_fields(record, with_committer=False):
    """A commit read with ``LOG_FORMAT``'s fields, or ``WITH_COMMITTER``'s (the
    committer's name and address before the message)."""
    committer = {}
    if with_committer:
        sha, parents, author, email, when, name, address, message = \
            record.strip("\n").split(FIELD, 7)
        committer = {"committer": name, "committer_email": address}
    else:
        sha, parents, author, email, when, message = record.strip("\n").split(FIELD, 5)
    return {"sha": sha, "parents": parents.split(), "author": author, "email": email,
            **committer,
            "time": int(when or 0),
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(int(when or 0))),
            "message": message.strip(),
            "subject": message.strip().split("\n", 1)[0]}
