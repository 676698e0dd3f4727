"""The fetch module's address checks (claims/fetch.py): refused before any connection."""

import ipaddress

import pytest

from claims import fetch


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
        ("http://user:pw@127.0.0.1/", "refused_address"),
        ("http://example.org@127.0.0.1/", "refused_address"),
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
