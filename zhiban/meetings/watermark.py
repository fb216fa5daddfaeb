"""Watermarks on meeting materials: the viewer's name and the time, on every page.

A PDF gets a stamp page made by WeasyPrint for each page size (text drawn in a
grid, turned 30 degrees, light grey) merged over each of its pages with pypdf;
an image gets the same text tiled over it with Pillow. The copy is made for each
view and never stored: the stored file stays as it was uploaded.
"""

from __future__ import annotations

import html
import io
from functools import cache
from pathlib import Path

# Fonts that have the Chinese glyphs of a name, first choice first (Debian's
# fonts-noto-cjk; the same as the documents' PDFs fall back to).
FONT_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)


def _stamp_html(text: str, width: float, height: float) -> str:
    cell = html.escape(text)
    rows = max(2, int(height // 120) + 2)
    columns = max(1, int(width // 260) + 2)
    row = "".join(f"<span>{cell}</span>" for _ in range(columns))
    body = "".join(f"<div>{row}</div>" for _ in range(rows))
    return (
        "<html><head><style>"
        f"@page {{ size: {width:.1f}pt {height:.1f}pt; margin: 0 }}"
        "html, body { margin: 0; padding: 0; }"
        "body { font-family: 'Noto Sans CJK SC', sans-serif; overflow: hidden; "
        f"width: {width:.1f}pt; height: {height:.1f}pt; }}"
        # Out of the flow, so the grid larger than the page is cut, not paginated.
        ".grid { position: absolute; top: -10%; left: -40%; width: 180%; "
        "transform: rotate(-30deg); transform-origin: center; }"
        ".grid div { white-space: nowrap; height: 110pt; }"
        "span { display: inline-block; width: 240pt; font-size: 14pt; "
        "color: rgba(120, 120, 120, 0.28); }"
        f"</style></head><body><div class='grid'>{body}</div></body></html>"
    )


def watermark_pdf(data: bytes, text: str) -> bytes:
    """Return the PDF with the text stamped over every page."""
    import weasyprint  # slow to import: loaded when a material is viewed
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=io.BytesIO(data))
    stamps: dict[tuple[int, int], object] = {}
    for page in writer.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        key = (round(width), round(height))
        if key not in stamps:
            pdf = weasyprint.HTML(string=_stamp_html(text, width, height)).write_pdf()
            stamps[key] = PdfReader(io.BytesIO(pdf)).pages[0]
        page.merge_page(stamps[key])  # type: ignore[arg-type]
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@cache
def _font_file() -> str | None:
    return next((path for path in FONT_FILES if Path(path).exists()), None)


def watermark_image(data: bytes, text: str) -> tuple[bytes, str]:
    """Return the image (as PNG or JPEG, as it came) with the text tiled over it."""
    from PIL import Image, ImageDraw, ImageFont

    source = Image.open(io.BytesIO(data))
    kind = "JPEG" if source.format == "JPEG" else "PNG"
    base = source.convert("RGBA")
    size = max(14, base.width // 40)
    path = _font_file()
    font = ImageFont.truetype(path, size) if path else ImageFont.load_default(size=size)
    layer = Image.new("RGBA", base.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(layer)
    step_x, step_y = size * (len(text) + 4) // 2 + size * 4, size * 6
    for y in range(-base.height, base.height * 2, step_y):
        for x in range(-base.width, base.width * 2, step_x):
            draw.text((x, y), text, font=font, fill=(120, 120, 120, 80))
    layer = layer.rotate(30, center=(base.width / 2, base.height / 2))
    merged = Image.alpha_composite(base, layer)
    out = io.BytesIO()
    if kind == "JPEG":
        merged.convert("RGB").save(out, "JPEG", quality=90)
    else:
        merged.save(out, "PNG")
    return out.getvalue(), "image/jpeg" if kind == "JPEG" else "image/png"
