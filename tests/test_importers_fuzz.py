"""Fuzzing: arbitrary bytes and text never make the seed importer raise anything but
its own error type."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claims.importers.seed import SeedFormatError, seed_parse, seed_read

HEADINGS = st.sampled_from(
    [
        "Bewerkt door: x",
        "Edited by:",
        "Bronnen",
        "Sources:",
        "Lees meer nieuws over dit onderwerp:",
        "Heb je een fout of onnauwkeurigheid gevonden?",
        "https://example.org/x",
        "Titel - Uitgever (https://example.org/a)",
        "(http://[::1)",
        "",
        " - ",
    ]
)
LINES = st.lists(st.one_of(HEADINGS, st.text(max_size=80)), max_size=30)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_raise_only_seed_format_errors(data):
    try:
        article = seed_read(data, max_bytes=1000)
    except SeedFormatError as error:
        assert "\n" not in str(error)
    else:
        assert article.title and article.paragraphs


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(LINES, st.sampled_from(["\n", "\r\n", "\r"]))
def test_arbitrary_layouts_raise_only_seed_format_errors(lines, newline):
    try:
        article = seed_parse(newline.join(lines))
    except SeedFormatError:
        return
    assert article.title.strip() == article.title
    assert all(p.strip() for p in article.paragraphs)
    assert len({s.key for s in article.sources}) == len(article.sources)
