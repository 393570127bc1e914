"""git's ``pre-receive`` hook for pushes over the forge: hands the ref updates to
the forge process that is serving the push and obeys its answer.

Run by ``git receive-pack`` (under ``git http-backend``) as
``$FORGE_HOOK_PYTHON $FORGE_HOOK_SCRIPT`` from the forge's hooks directory
(``pre_receive.hooks_dir``); the forge sets the variables for this one push.
Standard library only: it runs in a fresh interpreter, outside the forge.

It sends, on the push's own Unix socket, one JSON document (the push's token,
its ref updates and git's quarantine directories, where the pushed objects
wait until the hook has said yes), reads one JSON answer and exits 0 to let
git update the refs, or prints the refusal (the client shows it as
``remote: ...``) and exits 1: git then updates no ref and deletes the
quarantine, so nothing of the push is kept.  Anything unexpected refuses.
"""
import json
import os
import socket
import sys

ANSWER_TIMEOUT = 600


def main():
    address = os.environ.get("FORGE_PRE_RECEIVE_SOCKET")
    if not address:
        return refuse("push refused: the forge did not start this check.")
    updates = [line.split() for line in sys.stdin.read().splitlines() if line.strip()]
    request = {"token": os.environ.get("FORGE_PRE_RECEIVE_TOKEN", ""), "updates": updates,
               "quarantine": os.environ.get("GIT_QUARANTINE_PATH", ""),
               "objects": os.environ.get("GIT_OBJECT_DIRECTORY", ""),
               "alternates": os.environ.get("GIT_ALTERNATE_OBJECT_DIRECTORIES", "")}
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as channel:
            channel.settimeout(ANSWER_TIMEOUT)
            channel.connect(address)
            channel.sendall(json.dumps(request).encode("utf-8"))
            channel.shutdown(socket.SHUT_WR)
            answer = b""
            while True:
                piece = channel.recv(65536)
                if not piece:
                    break
                answer += piece
        answer = json.loads(answer.decode("utf-8"))
    except (OSError, ValueError):
        return refuse("push refused: the forge could not check it; try again.")
    if answer.get("accept") is True:
        return 0
    return refuse(str(answer.get("message") or "push refused."))


def refuse(message):
    sys.stderr.write(message.rstrip("\n") + "\n")
    sys.stderr.flush()
    return 1


if __name__ == "__main__":
    sys.exit(main())
