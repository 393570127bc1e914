"""The code benchmark's baselines: Git smart HTTP without the forge, on the same waitress.

    python bench/code_servers.py cgi ROOT PORT [THREADS]       git http-backend as a CGI
    python bench/code_servers.py dulwich ROOT PORT [THREADS]   dulwich.web

Both serve every bare repository under ROOT (``/NAME.git/info/refs`` ...),
anonymously, fetch and push, on 127.0.0.1 with waitress like bench/serve.py.

``cgi`` is what a web server's CGI support does with ``git http-backend``, and
no more: the environment CGI defines, the request body piped to the child's
stdin by a thread while its stdout is read (no spooling), the CGI header block
parsed, the rest streamed in 64 KiB pieces.  The forge's own smart HTTP
(tools/code/smart_http.py) adds routing, permissions, its tweens and a spooled
request body to this: the difference between the two is the forge's cost.
"""
import os
import subprocess
import sys
import threading

import waitress

CHUNK = 64 * 1024


def cgi_app(root):
    base_env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "GIT_CONFIG_NOSYSTEM": "1",
                "HOME": os.environ.get("HOME", "/nonexistent"), "LC_ALL": "C",
                "GIT_PROJECT_ROOT": root, "GIT_HTTP_EXPORT_ALL": "1",
                "GATEWAY_INTERFACE": "CGI/1.1"}

    def app(environ, start_response):
        env = dict(base_env, PATH_INFO=environ.get("PATH_INFO", ""),
                   REQUEST_METHOD=environ["REQUEST_METHOD"],
                   QUERY_STRING=environ.get("QUERY_STRING", ""),
                   CONTENT_TYPE=environ.get("CONTENT_TYPE", ""),
                   REMOTE_ADDR=environ.get("REMOTE_ADDR", ""),
                   # http.receivepack is true in the benchmark's repositories; git
                   # http-backend also wants a user name before it takes a push
                   REMOTE_USER="bench")
        if environ.get("CONTENT_LENGTH"):
            env["CONTENT_LENGTH"] = environ["CONTENT_LENGTH"]
        for key in ("HTTP_CONTENT_ENCODING", "HTTP_GIT_PROTOCOL"):
            if key in environ:
                env[key] = environ[key]
        posting = environ["REQUEST_METHOD"] == "POST"
        process = subprocess.Popen(["git", "http-backend"], env=env, stdout=subprocess.PIPE,
                                   stdin=subprocess.PIPE if posting else subprocess.DEVNULL)
        if posting:
            threading.Thread(target=_pipe_body, args=(environ["wsgi.input"], process.stdin),
                             daemon=True).start()
        status, headers = "200 OK", []
        while True:
            line = process.stdout.readline().rstrip(b"\r\n")
            if not line:
                break
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "status":
                status = value.strip()
            else:
                headers.append((name.strip(), value.strip()))
        start_response(status, headers)
        return _stream(process)
    return app


def _pipe_body(source, sink):
    try:
        while True:
            piece = source.read(CHUNK)
            if not piece:
                break
            sink.write(piece)
    except (BrokenPipeError, OSError):
        pass
    finally:
        try:
            sink.close()
        except OSError:
            pass


def _stream(process):
    try:
        while True:
            piece = process.stdout.read1(CHUNK)
            if not piece:
                break
            yield piece
    finally:
        process.stdout.close()
        process.wait()


def dulwich_app(root):
    # DictBackend: FileSystemBackend joins the URL's leading "/" to the root
    from dulwich.repo import Repo
    from dulwich.server import DictBackend
    from dulwich.web import make_wsgi_chain
    repos = {"/" + name: Repo(os.path.join(root, name))
             for name in os.listdir(root) if name.endswith(".git")}
    return make_wsgi_chain(DictBackend(repos))


def main(argv):
    if len(argv) not in (4, 5) or argv[1] not in ("cgi", "dulwich"):
        sys.exit(__doc__)
    root, port = os.path.abspath(argv[2]), int(argv[3])
    threads = int(argv[4]) if len(argv) > 4 else 4
    app = cgi_app(root) if argv[1] == "cgi" else dulwich_app(root)
    waitress.serve(app, host="127.0.0.1", port=port, threads=threads, _quiet=True)


if __name__ == "__main__":
    main(sys.argv)
