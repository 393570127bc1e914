"""The forge settings shared by the seeding step, the server and the profiler.

All three build ``forge.main({}, **settings(port))`` against the same
embedded MongoDB wire-protocol server, so what is seeded is what is served.
The search index is a directory all three share (``BENCH_SEARCH_PATH``, set
by ``bench/run``): the seeding step fills it, the server reads it.
"""
import os

DATABASE = "forge_bench"
SECRET = "page-benchmark-secret"


def settings(mongo_port):
    search = {"forge.search.path": os.environ["BENCH_SEARCH_PATH"]} \
        if os.environ.get("BENCH_SEARCH_PATH") else {}
    return {
        **search,
        "ming.main.uri": "mongodb://127.0.0.1:%d/" % int(mongo_port),
        "ming.main.database": DATABASE,
        "forge.secret": SECRET,
        "pyramid.reload_templates": "false",
        "pyramid.debug_authorization": "false",
        "pyramid.debug_notfound": "false",
        "pyramid.debug_routematch": "false",
    }
