"""The address checks (claims/text/links.py, used by claims/fetch.py): refused before any
connection, and, for what needs no DNS, before anything is stored."""

import ipaddress

import pytest

from claims import fetch
from claims.text.links import link_refusal

# Deprecated IPv6 forms that Python 3.11 calls global, each wrapping a local address.
DEPRECATED_IPV6 = [
    "::7f00:1",  # IPv4-compatible ::127.0.0.1
    "::a00:1",  # IPv4-compatible ::10.0.0.1
    "::ffff:0:7f00:1",  # IPv4-translated ::ffff:0:127.0.0.1
    "fec0::1",  # site-local
    "64:ff9b::a00:1",  # NAT64 around 10.0.0.1
    "2002:a00:1::",  # 6to4 around 10.0.0.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo around 10.0.0.1
]


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "224.0.0.1",
        "255.255.255.255",
        "::1",
        "::",
        "fe80::1",
        "fd00::1",
        "::ffff:127.0.0.1",
        "::ffff:169.254.169.254",
        "64:ff9b::7f00:1",
        "2002:7f00:1::",
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo around 127.0.0.1
        "ff02::1",
        *DEPRECATED_IPV6,
    ],
)
def test_non_global_addresses_are_refused(address):
    assert not fetch.address_is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_global_addresses_pass(address):
    assert fetch.address_is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://example.org/", "bad_scheme"),
        ("file:///etc/passwd", "bad_scheme"),
        ("javascript:alert(1)", "bad_scheme"),
        ("http://127.0.0.1:9/", "refused_address"),
        ("http://[::1]/", "refused_address"),
        ("http://2130706433/", "refused_address"),
        ("http://0x7f000001/", "refused_address"),
        ("http://0177.0.0.1/", "refused_address"),
        ("http://127.1/", "refused_address"),
        ("http://localhost./", "refused_address"),
        ("http://user:pw@127.0.0.1/", "bad_url"),
        ("http://example.org@127.0.0.1/", "bad_url"),
        ("http://user@example.org/", "bad_url"),
        ("https://user:secret@example.org/page", "bad_url"),
        *((f"http://[{address}]/", "refused_address") for address in DEPRECATED_IPV6),
        ("http://%31%32%37.0.0.1/", "bad_url"),
        ("http://[::ffff:127.0.0.1]/", "refused_address"),
        ("http://169.254.169.254/latest/meta-data/", "refused_address"),
        ("http://no-such-host.invalid/", "dns"),
        ("http://[::1/", "bad_url"),
    ],
)
def test_hostile_urls_are_refused_with_a_code(url, code):
    assert fetch.url_refusal(url) == code


def test_allowed_local_pairs_only(settings):
    settings.FACTCHECK_FETCH_ALLOW = ["127.0.0.1:8765"]
    assert fetch.url_refusal("http://127.0.0.1:8765/page") is None
    assert fetch.url_refusal("http://127.0.0.1:8766/page") == "refused_address"
    assert fetch.url_refusal("http://10.0.0.1:8765/page") == "refused_address"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("javascript:alert(1)", "bad_scheme"),
        ("http://user@example.org/", "bad_url"),
        ("http://127.1/", "refused_address"),
        ("http://0177.0.0.1/", "refused_address"),
        ("http://2130706433/", "refused_address"),
        ("http://localhost/", "refused_address"),
        ("http://printer.local/", "refused_address"),
        *((f"http://[{address}]/", "refused_address") for address in DEPRECATED_IPV6),
        ("https://example.org/page", None),
        ("http://1.1.1.1/", None),
    ],
)
def test_link_refusal_judges_without_dns(url, code, monkeypatch):
    def no_dns(*args, **kwargs):
        raise AssertionError("link_refusal looked up a name")

    monkeypatch.setattr("socket.getaddrinfo", no_dns)
    assert link_refusal(url) == code
