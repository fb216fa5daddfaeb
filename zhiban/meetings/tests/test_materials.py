"""Meeting materials: versioned per agenda item, watermarked per viewer, withdrawn."""

from __future__ import annotations

import datetime
import io

import pytest
from PIL import Image
from pypdf import PdfReader, PdfWriter

from zhiban.core.errors import DomainError, PermissionDeniedError
from zhiban.meetings import services
from zhiban.meetings.models import Material, Meeting, Room
from zhiban.meetings.services import materials as materials_module
from zhiban.org.models import User
from zhiban.org.tests.factories import UserFactory

from .conftest import NOW
from .test_meetings import make_meeting

AFTER = NOW + datetime.timedelta(days=3)


def pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (400, 300), "white").save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def meeting(people: dict[str, User], room: Room) -> Meeting:
    draft = make_meeting(people, room, people=[people["other"]])
    return services.meeting_publish(meeting=draft, by=people["organiser"], now=NOW)


def _upload(meeting: Meeting, who: User, data: bytes, name: str) -> Material:
    return services.material_upload(
        meeting=meeting,
        by=who,
        stream=io.BytesIO(data),
        name=name,
        agenda_item=meeting.agenda_items.first(),
        now=NOW,
    )


def test_the_same_name_again_is_the_next_version(
    people: dict[str, User], meeting: Meeting
) -> None:
    first = _upload(meeting, people["organiser"], pdf_bytes(), "汇报.pdf")
    # The item's presenter may add to it too.
    second = _upload(meeting, people["other"], pdf_bytes(), "汇报.pdf")

    assert (first.version, second.version) == (1, 2)
    assert first.file.name != second.file.name


def test_an_attendee_sees_the_pdf_with_their_name(
    people: dict[str, User], meeting: Meeting
) -> None:
    material = _upload(meeting, people["organiser"], pdf_bytes(), "汇报.pdf")

    data, content_type = services.material_view(
        material=material, by=people["other"], now=NOW
    )

    assert content_type == "application/pdf"
    text = PdfReader(io.BytesIO(data)).pages[0].extract_text()
    assert "宋健" in text
    assert "2030-03-04 08:00" in text
    with material.file.open("rb") as stored:
        assert "宋健" not in PdfReader(stored).pages[0].extract_text()


def test_an_image_is_stamped(people: dict[str, User], meeting: Meeting) -> None:
    material = _upload(meeting, people["organiser"], png_bytes(), "座次图.png")

    data, content_type = services.material_view(
        material=material, by=people["other"], now=NOW
    )

    assert content_type == "image/png"
    image = Image.open(io.BytesIO(data)).convert("RGB")
    colours = {colour for _count, colour in image.getcolors(maxcolors=100000) or []}
    assert len(colours) > 1  # the white page is white no longer


def test_someone_not_invited_is_refused(
    people: dict[str, User], meeting: Meeting
) -> None:
    material = _upload(meeting, people["organiser"], pdf_bytes(), "汇报.pdf")
    stranger = UserFactory(username="stranger")

    with pytest.raises(PermissionDeniedError, match="attendees only"):
        services.material_view(material=material, by=stranger, now=NOW)


def test_withdrawn_materials_are_refused_to_attendees_not_the_organiser(
    people: dict[str, User], meeting: Meeting
) -> None:
    material = _upload(meeting, people["organiser"], pdf_bytes(), "汇报.pdf")
    with pytest.raises(DomainError, match="once the meeting is over"):
        services.materials_withdraw(meeting=meeting, by=people["organiser"], now=NOW)

    services.materials_withdraw(meeting=meeting, by=people["organiser"], now=AFTER)
    material.refresh_from_db()

    with pytest.raises(PermissionDeniedError, match="withdrawn"):
        services.material_view(material=material, by=people["other"], now=AFTER)
    data, _kind = services.material_view(
        material=material, by=people["organiser"], now=AFTER
    )
    assert data.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"<html><script>alert(1)</script></html>", "agenda.html", "not an allowed"),
        (b"PK\x03\x04" + b"0" * 100, "材料.docx", "not an allowed"),
        (b"GIF89a" + b"\0" * 50, "图.gif", "not an allowed"),
        (b"x" * 2000, "big.pdf", "larger than"),
    ],
)
def test_a_refused_file_stores_nothing(
    people: dict[str, User],
    meeting: Meeting,
    monkeypatch: pytest.MonkeyPatch,
    data: bytes,
    name: str,
    message: str,
) -> None:
    monkeypatch.setattr(materials_module, "MATERIAL_MAX_BYTES", 1000)

    with pytest.raises(DomainError, match=message):
        _upload(meeting, people["organiser"], data, name)

    assert Material.objects.count() == 0


def test_an_attendee_who_does_not_present_cannot_upload(
    people: dict[str, User], meeting: Meeting
) -> None:
    with pytest.raises(PermissionDeniedError, match="adds materials"):
        services.material_upload(
            meeting=meeting,
            by=people["other"],
            stream=io.BytesIO(pdf_bytes()),
            name="a.pdf",
            agenda_item=meeting.agenda_items.last(),
            now=NOW,
        )
    assert Material.objects.count() == 0
