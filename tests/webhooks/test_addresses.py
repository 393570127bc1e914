"""The SSRF rule: which URLs a hook may have and which addresses it may reach."""
import ipaddress

import pytest

from forge.webhooks.addresses import AddressRefused, check_url, is_public, parse_url, resolve
from forge.webhooks.sender import post

from .receiver import Receiver

SETTINGS = {"forge.webhooks.allow_private": False, "forge.webhooks.timeout_seconds": 2,
            "forge.webhooks.max_response_bytes": 100}


@pytest.mark.parametrize("address,public", [
    ("93.184.216.34", True), ("2606:2800:220:1:248:1893:25c8:1946", True),
    ("127.0.0.1", False), ("127.8.9.10", False), ("10.1.2.3", False), ("172.16.0.1", False),
    ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False),
    ("0.0.0.0", False), ("224.0.0.1", False), ("240.0.0.1", False), ("::1", False),
    ("fe80::1", False), ("fc00::1", False), ("::ffff:127.0.0.1", False),
    ("::ffff:10.0.0.1", False), ("::", False),
])
def test_public_addresses(address, public):
    assert is_public(ipaddress.ip_address(address)) is public


@pytest.mark.parametrize("url,message", [
    ("", "Give the hook's URL"),
    ("ftp://example.com/x", "http:// or https://"),
    ("javascript:alert(1)", "http:// or https://"),
    ("http:///nohost", "no host"),
    ("http://user:pw@example.com/", "no user name or password"),
    ("http://example.com:99999/", "not valid"),
    ("http://exa mple.com/", "no spaces"),
    ("http://127.0.0.1/hook", "private, loopback or link-local"),
    ("http://[::1]:8080/hook", "private, loopback or link-local"),
    ("http://169.254.169.254/latest/meta-data", "private, loopback or link-local"),
    ("http://localhost:8080/", "this machine"),
    ("http://" + "a" * 2000 + ".com/", "at most"),
])
def test_refused_urls(url, message):
    with pytest.raises(AddressRefused, match=message):
        check_url(url, allow_private=False)


def test_allowed_urls():
    assert check_url(" https://ci.example.com/hook?x=1 ", False) == \
        "https://ci.example.com/hook?x=1"
    assert parse_url("https://ci.example.com/hook?x=1") == \
        ("https", "ci.example.com", 443, "/hook?x=1")
    assert check_url("http://127.0.0.1:8080/", allow_private=True)


def test_names_are_resolved_and_every_address_checked():
    with pytest.raises(AddressRefused, match="not a public address"):
        resolve("localhost", 80, allow_private=False)
    assert resolve("localhost", 80, allow_private=True) in ("127.0.0.1", "::1")
    with pytest.raises(AddressRefused, match="does not resolve"):
        resolve("no-such-host.invalid", 80, allow_private=True)


def test_a_refused_address_is_never_connected_to():
    receiver = Receiver((200,))
    try:
        outcome = post(receiver.url, b"{}", {}, SETTINGS)
        assert not outcome.delivered and "not a public address" in outcome.error
        assert receiver.requests == []
        outcome = post(receiver.url, b"{}", {}, dict(
            SETTINGS, **{"forge.webhooks.allow_private": True}))
        assert outcome.delivered and outcome.status == 200
        assert len(receiver.requests) == 1
    finally:
        receiver.close()


def test_a_closed_port_is_a_failure_not_an_exception():
    receiver = Receiver((200,))
    url = receiver.url
    receiver.close()
    outcome = post(url, b"{}", {}, dict(SETTINGS, **{"forge.webhooks.allow_private": True}))
    assert not outcome.delivered and outcome.status is None
    assert "Not delivered" in outcome.error


def test_https_goes_to_the_checked_address_and_verifies_the_certificate(tmp_path):
    """TLS to the pinned address, the certificate checked against the URL's host
    name: a self-signed receiver is refused (nothing is posted to it)."""
    import ssl
    import subprocess
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost",
                    "-keyout", str(tmp_path / "key.pem"), "-out", str(tmp_path / "cert.pem")],
                   check=True, capture_output=True)
    receiver = Receiver((200,))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    receiver.server.socket = context.wrap_socket(receiver.server.socket, server_side=True)
    try:
        url = receiver.url.replace("http://127.0.0.1", "https://localhost")
        outcome = post(url, b"{}", {}, dict(SETTINGS, **{"forge.webhooks.allow_private": True}))
        assert not outcome.delivered and "CERTIFICATE_VERIFY_FAILED" in outcome.error
        assert receiver.requests == []
    finally:
        receiver.close()
