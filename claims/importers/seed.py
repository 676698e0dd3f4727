"""The newsroom's plain-text article format (``../shared/seeds/000_*.txt``).

    <title>
    Bewerkt door: <editor>            (or "Edited by:"; optional)
    <body paragraphs>                 (one per line, or blocks split by blank lines)
    Bronnen                           (or "Sources")
    <Title - Publisher [(https://...)]> ...
    Lees meer nieuws over dit onderwerp:   (or "Read more news on this topic:")
    <related headline> ...
    Heb je een fout of onnauwkeurigheid gevonden?   (the feedback prompt, Dutch or English)
    <footer text, never kept>

Parsing is pure: bytes in, a ``SeedArticle`` out, or ``SeedFormatError`` with a one-line
reason. Writing to the database is ``services.article_import``.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field

from claims.text.links import URL_RE, BadLink, link_normalise

MAX_TITLE = 300
MAX_BYLINE = 200
MAX_HEADLINE = 300
MAX_SOURCE_TITLE = 500
MAX_PUBLISHER = 200


class SeedFormatError(ValueError):
    """The file cannot be read as a seed-format article. The message is one line."""


BYLINE_RE = re.compile(r"^(?:bewerkt door|edited by)\s*:\s*(?P<name>.*)$", re.IGNORECASE)
SECTION_RE = {
    "sources": re.compile(r"^(?:bronnen|sources)\s*:?$", re.IGNORECASE),
    "related": re.compile(
        r"^(?:lees meer nieuws over dit onderwerp|read more news on this topic)\s*:?$",
        re.IGNORECASE,
    ),
    "footer": re.compile(
        r"^(?:heb je een fout of onnauwkeurigheid gevonden"
        r"|(?:did you )?find an error or (?:an )?inaccuracy"
        r"|found an error or (?:an )?inaccuracy)\s*\??$",
        re.IGNORECASE,
    ),
}
DUTCH_MARKERS = re.compile(
    r"^(?:bewerkt door|bronnen|lees meer nieuws|heb je een fout)", re.IGNORECASE
)
ENGLISH_MARKERS = re.compile(
    r"^(?:edited by|sources|read more news|found an error|did you find)", re.I
)
# A URL in parentheses at the end of a source line, or a bare one after the text.
TRAILING_URL_RE = re.compile(r"\s*[(<]?(?P<url>https?://[^\s()<>]+)[)>]?\s*$", re.IGNORECASE)
TITLE_PUBLISHER_SEP = re.compile(r"\s+[-\u2013\u2014|]\s+")
# Zero-width characters and the BOM that editors' tools leave behind; not ZWJ (emoji).
INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u2060"), None)


@dataclass
class SeedSource:
    title: str
    publisher: str = ""
    url: str = ""
    line: str = ""

    @property
    def key(self) -> str:
        if self.url:
            return self.url
        folded = " ".join(f"{self.title}|{self.publisher}".casefold().split())
        return f"title:{folded}"


@dataclass
class SeedArticle:
    title: str
    byline: str
    language: str
    paragraphs: list[str]
    sources: list[SeedSource] = field(default_factory=list)
    duplicate_sources: list[str] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    source_lines: int = 0

    @property
    def content_hash(self) -> str:
        data = asdict(self)
        data.pop("duplicate_sources")
        blob = json.dumps(data, sort_keys=True, ensure_ascii=False).encode()
        return hashlib.sha256(blob).hexdigest()


def seed_decode(data: bytes, *, max_bytes: int) -> str:
    if len(data) > max_bytes:
        raise SeedFormatError(f"file is larger than {max_bytes // (1024 * 1024)} MB")
    if not data.strip():
        raise SeedFormatError("file is empty")
    if b"\x00" in data:
        raise SeedFormatError("file is binary, not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SeedFormatError(f"file is not UTF-8 text (byte {exc.start})") from None
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f\v" for ch in text):
        raise SeedFormatError("file is binary, not text")
    return text


def _clean_line(line: str) -> str:
    line = unicodedata.normalize("NFC", line.translate(INVISIBLE))
    return " ".join(line.replace("\u00a0", " ").split())


def _paragraphs(lines: list[str]) -> list[str]:
    """One paragraph per line; or, when blank lines split the body, one per block."""
    while lines and not lines[0]:
        lines = lines[1:]
    while lines and not lines[-1]:
        lines = lines[:-1]
    if "" not in lines:
        return lines
    blocks, current = [], []
    for line in lines:
        if line:
            current.append(line)
        elif current:
            blocks.append(" ".join(current))
            current = []
    if current:
        blocks.append(" ".join(current))
    return blocks


def seed_source_parse(line: str) -> SeedSource:
    url = ""
    text = line
    if URL_RE.match(line):
        text = ""
        url = line
    else:
        match = TRAILING_URL_RE.search(line)
        if match:
            url = match.group("url")
            text = line[: match.start()].strip()
    if url:
        try:
            url = link_normalise(url)
        except BadLink:
            url, text = "", line  # keep the line as a title; an editor fixes the URL
    parts = TITLE_PUBLISHER_SEP.split(text)
    if len(parts) > 1:
        title, publisher = " - ".join(parts[:-1]), parts[-1]
    else:
        title, publisher = text, ""
    if not title:
        title = url
    return SeedSource(
        title=title[:MAX_SOURCE_TITLE], publisher=publisher[:MAX_PUBLISHER], url=url, line=line
    )


def seed_parse(text: str) -> SeedArticle:
    lines = [_clean_line(line) for line in text.splitlines()]
    nonblank = [i for i, line in enumerate(lines) if line]
    if not nonblank:
        raise SeedFormatError("file is empty")
    title = lines[nonblank[0]]
    if any(regex.match(title) for regex in SECTION_RE.values()) or BYLINE_RE.match(title):
        raise SeedFormatError("file has no title (the first line is a section heading)")
    if len(title) > MAX_TITLE:
        raise SeedFormatError(f"title is longer than {MAX_TITLE} characters")

    rest = lines[nonblank[0] + 1 :]
    byline = ""
    headings: list[str] = []  # structural lines; their language is the article's
    for index, line in enumerate(rest):
        if not line:
            continue
        match = BYLINE_RE.match(line)
        if match:
            byline = match.group("name").strip()[:MAX_BYLINE]
            headings.append(line)
            rest = rest[index + 1 :]
        break

    sections: dict[str, list[str]] = {"body": [], "sources": [], "related": [], "footer": []}
    current = "body"
    for line in rest:
        for name, regex in SECTION_RE.items():
            if regex.match(line):
                current = name
                break
        else:
            if current == "footer":
                continue
            sections[current].append(line)
            continue
        headings.append(line)
        if current == "footer":
            break

    paragraphs = _paragraphs(sections["body"])
    if not paragraphs:
        raise SeedFormatError("file has no body text after the title")

    sources: list[SeedSource] = []
    seen: dict[str, SeedSource] = {}
    duplicates: list[str] = []
    source_lines = [line for line in sections["sources"] if line]
    for line in source_lines:
        source = seed_source_parse(line)
        if source.key in seen:
            duplicates.append(line)
            continue
        seen[source.key] = source
        sources.append(source)

    related = [line[:MAX_HEADLINE] for line in sections["related"] if line]
    dutch = sum(bool(DUTCH_MARKERS.match(line)) for line in headings)
    english = sum(bool(ENGLISH_MARKERS.match(line)) for line in headings)
    return SeedArticle(
        title=title,
        byline=byline,
        language="en" if english > dutch else "nl",
        paragraphs=paragraphs,
        sources=sources,
        duplicate_sources=duplicates,
        related=related,
        source_lines=len(source_lines),
    )


def seed_read(data: bytes, *, max_bytes: int) -> SeedArticle:
    return seed_parse(seed_decode(data, max_bytes=max_bytes))
