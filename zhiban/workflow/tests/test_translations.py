from pathlib import Path

import polib
from django.utils import translation

CATALOGUE = (
    Path(__file__).resolve().parent.parent
    / "locale"
    / "zh_Hans"
    / "LC_MESSAGES"
    / "django.po"
)


def test_every_message_is_translated_and_not_shadowed_by_another_catalogue():
    """Django merges catalogues; an earlier app's msgid would win over ours."""
    shadowed = []
    with translation.override("zh-hans"):
        for entry in polib.pofile(str(CATALOGUE)):
            if entry.msgctxt:
                got = translation.pgettext(entry.msgctxt, entry.msgid)
                want = entry.msgstr
            elif entry.msgid_plural:
                got = translation.ngettext(entry.msgid, entry.msgid_plural, 1)
                want = entry.msgstr_plural[0]
            else:
                got, want = translation.gettext(entry.msgid), entry.msgstr
            assert want, entry.msgid
            if got != want:
                shadowed.append((entry.msgid, want, got))
    assert shadowed == []
