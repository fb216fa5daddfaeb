"""Refresh the pinned front-end libraries under zhiban/static/vendor/ from the npm registry.

Run by hand when a library is upgraded (`python scripts/vendor_refresh.py`), never by the
set-up: `make demo` needs nothing but Python. Each library lands in
zhiban/static/vendor/<library>-<version>/ with its licence, as Django's admin ships its own.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import sys
import tarfile
import urllib.request
from pathlib import Path

REGISTRY = "https://registry.npmjs.org"
VENDOR = Path(__file__).resolve().parent.parent / "zhiban" / "static" / "vendor"

# library -> (version, files to keep from the package, relative to package/)
LIBRARIES: dict[str, tuple[str, list[str]]] = {
    "bootstrap": (
        "5.3.9",
        ["dist/css/bootstrap.min.css", "dist/js/bootstrap.bundle.min.js", "LICENSE"],
    ),
    "bootstrap-icons": (
        "1.13.2",
        [
            "font/bootstrap-icons.min.css",
            "font/fonts/bootstrap-icons.woff2",
            "font/fonts/bootstrap-icons.woff",
            "LICENSE",
        ],
    ),
    "htmx.org": ("2.0.11", ["dist/htmx.min.js", "LICENSE"]),
    "echarts": ("6.1.0", ["dist/echarts.min.js", "LICENSE", "NOTICE"]),
}


def fetch(name: str, version: str) -> bytes:
    """Download the package tarball of one version."""
    with urllib.request.urlopen(f"{REGISTRY}/{name}/{version}", timeout=60) as response:
        meta = json.load(response)
    with urllib.request.urlopen(meta["dist"]["tarball"], timeout=120) as response:
        return bytes(response.read())


SOURCE_MAP = re.compile(
    rb"\n?(/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S*)\s*$"
)


def strip_source_map(data: bytes) -> bytes:
    """Drop the trailing source-map comment: the maps are not shipped, and the manifest
    static storage refuses a CSS file that names a file it cannot find."""
    return SOURCE_MAP.sub(b"\n", data)


def main() -> int:
    """Download every library and keep only the files the pages use."""
    for name, (version, files) in LIBRARIES.items():
        target = VENDOR / f"{name.removesuffix('.org')}-{version}"
        for old in VENDOR.glob(f"{name.removesuffix('.org')}-*"):
            if old != target:
                shutil.rmtree(old)
        data = fetch(name, version)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
            for relative in files:
                member = archive.extractfile(f"package/{relative}")
                if member is None:
                    raise SystemExit(f"{name}@{version} has no {relative}")
                head, _, rest = relative.partition("/")
                # dist/ and font/ are packaging folders; the pages need what is inside.
                destination = target / (rest if head in {"dist", "font"} else relative)
                destination.parent.mkdir(parents=True, exist_ok=True)
                content = member.read()
                if destination.suffix in {".css", ".js"}:
                    content = strip_source_map(content)
                destination.write_bytes(content)
        print(f"{name}@{version} -> {target.relative_to(VENDOR.parent.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
