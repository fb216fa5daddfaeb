"""Every app's Simplified Chinese catalogue is complete, compiled and really used."""

from pathlib import Path

import polib
import pytest
from django.utils import translation

APPS = Path(__file__).resolve().parents[2]
CATALOGUES = sorted(APPS.glob("*/locale/zh_Hans/LC_MESSAGES/django.po"))


def test_the_catalogues_are_found():
    assert {path.parts[-5] for path in CATALOGUES} >= {
        "accounts",
        "audit",
        "core",
        "inbox",
        "notices",
        "org",
        "workflow",
    }


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: path.parts[-5])
def test_every_message_is_translated_and_not_shadowed_by_another_catalogue(
    catalogue: Path,
) -> None:
    """Django merges catalogues; an earlier app's msgid would win over this one's."""
    shadowed = []
    with translation.override("zh-hans"):
        for entry in polib.pofile(str(catalogue)):
            if entry.msgctxt:
                got = translation.pgettext(entry.msgctxt, entry.msgid)
                want = entry.msgstr
            elif entry.msgid_plural:
                got = translation.ngettext(entry.msgid, entry.msgid_plural, 1)
                want = entry.msgstr_plural[0]
            else:
                got, want = translation.gettext(entry.msgid), entry.msgstr
            assert want, entry.msgid
            assert "fuzzy" not in entry.flags, entry.msgid
            if got != want:
                shadowed.append((entry.msgid, want, got))
    assert shadowed == []


@pytest.mark.parametrize("catalogue", CATALOGUES, ids=lambda path: path.parts[-5])
def test_the_compiled_catalogues_are_up_to_date(catalogue: Path) -> None:
    compiled = {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in polib.mofile(str(catalogue.with_suffix(".mo")))
    }
    source = {
        (entry.msgctxt, entry.msgid): entry.msgstr
        for entry in polib.pofile(str(catalogue))
        if entry.msgstr
    }
    assert compiled.items() >= source.items()
