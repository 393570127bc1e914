"""forge.testing.served_in_thread: the server stops from its own thread,
also with a client connection still open, and its thread ends cleanly."""
import http.client
import threading

from forge.testing import served_in_thread


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"hello"]


def test_stops_with_a_connection_open_and_no_exception_in_its_thread(monkeypatch):
    raised = []
    monkeypatch.setattr(threading, "excepthook", lambda args: raised.append(args))
    served = served_in_thread(hello, threads=2)
    client = http.client.HTTPConnection("127.0.0.1", served.effective_port, timeout=5)
    client.request("GET", "/")                  # HTTP/1.1: the connection stays open
    assert client.getresponse().read() == b"hello"
    served.stop()
    # the open channel closed too, so the loop's map emptied and run() returned
    assert not served.thread.is_alive()
    assert raised == []
    client.close()


def test_a_with_block_serves_until_it_ends():
    with served_in_thread(hello) as served:
        client = http.client.HTTPConnection("127.0.0.1", served.effective_port, timeout=5)
        client.request("GET", "/")
        assert client.getresponse().status == 200
        client.close()
    assert not served.thread.is_alive()
