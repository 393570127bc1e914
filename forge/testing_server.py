"""A WSGI app served by waitress on a free port of 127.0.0.1, in a thread of
the test's process, for tests that need a real HTTP client (git, httpx, a
browser).  Part of the test API through ``forge.testing``."""
import threading

import waitress


class served_in_thread:
    """Serves ``app`` from construction until ``stop()`` (or the end of a
    ``with`` block, which gives this object: its ``effective_port``).

    The server is stopped from its own loop's thread: closing its sockets
    from another thread, as the tests' ``server.close()`` did, can leave the
    loop selecting on a closed descriptor, which raised EBADF in the server's
    thread (an unhandled exception that pytest reports as a warning)."""

    def __init__(self, app, threads=1, name="forge-test-server", **adjustments):
        self.server = waitress.create_server(app, host="127.0.0.1", port=0, threads=threads,
                                             **adjustments)
        self.effective_port = self.server.effective_port
        self.thread = threading.Thread(target=self.server.run, name=name, daemon=True)
        self.thread.start()

    def stop(self, seconds=5):
        """End the loop from within it (every channel closed: its map empty,
        ``run`` returns), then the task threads."""
        server = self.server

        def close_everything():
            for channel in list(server._map.values()):
                if channel is not server and channel is not server.trigger:
                    channel.close()
            server.close()          # the listening socket and the trigger
        server.trigger.pull_trigger(close_everything)
        self.thread.join(seconds)
        server.task_dispatcher.shutdown(timeout=seconds)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()
