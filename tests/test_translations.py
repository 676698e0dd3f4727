"""The Dutch UI is whole: every string marked for translation has its Dutch, nothing is
left fuzzy (a guess by makemessages), and the compiled catalogue is the current one."""

from __future__ import annotations

import gettext

import polib

from tests.conftest import ROOT

LOCALE = ROOT / "claims" / "locale" / "nl" / "LC_MESSAGES"


def test_every_string_has_its_dutch():
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    missing = [e.msgid for e in catalogue if not e.obsolete and not e.translated()]
    fuzzy = [e.msgid for e in catalogue if "fuzzy" in e.flags]
    assert not missing, f"no Dutch for: {missing}"
    assert not fuzzy, f"fuzzy (a guess, not shown): {fuzzy}"


def test_the_compiled_catalogue_matches_the_source():
    catalogue = polib.pofile(str(LOCALE / "django.po"))
    with (LOCALE / "django.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            shown = compiled.ngettext(entry.msgid, entry.msgid_plural, 1)
            expected = entry.msgstr_plural[0]
        elif entry.msgctxt:
            shown = compiled.pgettext(entry.msgctxt, entry.msgid)
            expected = entry.msgstr
        else:
            shown, expected = compiled.gettext(entry.msgid), entry.msgstr
        if shown != expected:
            stale.append(entry.msgid)
    assert not stale, f"run `make messages`: the .mo is older than the .po for {stale[:5]}"
