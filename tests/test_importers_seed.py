"""The seed-format parser, on the real seed and the nine Dutch newspaper texts."""

import json

import pytest

from claims.importers.seed import SeedFormatError, seed_decode, seed_parse, seed_read
from tests.conftest import DATA, shared_file

MB = 1024 * 1024


def read(data: bytes):
    return seed_read(data, max_bytes=2 * MB)


def test_seed_is_read_exactly(seed_bytes):
    article = read(seed_bytes)

    assert article.title == (
        "Gesprekken Poetin-VS over Oekraïne eindigen zonder doorbraak op territoriale kwesties"
    )
    assert article.byline == "gaya ❤️ one"
    assert article.language == "nl"
    assert len(article.paragraphs) == 5
    assert article.paragraphs[0].startswith("Op dinsdag 2 december 2025 vond in het Kremlin")
    assert article.paragraphs[-1].endswith("recent rond Pokrovsk, voortduren.")
    assert article.source_lines == 5
    assert [(s.title, s.publisher, s.url) for s in article.sources] == [
        ("Aktual24", "", ""),
        ("Steve Witkoff", "Wikipedia", ""),
        (
            "Kremlin calls Russia-U.S. talks on Ukraine peace plan end without breakthrough",
            "CGTN",
            "",
        ),
        (
            "Putin Issues Grave Warning to Europe Amid Discord Over Russia-Ukraine Peace Talks",
            "",
            "",
        ),
    ]
    assert article.duplicate_sources == [
        "Kremlin calls Russia-U.S. talks on Ukraine peace plan end without breakthrough - CGTN"
    ]
    assert len(article.related) == 3
    assert article.related[1].startswith("Gratie Trump voor Honduras")


def test_seed_footer_is_never_body_text(seed_bytes):
    article = read(seed_bytes)
    body = "\n".join(article.paragraphs)
    for footer in ("Heb je een fout", "We zullen je opmerkingen", "Lees meer nieuws"):
        assert footer not in body
    assert "Bronnen" not in article.paragraphs
    assert not any("Heb je een fout" in h for h in article.related)


def test_bom_crlf_whitespace_and_emoji_are_handled(seed_bytes):
    text = seed_bytes.decode("utf-8").replace("\n", "\r\n")
    text = "\ufeff\r\n   " + text.replace("Bewerkt door:", "  Bewerkt door:  ")
    article = read(text.encode("utf-8"))

    assert article.title.startswith("Gesprekken Poetin-VS")
    assert article.byline == "gaya ❤️ one"
    assert len(article.paragraphs) == 5
    assert read(seed_bytes).content_hash == article.content_hash


def test_english_layout_is_read():
    text = (
        "Talks end without breakthrough\n"
        "Edited by: Sam\n"
        "First paragraph.\n"
        "Second paragraph.\n"
        "Sources\n"
        "Kremlin statement - TASS (https://TASS.com/politics/1?utm_source=x#top)\n"
        "https://example.org/report\n"
        "Read more news on this topic:\n"
        "Another headline\n"
        "Found an error or inaccuracy?\n"
        "We will consider your comments as soon as possible.\n"
    )
    article = seed_parse(text)

    assert article.language == "en"
    assert article.byline == "Sam"
    assert article.paragraphs == ["First paragraph.", "Second paragraph."]
    assert [(s.title, s.publisher, s.url) for s in article.sources] == [
        ("Kremlin statement", "TASS", "https://tass.com/politics/1"),
        ("https://example.org/report", "", "https://example.org/report"),
    ]
    assert article.related == ["Another headline"]


def test_same_url_twice_is_one_source():
    text = (
        "Title\nBody.\nBronnen\n"
        "A - B (https://example.org/x?utm_medium=mail)\n"
        "A - B (https://EXAMPLE.org/x#frag)\n"
    )
    article = seed_parse(text)
    assert len(article.sources) == 1
    assert article.duplicate_sources == ["A - B (https://EXAMPLE.org/x#frag)"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b"   \n\r\n\t ", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary"),
        ("Titel\nTekst met é\n".encode("latin-1"), "not UTF-8"),
        (b"x" * (2 * MB + 1), "larger than 2 MB"),
        (b"Alleen een titel\n", "no body"),
        (b"Alleen een titel\nBewerkt door: iemand\nBronnen\nA - B\n", "no body"),
        (b"Bronnen\nA - B\n", "no title"),
    ],
    ids=["empty", "blank", "binary", "latin-1", "too-large", "title-only", "no-body", "no-title"],
)
def test_bad_input_gets_a_one_line_reason(data, message):
    with pytest.raises(SeedFormatError) as error:
        read(data)
    assert message in str(error.value)
    assert "\n" not in str(error.value)


def test_oversize_check_comes_before_decoding():
    with pytest.raises(SeedFormatError, match="larger than 2 MB"):
        seed_decode(b"\xff" * (2 * MB + 1), max_bytes=2 * MB)


def ud_texts():
    index = json.loads(shared_file("data", "dutch_news", "ud_alpino", "index.json").read_text())
    return [(entry["file"], entry["paragraphs"]) for entry in index]


def test_nine_dutch_newspaper_texts_in_the_seed_layout():
    texts = ud_texts()
    assert len(texts) == 9
    for name, paragraph_count in texts:
        body = (DATA / "dutch_news" / "ud_alpino" / name).read_text(encoding="utf-8")
        wrapped = (
            f"Artikel {name}\nBewerkt door: redactie\n{body}\n"
            "Bronnen\nAlpino Treebank - Universal Dependencies (https://universaldependencies.org/)\n"
            "Lees meer nieuws over dit onderwerp:\nEen ander verhaal\n"
            "Heb je een fout of onnauwkeurigheid gevonden?\n"
            "We zullen je opmerkingen zo snel mogelijk in overweging nemen.\n"
        )
        article = read(wrapped.encode())

        assert article.title == f"Artikel {name}"
        assert article.language == "nl"
        assert len(article.paragraphs) == paragraph_count, name
        assert " ".join(article.paragraphs) == " ".join(body.split())
        assert article.sources[0].url == "https://universaldependencies.org/"
        assert article.related == ["Een ander verhaal"]
