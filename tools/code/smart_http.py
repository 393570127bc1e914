"""Git's smart HTTP protocol, served by ``git http-backend`` (git's own CGI).

Why http-backend and not dulwich: it is the implementation the ``git`` client
is written against (every protocol version and capability), it is not a new
dependency, and it streams: the request body goes to it from a spooled file
(memory up to 1 MiB, then disk) and a clone's pack goes from its stdout to the
client in 64 KiB pieces, never whole in memory.

The forge decides who may do what before git runs: ``read`` on the tool to
fetch, ``push`` to push; a reader without the right is told in words the git
client prints.
"""
import io
import shutil
import subprocess
import tempfile
import threading

from pyramid.response import Response

from forge.api import repository_settings

from .repository import git_env, init_repository, repository_path

SERVICES = ("git-upload-pack", "git-receive-pack")
CHUNK = 64 * 1024
SPOOL_IN_MEMORY = 1024 * 1024


def cgi_environ(request, repo_path, path_info, content_length, extra=None):
    root, name = repo_path.rsplit("/", 1)
    env = dict(git_env(), **(extra or {}))
    env.update(GIT_PROJECT_ROOT=root, GIT_HTTP_EXPORT_ALL="1",
               PATH_INFO="/" + name + path_info, REQUEST_METHOD=request.method,
               QUERY_STRING=request.query_string, CONTENT_TYPE=request.content_type or "",
               REMOTE_ADDR=request.remote_addr or "", GATEWAY_INTERFACE="CGI/1.1")
    if content_length is not None:
        env["CONTENT_LENGTH"] = str(content_length)
    if request.user is not None:
        env["REMOTE_USER"] = request.user.username
    for header in ("Content-Encoding", "Git-Protocol"):
        if header in request.headers:
            env["HTTP_" + header.upper().replace("-", "_")] = request.headers[header]
    return env


class TruncatedBody(Exception):
    """The body ended before its Content-Length: the client went away."""


class PushTooLarge(Exception):
    """A body past the limit; ``head`` is what was read of it (its commands line)."""

    def __init__(self, head=b""):
        super().__init__()
        self.head = head


def spool_body(request, limit):
    """The request body in a temporary file (disk past 1 MiB), counted as it is
    read: ``PushTooLarge`` past ``limit`` bytes, whatever Content-Length said."""
    if request.content_length is not None and request.content_length > limit:
        raise PushTooLarge()
    spool = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    source, total, head = request.body_file_raw, 0, None
    while True:
        piece = source.read(CHUNK)
        if not piece:
            break
        head = piece if head is None else head
        total += len(piece)
        if total > limit:
            spool.close()
            raise PushTooLarge(head)
        spool.write(piece)
    if request.content_length is not None and total != request.content_length:
        # a cut body would reach git as a malformed pack: refuse it before git runs
        spool.close()
        raise TruncatedBody()
    spool.seek(0)
    return spool, total


def stdin_for(spool):
    """A real file descriptor for the child (a spooled file still in memory has none)."""
    if getattr(spool, "_rolled", True) is False:
        spool.rollover()
    return spool.fileno()


def run_backend(request, repo_path, path_info, body=None, length=None, extra_env=None):
    """Start ``git http-backend``; return (process, status, headers) once its
    CGI headers are read; the body is what is left on its stdout."""
    process = subprocess.Popen(
        ["git", "http-backend"], stdin=stdin_for(body) if body is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
        env=cgi_environ(request, repo_path, path_info, length, extra_env))
    status, headers = read_cgi_headers(process.stdout)
    return process, status, headers


def read_cgi_headers(stream):
    """(status, headers) of a CGI answer; ``stream`` is left at its body."""
    status, headers = "200 OK", []
    while True:
        line = stream.readline().rstrip(b"\r\n")
        if not line:
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "status":
            status = value.strip()
        else:
            headers.append((name.strip(), value.strip()))
    return status, headers


def stream_output(process, body=None):
    try:
        while True:
            piece = process.stdout.read(CHUNK)
            if not piece:
                break
            yield piece
    finally:
        process.stdout.close()
        process.kill()
        process.wait()
        if body is not None:
            body.close()


def max_push_bytes(request):
    return repository_settings(request.registry.settings)[1]


def pkt_line(data):
    return b"%04x" % (len(data) + 4) + data


def first_pkt_line(stream):
    """The first pkt-line of a git request body (commands and capabilities)."""
    try:
        size = int(stream.read(4), 16)
    except ValueError:
        return b""
    return stream.read(max(0, min(size - 4, 65516)))


def truncated():
    return Response(status=400, content_type="text/plain", charset="utf-8",
                    body=b"The request body ended before its Content-Length; nothing was "
                         b"changed. Try again.\n")


def git_error_response(message, capabilities):
    """A 200 answer the git client prints as ``remote error: <message>``: on
    side-band 3 when the client asked for a side band, else an ERR packet (an
    HTTP error status would show only its number)."""
    text = message.encode("utf-8") + b"\n"
    sideband = b"side-band" in capabilities
    response = Response(body=pkt_line(b"\x03" + text if sideband else b"ERR " + text) + b"0000",
                        content_type="application/x-git-receive-pack-result")
    response.headers["Cache-Control"] = "no-cache"
    return response


def backend_response(request, repo_path, path_info):
    """Run the backend for a fetch or the ref advertisement: output streamed."""
    body, length = None, None
    if request.method == "POST":
        try:
            body, length = spool_body(request, max_push_bytes(request))
        except TruncatedBody:
            return truncated()
    process, status, headers = run_backend(request, repo_path, path_info, body, length)
    response = Response(status=status, headerlist=headers)
    response.app_iter = stream_output(process, body)
    return response


def receive_pack(request, repo_path, path_info, gate):
    """Run a push to the end (its answer is a short status report, kept in a
    spooled file) so the caller can record what the push brought; ``gate``
    (``pre_receive.PushGate``) answers git's pre-receive hook meanwhile, from
    this thread, while another one collects git's output."""
    limit = max_push_bytes(request)
    try:
        body, length = spool_body(request, limit)
    except PushTooLarge as refused:
        # the commands line comes first: it says whether the client reads a side band
        capabilities = first_pkt_line(io.BytesIO(refused.head) if refused.head
                                      else request.body_file_raw).partition(b"\x00")[2]
        return None, git_error_response(
            "push refused: it is larger than this forge accepts (%s bytes). "
            "Push fewer or smaller commits at a time."
            % format(limit, ","), capabilities)
    except TruncatedBody:
        return None, truncated()
    output = tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY)
    try:
        process = subprocess.Popen(
            ["git", "http-backend"], stdin=stdin_for(body), stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=cgi_environ(request, repo_path, path_info, length, gate.env))
        collector = threading.Thread(target=shutil.copyfileobj, args=(process.stdout, output),
                                     daemon=True)
        collector.start()
        try:
            gate.serve(process)
        finally:
            collector.join()
            process.wait()
    finally:
        body.close()
    output.seek(0)
    status, headers = read_cgi_headers(output)
    response = Response(status=status, headerlist=headers)
    response.app_iter = _file_iter(output)
    return process.returncode, response


def _file_iter(spool):
    try:
        while True:
            piece = spool.read(CHUNK)
            if not piece:
                break
            yield piece
    finally:
        spool.close()


def repository_of(request, context):
    return init_repository(repository_path(request.registry, context.tool_id))
