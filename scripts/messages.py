"""Extract, convert and compile the translation catalogues, one per app.

    python scripts/messages.py            # every app
    python scripts/messages.py inbox org  # some apps

For each app, `zhiban/<app>/locale/zh_Hans/LC_MESSAGES/django.po` is refreshed from the code
(GNU gettext's xgettext is needed here, on a developer's machine only); you write the Simplified
Chinese there. Traditional Chinese (`zh_Hant`) is converted from it with zhconv, then both are
compiled to `.mo` with polib, so a user's machine never needs GNU gettext. The `core` catalogue
also covers the shared templates in `zhiban/templates/` and `config/`.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polib
import zhconv

ROOT = Path(__file__).resolve().parent.parent
APPS_DIR = ROOT / "zhiban"


def apps() -> list[str]:
    """Return the apps that have Python code."""
    return sorted(p.name for p in APPS_DIR.iterdir() if (p / "apps.py").exists())


def extract(app: str) -> Path:
    """Refresh the app's zh_Hans catalogue from its code and templates."""
    app_dir = APPS_DIR / app
    (app_dir / "locale").mkdir(exist_ok=True)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
    manage = [sys.executable, str(ROOT / "manage.py"), "makemessages"]
    options = ["-l", "zh_Hans", "--no-obsolete", "--no-location", "-i", "tests/*"]
    if app == "core":
        # core's catalogue also holds the shared templates and config/.
        extra = APPS_DIR / "core" / "_shared"
        extra.mkdir(exist_ok=True)
        for source in (APPS_DIR / "templates", ROOT / "config"):
            link = extra / source.name
            if not link.exists():
                link.symlink_to(source, target_is_directory=True)
        options.append("--symlinks")
        try:
            subprocess.run([*manage, *options], cwd=app_dir, env=env, check=True)
        finally:
            for link in extra.iterdir():
                link.unlink()
            extra.rmdir()
    else:
        subprocess.run([*manage, *options], cwd=app_dir, env=env, check=True)
    return app_dir / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def convert_and_compile(app: str) -> tuple[int, int]:
    """Write zh_Hant from zh_Hans and compile both; return (entries, untranslated)."""
    source = APPS_DIR / app / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
    if not source.exists():
        return (0, 0)
    catalog = polib.pofile(str(source))
    catalog.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    catalog.metadata["Language"] = "zh_Hans"
    catalog.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    catalog.save()
    catalog.save_as_mofile(str(source.with_suffix(".mo")))
    traditional = polib.POFile()
    traditional.metadata = {**catalog.metadata, "Language": "zh_Hant"}
    for entry in catalog:
        if entry.obsolete:
            continue
        converted = polib.POEntry(
            msgid=entry.msgid,
            msgid_plural=entry.msgid_plural,
            msgctxt=entry.msgctxt,
            msgstr=zhconv.convert(entry.msgstr, "zh-hant") if entry.msgstr else "",
            msgstr_plural={
                k: zhconv.convert(v, "zh-hant") for k, v in entry.msgstr_plural.items()
            },
            flags=[f for f in entry.flags if f != "fuzzy"]
            if entry.msgstr
            else entry.flags,
        )
        traditional.append(converted)
    target = APPS_DIR / app / "locale" / "zh_Hant" / "LC_MESSAGES" / "django.po"
    target.parent.mkdir(parents=True, exist_ok=True)
    traditional.save(str(target))
    traditional.save_as_mofile(str(target.with_suffix(".mo")))
    untranslated = len(catalog.untranslated_entries()) + len(catalog.fuzzy_entries())
    return (len(catalog), untranslated)


def main(argv: list[str]) -> int:
    """Extract and compile the catalogues of the named apps (all by default)."""
    compile_only = "--compile" in argv
    names = [a for a in argv if not a.startswith("--")] or apps()
    for app in names:
        if not compile_only:
            extract(app)
        total, missing = convert_and_compile(app)
        print(
            f"{app}: {total} messages, {missing} without a Simplified Chinese translation"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
