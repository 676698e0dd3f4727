"""ClaimReview markup in: parse what fact-checkers really publish, odd fields and all.

Accepted shapes: one object or a list; JSON Lines; a schema.org ``DataFeed`` or a Data
Commons ``DataFeedItem``; ``@graph``; a Google Fact Check Tools ``claims:search`` item;
an HTML page (or any text) with ``<script type="application/ld+json">`` blocks; and the
line wrapper of ``../shared/data/claimreview/real_claimreviews.jsonl`` (``claimreview``
plus ``fixture_url``, used as the base for relative URLs).

Real markup is lenient, so is this parser: ``@type`` as a list or in lower case,
``author`` as a list, a relative or scheme-less ``url``, ``ratingValue`` as a string,
empty or missing, no ``@context``, ``claimReviewed`` as a list — each becomes a warning on
the record, not a failure. A record that is not a ClaimReview (wrong ``@type``, no
``claimReviewed``) or not JSON gets one error line and the rest still imports.
Pure: bytes in, records out. Writing is ``services.claimreview_import``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urljoin, urlsplit

from dateutil import parser as date_parser
from lxml import html as lxml_html

from claims.text.links import link_refusal

LD_JSON_RE = re.compile(
    r"<script[^>]*type\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script>",
    re.IGNORECASE | re.DOTALL,
)
LONG_CLAIM = 300


@dataclass
class ParsedReview:
    """One ClaimReview, normalised. ``raw`` is the object as published."""

    where: str  # "record 3", "line 12": for messages
    claim_reviewed: str
    url: str = ""
    authors: list[dict] = field(default_factory=list)
    claimant: str = ""
    claimant_type: str = ""
    claim_date: date | None = None
    review_date: date | None = None
    appearance_urls: list[str] = field(default_factory=list)
    first_appearance_url: str = ""
    rating_text: str = ""
    rating_value: float | None = None
    best_rating: float | None = None
    worst_rating: float | None = None
    language: str = ""
    raw: dict = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass
class RecordError:
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


# --- Finding the objects --------------------------------------------------------------


def _looks_like_html(text: str) -> bool:
    head = text.lstrip()[:2000].lower()
    if head.startswith(("{", "[")):  # JSON, even when a text in it quotes "<script"
        return False
    return head.startswith("<") or "<script" in text.lower() or "<html" in head


def _objects_in(value, where: str, base_url: str) -> Iterator[tuple[str, dict | str, str]]:
    """Unwrap containers into (where, object, base_url); a non-object yields a string."""
    if isinstance(value, list):
        for n, item in enumerate(value, start=1):
            yield from _objects_in(item, f"{where}[{n}]" if where else f"record {n}", base_url)
        return
    if not isinstance(value, dict):
        yield where or "record 1", f"not an object but {type(value).__name__}", base_url
        return
    where = where or "record 1"
    types = {t.casefold() for t in _types(value)}
    if "claimreview" in value and isinstance(value["claimreview"], dict | list):
        # The shared data's line wrapper: the markup plus the page it came from.
        yield from _objects_in(value["claimreview"], where, _base(value, "fixture_url", base_url))
    elif "@graph" in value:
        yield from _objects_in(value["@graph"], where, base_url)
    elif "datafeed" in types or "dataFeedElement" in value:
        yield from _objects_in(value.get("dataFeedElement", []), where, base_url)
    elif "datafeeditem" in types:
        yield from _objects_in(value.get("item", []), where, _base(value, "url", base_url))
    elif "claimReview" in value and "text" in value:
        for n, review in enumerate(_listed(value["claimReview"]), start=1):
            here = f"{where}.claimReview[{n}]"
            if isinstance(review, dict):
                yield here, _from_factcheck_api(value, review), base_url
            else:
                yield here, f"not an object but {type(review).__name__}", base_url
    else:
        yield where, value, base_url


def _listed(value) -> list:
    """A field that should be a list: one value becomes a list of one, none an empty list."""
    if value is None or value == "":
        return []
    return value if isinstance(value, list) else [value]


def _base(value: dict, key: str, base_url: str) -> str:
    """A wrapper's own URL as the base for relative URLs, when it is text."""
    url = value.get(key)
    return url if isinstance(url, str) and url.strip() else base_url


def _from_factcheck_api(claim: dict, review: dict) -> dict:
    """A Google Fact Check Tools ``claims:search`` item, as ClaimReview."""
    publisher = review.get("publisher")
    publisher = publisher if isinstance(publisher, dict) else {}
    site = _text(publisher.get("site"))
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": claim.get("text", ""),
        "url": review.get("url", ""),
        "datePublished": review.get("reviewDate", ""),
        "inLanguage": review.get("languageCode", ""),
        "author": {
            "@type": "Organization",
            "name": publisher.get("name") or site,
            **({"url": f"https://{site}/"} if site else {}),
        },
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": claim.get("claimant", "")},
            "datePublished": claim.get("claimDate", ""),
        },
        "reviewRating": {"@type": "Rating", "alternateName": review.get("textualRating", "")},
        "_source": "factchecktools",
    }


def claimreview_records(data: bytes, *, base_url: str = "") -> Iterator[ParsedReview | RecordError]:
    """Every ClaimReview in ``data``, parsed, or an error for each record that is not one."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield RecordError("file", f"not UTF-8 text (byte {exc.start})")
        return
    if not text.strip():
        yield RecordError("file", "empty")
        return
    found: list[tuple[str, dict | str, str]] = []
    if _looks_like_html(text):
        blocks = _ld_json_blocks(text)
        if not blocks:
            yield RecordError("page", 'no <script type="application/ld+json"> block')
            return
        for n, block in enumerate(blocks, start=1):
            try:
                value = _json_loads(block, strict=False)
            except ValueError as exc:
                yield RecordError(f"script {n}", f"not JSON ({exc})")
                continue
            found.extend(_objects_in(value, f"script {n}", base_url))
        found = [item for item in found if _is_review_or_error(item[1])]
        if not found:
            yield RecordError("page", "no ClaimReview in its JSON-LD")
            return
    else:
        try:
            found.extend(_objects_in(_json_loads(text), "", base_url))
        except ValueError:
            for n, line in enumerate(text.splitlines(), start=1):
                if not line.strip():
                    continue
                try:
                    value = _json_loads(line)
                except ValueError as exc:
                    yield RecordError(f"line {n}", f"not JSON ({exc.msg})")
                    continue
                found.extend(_objects_in(value, f"line {n}", base_url))
    for where, value, base in found:
        if isinstance(value, str):
            yield RecordError(where, value)
        else:
            yield review_parse(value, where=where, base_url=base)


def _json_loads(text: str, *, strict: bool = True):
    """``json.loads`` for what a database can store: ``NaN``, ``Infinity`` and numbers
    too large for a float are not JSON; NUL characters and lone surrogates (``"\\u0000"``,
    ``"\\ud800"``) are dropped; nesting too deep for the parser is not JSON either."""

    def not_json(what: str):
        raise json.JSONDecodeError(f"{what} is not JSON", text, 0)

    def finite(number: str) -> float:
        value = float(number)
        return value if math.isfinite(value) else not_json(number[:20])

    def whole(number: str) -> int:
        try:
            value = int(number)
            float(value)
        except (ValueError, OverflowError):  # more than 4300 digits, or than a float holds
            not_json(number[:20])
        return value

    try:
        value = json.loads(
            text, strict=strict, parse_constant=not_json, parse_float=finite, parse_int=whole
        )
        return _storable(value)
    except RecursionError:
        raise json.JSONDecodeError("nested too deeply", text, 0) from None


def _storable(value):
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "ignore").decode("utf-8")
    if isinstance(value, list):
        return [_storable(item) for item in value]
    if isinstance(value, dict):
        return {_storable(key): _storable(item) for key, item in value.items()}
    return value


def _ld_json_blocks(text: str) -> list[str]:
    try:
        tree = lxml_html.fromstring(text)
        blocks = [
            script.text_content()
            for script in tree.iter("script")
            if (script.get("type") or "").strip().lower() == "application/ld+json"
        ]
    except (ValueError, lxml_html.etree.ParserError):
        blocks = []
    return blocks or LD_JSON_RE.findall(text)


def _is_review_or_error(value) -> bool:
    """On a page, other JSON-LD (WebPage, BreadcrumbList, NewsArticle) is not an error."""
    if isinstance(value, str):
        return False
    return "claimreview" in {t.casefold() for t in _types(value)} or "claimReviewed" in value


# --- One record -----------------------------------------------------------------------


def _types(value: dict) -> list[str]:
    raw = value.get("@type", [])
    return [t for t in (raw if isinstance(raw, list) else [raw]) if isinstance(t, str)]


def _text(value) -> str:
    if isinstance(value, list):
        return ", ".join(_text(v) for v in value if _text(v))
    if isinstance(value, str | int | float):
        return " ".join(str(value).split())
    return ""


def _number(value, name: str, warnings: list[str]) -> float | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        warnings.append(f"{name} {value!r} is not a number; left out")
        return None
    warnings.append(f"{name} given as text {value!r}")
    return number


def _date(value, name: str, warnings: list[str]) -> date | None:
    text = _text(value)
    if not text:
        return None
    try:
        parsed = date_parser.isoparse(text) if "T" in text else date_parser.parse(text)
    except (ValueError, OverflowError):
        warnings.append(f"{name} {text!r} is not a date; left out")
        return None
    if parsed.year < 1900:
        warnings.append(f"{name} {text!r} is not a real date; left out")
        return None
    return parsed.date()


def _url(value, name: str, base_url: str, warnings: list[str]) -> str:
    """An absolute http(s) URL that may be linked and fetched, or "" (with a warning):
    a ``javascript:`` link, another scheme, credentials or a private address is never
    stored, so it can never be shown as a link on a claim page."""
    url = _url_read(value, name, base_url, warnings)
    if not url:
        return ""
    refusal = link_refusal(url)
    if refusal:
        warnings.append(f"{name} {url[:200]!r} is not a public web address ({refusal}); left out")
        return ""
    return url


def _url_read(value, name: str, base_url: str, warnings: list[str]) -> str:
    url = _text(value)
    if isinstance(value, dict):
        url = _text(value.get("url") or value.get("@id"))
    if not url:
        return ""
    try:
        parts = urlsplit(url)
    except ValueError:  # "http://[::1": a broken IPv6 host
        warnings.append(f"{name} {url!r} is not a URL; left out")
        return ""
    if parts.scheme in {"http", "https"} and parts.netloc:
        return url
    if url.startswith("//"):
        warnings.append(f"{name} {url!r} has no scheme; https assumed")
        return "https:" + url
    if not parts.scheme and not url.startswith("/") and "." in url.split("/", 1)[0]:
        warnings.append(f"{name} {url!r} has no scheme; https assumed")
        return "https://" + url
    if not parts.scheme and base_url:
        try:
            resolved = urljoin(base_url, url)
        except ValueError:  # the base itself is broken
            resolved = ""
        if resolved:
            warnings.append(f"{name} {url!r} is relative; resolved against {base_url}")
            return resolved
    warnings.append(f"{name} {url!r} is not an absolute web address; left out")
    return ""


def _people(value, name: str, base_url: str, warnings: list[str]) -> list[dict]:
    if isinstance(value, str):
        return [{"type": "Organization", "name": " ".join(value.split())}] if value.strip() else []
    if isinstance(value, list):
        if len(value) > 1:
            warnings.append(f"{name} is a list of {len(value)}")
        people = []
        for item in value:
            people.extend(_people(item, name, base_url, warnings))
        return people
    if not isinstance(value, dict):
        return []
    person_name = value.get("name")
    if isinstance(person_name, list):
        warnings.append(f"{name}.name is a list; joined")
    person = {"type": (_types(value) or ["Thing"])[0], "name": _text(person_name)}
    if value.get("url"):
        person["url"] = _url(value["url"], f"{name}.url", base_url, [])
    return [person] if person["name"] or person.get("url") else []


def review_parse(value: dict, *, where: str, base_url: str = "") -> ParsedReview | RecordError:
    """One ClaimReview object, normalised, or why it is not one."""
    warnings: list[str] = []
    types = _types(value)
    folded = [t.casefold() for t in types]
    if not types:
        if "claimReviewed" not in value:
            return RecordError(where, "no @type and no claimReviewed: not a ClaimReview")
        warnings.append("no @type; taken as ClaimReview")
    elif "claimreview" not in folded:
        return RecordError(
            where, f"@type is {types if len(types) > 1 else types[0]!r}, not ClaimReview"
        )
    else:
        if len(types) > 1:
            warnings.append(f"@type is a list {types}")
        if "ClaimReview" not in types:
            warnings.append(f"@type {types} is not spelled ClaimReview")
    if "@context" not in value and value.get("_source") != "factchecktools":
        warnings.append("no @context")
    claim_reviewed = _text(value.get("claimReviewed"))
    if isinstance(value.get("claimReviewed"), list):
        warnings.append("claimReviewed is a list; joined")
    if not claim_reviewed:
        return RecordError(where, "no claimReviewed")
    if len(claim_reviewed) > LONG_CLAIM:
        warnings.append(f"claimReviewed is long ({len(claim_reviewed)} characters)")

    url = _url(value.get("url"), "url", base_url, warnings)
    if not url:
        warnings.append("no url")
    authors = _people(value.get("author"), "author", url or base_url, warnings)
    if not authors:
        authors = _people(value.get("publisher"), "publisher", url or base_url, warnings)
        warnings.append("no author" + ("; the publisher is taken" if authors else ""))

    item = value.get("itemReviewed") or {}
    if isinstance(item, list):
        warnings.append("itemReviewed is a list; the first is taken")
        item = item[0] if item and isinstance(item[0], dict) else {}
    if not isinstance(item, dict):
        item = {}
    item_types = _types(item)
    odd_case = item_types and item_types[0] not in {"Claim", "CreativeWork"}
    if odd_case and item_types[0].casefold() in {"claim", "creativework"}:
        warnings.append(f"itemReviewed @type {item_types[0]!r} in odd case")
    claimants = _people(item.get("author"), "itemReviewed.author", url or base_url, warnings)
    appearances = []
    for entry in _listed(item.get("appearance")):
        appearance = _url(entry, "appearance", url or base_url, warnings)
        if appearance:
            appearances.append(appearance)
    first = _url(item.get("firstAppearance"), "firstAppearance", url or base_url, warnings)
    if not appearances and item.get("url"):
        appearances.append(_url(item.get("url"), "itemReviewed.url", url or base_url, warnings))

    rating = value.get("reviewRating") or {}
    if isinstance(rating, list):
        warnings.append("reviewRating is a list; the first is taken")
        rating = rating[0] if rating and isinstance(rating[0], dict) else {}
    if not isinstance(rating, dict):
        rating = {}
    if not rating:
        warnings.append("no reviewRating")
    elif [t for t in _types(rating) if t != "Rating"]:
        warnings.append(f"reviewRating @type {_types(rating)} is not spelled Rating")
    rating_value = _number(rating.get("ratingValue"), "ratingValue", warnings)
    if rating and "ratingValue" not in rating:
        warnings.append("no ratingValue")
    rating_text = _text(rating.get("alternateName") or rating.get("name"))
    if rating and not rating_text:
        warnings.append("no reviewRating.alternateName")

    return ParsedReview(
        where=where,
        claim_reviewed=claim_reviewed,
        url=url,
        authors=authors,
        claimant=", ".join(c["name"] for c in claimants if c["name"]),
        claimant_type=claimants[0]["type"] if claimants else "",
        claim_date=_date(item.get("datePublished"), "itemReviewed.datePublished", warnings),
        review_date=_date(value.get("datePublished"), "datePublished", warnings),
        appearance_urls=appearances,
        first_appearance_url=first,
        rating_text=rating_text,
        rating_value=rating_value,
        best_rating=_number(rating.get("bestRating"), "bestRating", warnings),
        worst_rating=_number(rating.get("worstRating"), "worstRating", warnings),
        language=_text(value.get("inLanguage"))[:16],
        raw=value,
        warnings=warnings,
    )
