import pytest

from claims.text.links import BadLink, link_domain, link_normalise


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("HTTPS://Example.COM:443/a?utm_source=x&b=2&a=1#frag", "https://example.com/a?a=1&b=2"),
        ("http://example.com./x?fbclid=abc", "http://example.com/x"),
        ("https://example.com", "https://example.com/"),
        ("http://example.com:8080/", "http://example.com:8080/"),
    ],
)
def test_links_are_normalised(raw, normal):
    assert link_normalise(raw) == normal


@pytest.mark.parametrize("raw", ["javascript:alert(1)", "ftp://x.org/", "http://", "x" * 2100])
def test_bad_links_are_refused(raw):
    with pytest.raises(BadLink):
        link_normalise(raw)


def test_domain_drops_www():
    assert link_domain("https://www.CGTN.com/news") == "cgtn.com"
