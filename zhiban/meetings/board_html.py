"""The availability board's rows as HTML, written in Python.

The board of 50 rooms x a week holds a few thousand cells and bookings; rendered
by template tags (a ``{% url %}`` and a ``{% blocktranslate %}`` per cell) it took
most of a second (bench/README.md). The rest of the page stays in
``meetings/board.html``; these functions write only the repeated rows, with every
text escaped and every label translated.
"""

from __future__ import annotations

import datetime
from html import escape  # plain str: Django's lazy-aware escape costs 3x here

from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from zhiban.meetings.models import Room
from zhiban.meetings.selectors import Board, BoardBooking, RoomRow

DASH = "\u2013"


def _hm(moment: datetime.datetime) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


class _Links:
    """The board's URLs, reversed once per page."""

    def __init__(self, capacity: int | None) -> None:
        self.book = reverse("meetings:book")
        # "/meetings/bookings/0/" without its id: a booking's page is prefix + id + "/".
        self.booking = reverse("meetings:booking", args=[0])[:-2]
        self.capacity = capacity

    def to_book(self, room: Room, day: datetime.date, **times: str) -> str:
        # Ids, an ISO date and HH:MM times: nothing to encode but the separators.
        query = {"room": room.pk, "day": day.isoformat(), **times}
        if self.capacity:
            query["capacity"] = self.capacity
        return f"{self.book}?" + "&amp;".join(
            f"{key}={value}" for key, value in query.items()
        )

    def to_booking(self, booking: BoardBooking) -> str:
        return f"{self.booking}{booking.pk}/"


def room_heading(room: Room) -> str:
    """The room's name, building, floor, seats and equipment (a row's first cell)."""
    seats = ngettext("%(n)s seat", "%(n)s seats", room.capacity) % {"n": room.capacity}
    # Texts outside the f-strings: xgettext does not read calls inside them.
    needs_approval = escape(_("Bookings need approval"))
    approval_word = escape(_("approval"))
    approval = (
        f' · <span class="text-warning-emphasis" title="{needs_approval}">'
        f'<i class="bi bi-shield-check" aria-hidden="true"></i> {approval_word}</span>'
        if room.needs_approval
        else ""
    )
    kinds = "".join(
        f'<span class="text-nowrap me-1" title="{escape(kind.name)}">'
        f'<i class="bi {escape(kind.icon or "bi-check2")}" aria-hidden="true"></i> '
        f'<span class="mt-equipment-name">{escape(kind.name)}</span></span>'
        for kind in room.equipment.all()
    )
    return (
        f'<span class="fw-semibold d-block text-truncate">{escape(room.name)}</span>'
        f'<span class="zb-muted small d-block text-truncate">{escape(room.building)} · '
        f'{escape(room.floor)} · <i class="bi bi-people" aria-hidden="true"></i> '
        f"{escape(seats)}{approval}</span>"
        + (f'<span class="mt-equipment small zb-muted">{kinds}</span>' if kinds else "")
    )


def _chip_classes(booking: BoardBooking) -> str:
    return (
        "mt-booked"
        + (" mt-pending" if booking.pending else "")
        + (" mt-mine" if booking.mine else "")
    )


def day_rows(board: Board) -> SafeString:
    """Rooms as rows, quarter hours as columns (desktop and tablet)."""
    links = _Links(board.filters.rooms.capacity)
    day = board.filters.day
    closed_text = escape(_("Closed on this day."))
    booked_text = escape(_("Booked"))
    waiting = escape(_("awaiting approval"))
    out: list[str] = []
    for row in board.rows:
        room = row.room
        out.append(
            f'<tr data-testid="board-row" data-room="{room.pk}">'
            f'<th scope="row" class="mt-room">{room_heading(room)}</th>'
        )
        for cell in row.cells:
            if cell.kind == "free":
                start = _hm(cell.starts_at)
                until = _hm(cell.book_until or cell.ends_at)
                label = escape(
                    _("Book %(room)s from %(start)s")
                    % {"room": room.name, "start": start}
                )
                out.append(
                    f'<td class="mt-free" colspan="{cell.span}"><a href="'
                    f'{links.to_book(room, day, start=start, end=until)}" '
                    f'data-testid="free-slot" data-start="{start}" title="{label}">'
                    f'<span class="visually-hidden">{label}</span></a></td>'
                )
            elif cell.kind == "booked" and cell.booking is not None:
                booking = cell.booking
                title = escape(booking.title) if booking.title else booked_text
                second = waiting if booking.pending else escape(booking.department)
                inner = (
                    f'<span class="d-block text-truncate fw-semibold">{title}</span>'
                    f'<span class="d-block text-truncate">{booking.times} '
                    f"{'· ' if booking.pending else ''}{second}</span>"
                )
                body = (
                    f'<a class="mt-slot-text" href="{links.to_booking(booking)}">{inner}</a>'
                    if booking.can_open
                    else f'<span class="mt-slot-text">{inner}</span>'
                )
                pending = " data-pending" if booking.pending else ""
                out.append(
                    f'<td class="{_chip_classes(booking)}" colspan="{cell.span}" '
                    f'data-testid="booked-slot"{pending}>{body}</td>'
                )
            elif not row.is_open:
                out.append(
                    f'<td class="mt-closed" colspan="{cell.span}"><span '
                    f'class="mt-slot-text small zb-muted">{closed_text}</span></td>'
                )
            else:
                out.append(f'<td class="mt-{cell.kind}" colspan="{cell.span}"></td>')
        out.append("</tr>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


def _phone_booking(booking: BoardBooking, links: _Links) -> str:
    if booking.can_open:
        what = f'<a href="{links.to_booking(booking)}">{escape(booking.title)}</a>'
    else:
        booked = escape(_("Booked"))
        what = f"{booked} · {escape(booking.department)}"
    awaiting = escape(_("awaiting approval"))
    waiting = f" · {awaiting}" if booking.pending else ""
    return (
        f'<li class="mt-chip {_chip_classes(booking)}">'
        f"{booking.times} {what}{waiting}</li>"
    )


def phone_cards(board: Board) -> SafeString:
    """Each room with its bookings and its free stretches (phones)."""
    links = _Links(board.filters.rooms.capacity)
    day = board.filters.day
    closed_text = escape(_("Closed on this day."))
    free_text = escape(_("free"))
    no_free_text = escape(_("No free time left on this day."))
    out: list[str] = []
    for row in board.rows:
        out.append(
            '<div class="card mb-2" data-testid="board-card"><div class="card-body p-2">'
            + room_heading(row.room)
        )
        if not row.is_open:
            out.append(f'<p class="small zb-muted mb-0 mt-1">{closed_text}</p>')
        else:
            chips = "".join(_phone_booking(b, links) for b in row.bookings)
            out.append(f'<ul class="list-unstyled small mb-1 mt-1">{chips}</ul>')
            free = "".join(
                f'<a class="btn btn-sm btn-outline-primary" href="'
                f"{links.to_book(row.room, day, start=_hm(cell.starts_at), end=_hm(cell.book_until or cell.ends_at))}"
                f'" data-testid="free-stretch">{_hm(cell.starts_at)}{DASH}'
                f"{_hm(cell.ends_at)} {free_text}</a>"
                for cell in row.free
            ) or (f'<span class="small zb-muted">{no_free_text}</span>')
            out.append(f'<div class="d-flex flex-wrap gap-1">{free}</div>')
        out.append("</div></div>")
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped


class _WeekTexts:
    """The week grid's words, translated once per page (350 cells ask for them)."""

    def __init__(self) -> None:
        self.closed = escape(pgettext("meeting room", "Closed"))
        self.book = escape(_("Book"))
        self.booked = _("Booked")


def _week_cell(
    row: RoomRow, index: int, today: datetime.date, links: _Links, texts: _WeekTexts
) -> str:
    cell = row.days[index]
    classes = (
        "mt-closed" if not cell.is_open else ("mt-past" if cell.is_past else "")
    ) + (" mt-today" if cell.day == today else "")
    if not cell.is_open:
        return (
            f'<td class="{classes}"><span class="small zb-muted">'
            f"{texts.closed}</span></td>"
        )
    chips = []
    for booking in cell.bookings:
        text = escape(booking.title or booking.department or texts.booked)
        inner = (
            f'<span class="fw-semibold">{booking.times}</span> '
            f'<span class="text-break">{text}</span>'
        )
        if booking.can_open:
            inner = f'<a href="{links.to_booking(booking)}">{inner}</a>'
        chips.append(
            f'<div class="mt-chip {_chip_classes(booking)}" '
            f'data-testid="booked-slot">{inner}</div>'
        )
    if cell.bookable:
        chips.append(
            f'<a class="mt-add small" href="{links.to_book(row.room, cell.day)}" '
            f'data-testid="week-book"><i class="bi bi-plus"></i> {texts.book}</a>'
        )
    return f'<td class="{classes}">{"".join(chips)}</td>'


def week_rows(board: Board, *, today: datetime.date) -> SafeString:
    """Rooms as rows, the week's days as columns."""
    links = _Links(board.filters.rooms.capacity)
    texts = _WeekTexts()
    out = []
    for row in board.rows:
        cells = "".join(
            _week_cell(row, index, today, links, texts)
            for index in range(len(row.days))
        )
        out.append(
            f'<tr data-testid="board-row" data-room="{row.room.pk}">'
            f'<th scope="row" class="mt-room">{room_heading(row.room)}</th>{cells}</tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 - every text above is escaped
