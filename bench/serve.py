"""Serve the forge on waitress for the page benchmark.

    python bench/serve.py MONGO_PORT HTTP_PORT [THREADS]

Builds ``forge.main`` with the benchmark settings (see ``forge_settings``) and
serves it on 127.0.0.1 with waitress, like a production single process.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import waitress  # noqa: E402

import forge  # noqa: E402
from forge_settings import settings  # noqa: E402


def main(argv):
    mongo_port, http_port = int(argv[1]), int(argv[2])
    threads = int(argv[3]) if len(argv) > 3 else 4
    app = forge.main({}, **settings(mongo_port))
    waitress.serve(app, host="127.0.0.1", port=http_port, threads=threads, _quiet=True)


if __name__ == "__main__":
    main(sys.argv)
