"""The time range of a booking as PostgreSQL sees it (tstzrange, half open)."""

from django.contrib.postgres.fields import DateTimeRangeField, RangeBoundary
from django.db.models import Func


class TsTzRange(Func):
    """``tstzrange(starts_at, ends_at, '[)')``: back-to-back bookings do not overlap."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()

    def __init__(self, start: object, end: object) -> None:
        super().__init__(start, end, RangeBoundary())
