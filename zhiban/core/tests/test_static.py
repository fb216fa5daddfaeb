from pathlib import Path

from django.core.management import call_command
from django.test import override_settings


def test_collectstatic_with_the_production_manifest_storage(tmp_path: Path) -> None:
    storages = {
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
        "staticfiles": {
            "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        },
    }
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=storages):
        call_command("collectstatic", "--noinput", verbosity=0)
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "vendor/bootstrap-5.3.9/css/bootstrap.min.css" in manifest
    assert "vendor/htmx-2.0.11/htmx.min.js" in manifest
    assert "css/zhiban.css" in manifest


def test_vendored_libraries_ship_their_licences() -> None:
    vendor = Path(__file__).resolve().parents[2] / "static" / "vendor"
    libraries = sorted(p.name for p in vendor.iterdir() if p.is_dir())
    assert libraries == [
        "bootstrap-5.3.9",
        "bootstrap-icons-1.13.2",
        "echarts-6.1.0",
        "htmx-2.0.11",
    ]
    for library in libraries:
        assert (vendor / library / "LICENSE").is_file(), library
