"""The form a requester fills: a list of field dicts, validated and cleaned here.

A form schema is a list of fields such as::

    {"key": "copies", "type": "number", "label": "份数", "required": True,
     "help": "", "locked": False, "min": 1, "max": 100, "decimals": 0}

Rules by type: ``options`` (choice, multichoice), ``min``/``max``/``decimals``
(number, money), ``max_length``/``pattern``/``pattern_message`` (text,
textarea), ``multiple`` (person, department, attachment), ``max_files``
(attachment), ``not_past`` (date and time types). Modules add reference types
(e.g. "seal") with :func:`register_field_type`.

Stored values (``FlowInstance.form``): number → int or float, money → "1234.50",
date → "2026-11-26", daterange/datetimerange → {"start": ..., "end": ...},
datetime → ISO string in local time, choice → str, multichoice → list, person
and department → id or list of ids, attachment → list of FlowFile ids (filled
in by the service that stores the files), reference → the referenced id. An
optional field left empty is not stored.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, TypeGuard

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from zhiban.core.errors import DomainError
from zhiban.core.files import Intake, inspect_upload

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from zhiban.org.models import User

KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,63}")
TEXT_MAX_LENGTH = 200
TEXTAREA_MAX_LENGTH = 5000
MAX_FILES = 10
MAX_DECIMALS = 6
MAX_DIGITS = 15  # before the decimal point
LABEL_MAX_LENGTH = 100

# The rule keys a field may carry besides key/type/label/required/help/locked.
RULE_KEYS = (
    "options",
    "min",
    "max",
    "decimals",
    "max_length",
    "pattern",
    "pattern_message",
    "multiple",
    "max_files",
    "not_past",
)

type Choices = Callable[["User | None"], list[tuple[Any, str]]]
type Validator = Callable[[Any, "User | None"], Any]
type Display = Callable[[Any], str]


@dataclass(frozen=True)
class FieldType:
    """One kind of form field: its label for the designer and the rules it takes.

    Reference types (registered by modules) also give ``choices(user)``, the
    (value, label) pairs a user may pick from, and ``validator(value, user)``,
    which returns the value to store or raises ValidationError with the message
    to show on the field; ``display(value)`` names a stored value on pages.
    """

    code: str
    label: str | Promise
    rules: frozenset[str] = frozenset()
    icon: str = "bi-input-cursor-text"
    choices: Choices | None = None
    validator: Validator | None = None
    display: Display | None = None

    @property
    def is_reference(self) -> bool:
        """Return whether a module registered the type (values point at its rows)."""
        return self.validator is not None


@dataclass(frozen=True)
class SchemaProblem:
    """One problem of a form schema, on the field with the key ("" for the form)."""

    key: str
    code: str
    message: str


@dataclass
class CleanResult:
    """What came of a submission: values to store, errors by field, files to keep."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    uploads: dict[str, list[tuple[UploadedFile, Intake]]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        """Return whether no field has an error."""
        return not self.errors


_DATE_RULES = frozenset({"not_past"})
_BUILTIN: tuple[FieldType, ...] = (
    FieldType(
        "text",
        pgettext_lazy("form field", "Text"),
        frozenset({"max_length", "pattern", "pattern_message"}),
        "bi-input-cursor-text",
    ),
    FieldType(
        "textarea", gettext_lazy("Long text"), frozenset({"max_length"}), "bi-textarea"
    ),
    FieldType(
        "number",
        pgettext_lazy("form field", "Number"),
        frozenset({"min", "max", "decimals"}),
        "bi-123",
    ),
    FieldType("money", gettext_lazy("Money"), frozenset({"min", "max"}), "bi-cash"),
    FieldType("date", gettext_lazy("Date"), _DATE_RULES, "bi-calendar"),
    FieldType(
        "daterange", gettext_lazy("Date range"), _DATE_RULES, "bi-calendar-range"
    ),
    FieldType(
        "datetime", gettext_lazy("Date and time"), _DATE_RULES, "bi-calendar-event"
    ),
    FieldType(
        "datetimerange",
        gettext_lazy("Date and time range"),
        _DATE_RULES,
        "bi-calendar-week",
    ),
    FieldType(
        "choice", gettext_lazy("Single choice"), frozenset({"options"}), "bi-ui-radios"
    ),
    FieldType(
        "multichoice",
        gettext_lazy("Multiple choice"),
        frozenset({"options"}),
        "bi-ui-checks",
    ),
    FieldType("person", gettext_lazy("Person"), frozenset({"multiple"}), "bi-person"),
    FieldType(
        "department",
        gettext_lazy("Department"),
        frozenset({"multiple"}),
        "bi-diagram-3",
    ),
    FieldType(
        "attachment",
        gettext_lazy("Attachment"),
        frozenset({"multiple", "max_files"}),
        "bi-paperclip",
    ),
)
FIELD_TYPES: dict[str, FieldType] = {t.code: t for t in _BUILTIN}
BUILTIN_TYPES = frozenset(FIELD_TYPES)


def field_types() -> dict[str, FieldType]:
    """Return every field type by code, built-in ones first (for the designers)."""
    return dict(FIELD_TYPES)


def register_field_type(
    code: str,
    *,
    label: str | Promise,
    choices: Choices,
    validator: Validator,
    display: Display | None = None,
    icon: str = "bi-box",
) -> FieldType:
    """Register (or replace) a reference field type; call from ``AppConfig.ready()``.

    ``choices(user)`` lists (value, label) pairs the user may pick;
    ``validator(value, user)`` returns the value to store or raises
    ValidationError; ``display(value)`` names a stored value on pages.
    """
    if code in BUILTIN_TYPES:
        raise ValueError(f"{code!r} is a built-in field type")
    if not KEY_PATTERN.fullmatch(code):
        raise ValueError(f"{code!r} is not a valid field type code")
    kind = FieldType(
        code=code,
        label=label,
        icon=icon,
        choices=choices,
        validator=validator,
        display=display,
    )
    FIELD_TYPES[code] = kind
    return kind


def unregister_field_type(code: str) -> None:
    """Forget a reference field type (tests)."""
    if code not in BUILTIN_TYPES:
        FIELD_TYPES.pop(code, None)


# --- the schema ---------------------------------------------------------------------


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value in (None, ""):
        return None
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def _whole(value: Any) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


# The rules of a kind's locked field that a flow may not change.
_LOCKED_RULES = ("type", "required", *RULE_KEYS)


def _field_problems(item: Mapping[str, Any], key: str) -> list[SchemaProblem]:
    """Return the problems of one field's label, type and rules."""
    problems: list[SchemaProblem] = []

    def add(code: str, message: str) -> None:
        problems.append(SchemaProblem(key, code, message))

    label = item.get("label")
    if not isinstance(label, str) or not label.strip():
        add("empty_label", _("The field needs a label."))
    elif len(label) > LABEL_MAX_LENGTH:
        add(
            "long_label",
            _("The label is longer than %(n)s characters.") % {"n": LABEL_MAX_LENGTH},
        )
    kind = item.get("type")
    if kind not in FIELD_TYPES:
        add("unknown_type", _("“%(type)s” is not a field type.") % {"type": kind})
        return problems
    if kind in ("choice", "multichoice"):
        options = item.get("options")
        if not isinstance(options, list) or not options:
            add("no_options", _("A choice field needs at least one option."))
        else:
            texts = [o.strip() if isinstance(o, str) else "" for o in options]
            if any(not text for text in texts):
                add("empty_option", _("An option is empty."))
            seen: set[str] = set()
            for text in texts:
                if text and text in seen:
                    add(
                        "duplicate_option",
                        _("The option “%(option)s” is listed twice.")
                        % {"option": text},
                    )
                seen.add(text)
    if kind in ("number", "money"):
        low, high = item.get("min"), item.get("max")
        for name in ("min", "max"):
            if item.get(name) not in (None, "") and _number(item.get(name)) is None:
                add(
                    f"bad_{name}",
                    _("The %(rule)s must be a number.")
                    % {"rule": _("minimum") if name == "min" else _("maximum")},
                )
        low_number, high_number = _number(low), _number(high)
        if (
            low_number is not None
            and high_number is not None
            and low_number > high_number
        ):
            add("min_above_max", _("The minimum is above the maximum."))
    if kind == "number" and item.get("decimals") not in (None, ""):
        decimals = item.get("decimals")
        if (
            not isinstance(decimals, int)
            or isinstance(decimals, bool)
            or not 0 <= decimals <= MAX_DECIMALS
        ):
            add(
                "bad_decimals",
                _("Decimal places must be a whole number from 0 to %(n)s.")
                % {"n": MAX_DECIMALS},
            )
    if kind in ("text", "textarea") and item.get("max_length") not in (None, ""):
        limit = TEXT_MAX_LENGTH if kind == "text" else TEXTAREA_MAX_LENGTH
        max_length = item.get("max_length")
        if not _whole(max_length) or not 0 < max_length <= limit:
            add(
                "bad_max_length",
                _("The maximum length must be a whole number from 1 to %(n)s.")
                % {"n": limit},
            )
    if kind == "text" and item.get("pattern"):
        try:
            re.compile(str(item["pattern"]))
        except re.error:
            add("bad_pattern", _("The pattern is not a valid regular expression."))
    if kind == "attachment" and item.get("max_files") not in (None, ""):
        max_files = item.get("max_files")
        if not _whole(max_files) or not 0 < max_files <= MAX_FILES:
            add(
                "bad_max_files",
                _("The number of files must be a whole number from 1 to %(n)s.")
                % {"n": MAX_FILES},
            )
    return problems


def validate_schema(fields: Any, *, kind: str = "general") -> list[SchemaProblem]:
    """Return every problem of a form schema; an empty list means it is sound.

    Refused: fields that are not objects, invalid or duplicate keys, empty
    labels, unknown types, choice fields without options or with duplicate
    options, a minimum above the maximum, bad rules, and a form that lacks or
    changes a locked field of its flow kind.
    """
    from zhiban.workflow.kinds import flow_kind  # kinds imports no formschema

    if not isinstance(fields, list):
        return [SchemaProblem("", "malformed", _("The form must be a list of fields."))]
    problems: list[SchemaProblem] = []
    by_key: dict[str, Mapping[str, Any]] = {}
    for position, item in enumerate(fields, start=1):
        if not isinstance(item, Mapping):
            problems.append(
                SchemaProblem(
                    "",
                    "malformed",
                    _("Field %(n)s is not a field object.") % {"n": position},
                )
            )
            continue
        key = item.get("key")
        if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
            problems.append(
                SchemaProblem(
                    str(key or ""),
                    "bad_key",
                    _(
                        "Field %(n)s: the key must start with a lower-case letter and "
                        "hold only lower-case letters, digits and underscores "
                        "(at most 64)."
                    )
                    % {"n": position},
                )
            )
            key = str(key or "")
        elif key in by_key:
            problems.append(
                SchemaProblem(
                    key,
                    "duplicate_key",
                    _("The key “%(key)s” is used by two fields.") % {"key": key},
                )
            )
        else:
            by_key[key] = item
        problems.extend(_field_problems(item, key))
    for locked in flow_kind(kind).fields:
        key = str(locked.get("key"))
        present = by_key.get(key)
        if present is None:
            problems.append(
                SchemaProblem(
                    key,
                    "missing_locked",
                    _(
                        "The field “%(label)s” (%(key)s) is required by this kind of flow."
                    )
                    % {"label": locked.get("label") or key, "key": key},
                )
            )
            continue
        changed = [
            rule
            for rule in _LOCKED_RULES
            if rule in locked and present.get(rule) != locked.get(rule)
        ]
        if changed:
            problems.append(
                SchemaProblem(
                    key,
                    "changed_locked",
                    _(
                        "The field “%(label)s” belongs to this kind of flow; only its "
                        "label and help may change (changed: %(rules)s)."
                    )
                    % {
                        "label": locked.get("label") or key,
                        "rules": ", ".join(changed),
                    },
                )
            )
    return problems


def locked_keys(kind: str) -> set[str]:
    """Return the keys of the fields every flow of the kind carries."""
    from zhiban.workflow.kinds import flow_kind

    return {str(f.get("key")) for f in flow_kind(kind).fields}


# --- submissions --------------------------------------------------------------------


def _many(field_def: Mapping[str, Any]) -> bool:
    return field_def.get("type") == "multichoice" or bool(field_def.get("multiple"))


def _raw(data: Mapping[str, Any], key: str, many: bool) -> Any:
    """Return the submitted value: a list for many-valued fields, else one value."""
    if many:
        getlist = getattr(data, "getlist", None)
        if getlist is not None:
            values = list(getlist(key))
        else:
            value = data.get(key)
            if value in (None, ""):
                values = []
            elif isinstance(value, list | tuple):
                values = list(value)
            else:
                values = [value]
        return [v for v in values if v not in (None, "")]
    value = data.get(key)
    if isinstance(value, str):
        return value.strip()
    return value


def _range_raw(data: Mapping[str, Any], key: str) -> tuple[Any, Any]:
    value = data.get(key)
    if isinstance(value, Mapping):
        return value.get("start"), value.get("end")
    return data.get(f"{key}_start"), data.get(f"{key}_end")


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


class _Refused(Exception):
    def __init__(self, *messages: str) -> None:
        super().__init__(*messages)
        self.messages = list(messages)


def _parse_date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        parsed = parse_date(str(value).strip())
    except ValueError:
        parsed = None
    if parsed is None:
        raise _Refused(_("Enter a date such as 2026-11-26."))
    return parsed


def _parse_datetime(value: Any) -> datetime.datetime:
    if isinstance(value, datetime.datetime):
        parsed: datetime.datetime | None = value
    else:
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:
            parsed = None
    if parsed is None:
        raise _Refused(_("Enter a date and time such as 2026-11-26 09:30."))
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return timezone.localtime(parsed)


def _not_past(field_def: Mapping[str, Any], moment: datetime.date) -> None:
    if not field_def.get("not_past"):
        return
    if isinstance(moment, datetime.datetime):
        if moment < timezone.now():
            raise _Refused(_("The time cannot be in the past."))
    elif moment < timezone.localdate():
        raise _Refused(_("The date cannot be in the past."))


def _clean_number(field_def: Mapping[str, Any], value: Any, money: bool) -> Any:
    number = _number(value.replace(",", "") if isinstance(value, str) else value)
    if number is None:
        raise _Refused(_("Enter a number."))
    if number.adjusted() >= MAX_DIGITS:  # refuse 1e999999999 before int() tries it
        raise _Refused(
            _("Enter a number with at most %(n)s digits.") % {"n": MAX_DIGITS}
        )
    decimals = 2 if money else int(field_def.get("decimals") or 0)
    exponent = number.normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    if places > decimals:
        if decimals == 0:
            raise _Refused(_("Enter a whole number."))
        raise _Refused(_("Enter at most %(n)s decimal places.") % {"n": decimals})
    low, high = _number(field_def.get("min")), _number(field_def.get("max"))
    if low is not None and number < low:
        raise _Refused(_("Enter %(min)s or more.") % {"min": _plain(low)})
    if high is not None and number > high:
        raise _Refused(_("Enter %(max)s or less.") % {"max": _plain(high)})
    if money:
        return str(number.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    if decimals == 0:
        return int(number)
    return float(number)


def _plain(number: Decimal) -> str:
    text = format(number, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _clean_text(field_def: Mapping[str, Any], value: Any) -> str:
    text = str(value).strip() if not isinstance(value, str) else value
    default = TEXT_MAX_LENGTH if field_def["type"] == "text" else TEXTAREA_MAX_LENGTH
    limit = field_def.get("max_length") or default
    if len(text) > limit:
        raise _Refused(
            _("Keep it to %(limit)s characters (it has %(n)s).")
            % {"limit": limit, "n": len(text)}
        )
    pattern = field_def.get("pattern")
    if pattern and field_def["type"] == "text":
        try:
            matched = re.fullmatch(str(pattern), text)
        except re.error:
            matched = None
        if matched is None:
            raise _Refused(
                str(field_def.get("pattern_message") or "")
                or _("The value is not in the expected format.")
            )
    return text


def _ids(values: list[Any]) -> list[int]:
    ids: list[int] = []
    for value in values:
        text = str(value).strip()
        if isinstance(value, bool) or not text.isdigit():
            raise _Refused(_("“%(value)s” is not a valid choice.") % {"value": value})
        ids.append(int(text))
    return list(dict.fromkeys(ids))


def _clean_people(values: list[Any]) -> list[int]:
    from zhiban.org.models import User

    ids = _ids(values)
    active = set(
        User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True)
    )
    missing = [pk for pk in ids if pk not in active]
    if missing:
        raise _Refused(
            *(_("Person %(id)s is not an active user.") % {"id": pk} for pk in missing)
        )
    return ids


def _clean_departments(values: list[Any]) -> list[int]:
    from zhiban.org.models import Department

    ids = _ids(values)
    known = set(
        Department.objects.filter(pk__in=ids, is_active=True).values_list(
            "pk", flat=True
        )
    )
    missing = [pk for pk in ids if pk not in known]
    if missing:
        raise _Refused(
            *(_("Department %(id)s is unknown.") % {"id": pk} for pk in missing)
        )
    return ids


def _files_of(files: Any, key: str) -> list[UploadedFile]:
    if not files:
        return []
    getlist = getattr(files, "getlist", None)
    if getlist is not None:
        return list(getlist(key))
    value = files.get(key)
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _clean_files(
    field_def: Mapping[str, Any], uploads: list[UploadedFile]
) -> list[tuple[UploadedFile, Intake]]:
    multiple = bool(field_def.get("multiple"))
    limit = int(field_def.get("max_files") or MAX_FILES) if multiple else 1
    if len(uploads) > limit:
        raise _Refused(
            _("Attach at most %(n)s files (you chose %(count)s).")
            % {"n": limit, "count": len(uploads)}
        )
    kept: list[tuple[UploadedFile, Intake]] = []
    messages: list[str] = []
    for upload in uploads:
        try:
            intake = inspect_upload(upload, name=upload.name or "")
        except DomainError as error:
            messages.extend(error.messages)
            continue
        kept.append((upload, intake))
    if messages:
        raise _Refused(*messages)
    return kept


def _clean_one(
    field_def: Mapping[str, Any],
    data: Mapping[str, Any],
    files: Any,
    user: User | None,
    result: CleanResult,
) -> None:
    key = str(field_def["key"])
    kind = str(field_def.get("type"))
    required = bool(field_def.get("required"))
    many = _many(field_def)
    required_message = _("This field is required.")

    if kind == "attachment":
        uploads = _files_of(files, key)
        if not uploads:
            if required:
                raise _Refused(required_message)
            return
        result.uploads[key] = _clean_files(field_def, uploads)
        result.values[key] = []  # the FlowFile ids, once stored
        return

    if kind in ("daterange", "datetimerange"):
        start_raw, end_raw = _range_raw(data, key)
        if _empty(start_raw) and _empty(end_raw):
            if required:
                raise _Refused(required_message)
            return
        if _empty(start_raw) or _empty(end_raw):
            raise _Refused(_("Give both the start and the end."))
        parse = _parse_date if kind == "daterange" else _parse_datetime
        start, end = parse(start_raw), parse(end_raw)
        if end < start:
            raise _Refused(_("The end is before the start."))
        _not_past(field_def, start)
        result.values[key] = {
            "start": start.isoformat(),
            "end": end.isoformat(),
        }
        return

    raw = _raw(data, key, many)
    if _empty(raw):
        if required:
            raise _Refused(required_message)
        return

    if kind in ("text", "textarea"):
        result.values[key] = _clean_text(field_def, raw)
    elif kind in ("number", "money"):
        result.values[key] = _clean_number(field_def, raw, kind == "money")
    elif kind == "date":
        day = _parse_date(raw)
        _not_past(field_def, day)
        result.values[key] = day.isoformat()
    elif kind == "datetime":
        moment = _parse_datetime(raw)
        _not_past(field_def, moment)
        result.values[key] = moment.isoformat()
    elif kind == "choice":
        options = [str(o) for o in field_def.get("options") or []]
        if str(raw) not in options:
            raise _Refused(_("“%(value)s” is not one of the options.") % {"value": raw})
        result.values[key] = str(raw)
    elif kind == "multichoice":
        options = [str(o) for o in field_def.get("options") or []]
        chosen = list(dict.fromkeys(str(v) for v in raw))
        wrong = [v for v in chosen if v not in options]
        if wrong:
            raise _Refused(
                *(
                    _("“%(value)s” is not one of the options.") % {"value": v}
                    for v in wrong
                )
            )
        # Keep the options' order, whatever order they came in.
        result.values[key] = [o for o in options if o in chosen]
    elif kind in ("person", "department"):
        values = raw if isinstance(raw, list) else [raw]
        if not many and len(values) > 1:
            raise _Refused(_("Choose only one."))
        ids = _clean_people(values) if kind == "person" else _clean_departments(values)
        result.values[key] = ids if many else ids[0]
    else:
        kind_def = FIELD_TYPES.get(kind)
        if kind_def is None or kind_def.validator is None:
            raise _Refused(_("This field cannot be filled in."))
        try:
            result.values[key] = kind_def.validator(raw, user)
        except ValidationError as error:
            raise _Refused(*error.messages) from error


def clean_submission(
    fields: Sequence[Mapping[str, Any]],
    data: Mapping[str, Any],
    files: Mapping[str, Any] | None = None,
    *,
    user: User | None = None,
) -> CleanResult:
    """Validate and clean a submission against the form schema; nothing is stored.

    ``data`` is a dict (API) or a QueryDict (a page: many-valued fields come as
    repeated keys, ranges as ``<key>_start``/``<key>_end``); ``files`` maps a
    field key to its uploads. Keys the schema does not have are dropped.
    """
    result = CleanResult()
    for field_def in fields:
        key = str(field_def.get("key"))
        try:
            _clean_one(field_def, data, files, user, result)
        except _Refused as refused:
            result.errors[key] = refused.messages
            result.values.pop(key, None)
            result.uploads.pop(key, None)
    if result.errors:
        result.uploads = {}
    return result


# --- display ------------------------------------------------------------------------


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def display_rows(
    fields: Sequence[Mapping[str, Any]], values: Mapping[str, Any]
) -> list[tuple[str, str | list[str]]]:
    """Return (label, shown value) for every field: a string, or a list for lists.

    People, departments and files are named with one query each, whatever the
    number of fields. A field left empty shows "—".
    """
    from zhiban.org.models import Department, User
    from zhiban.workflow.models import FlowFile

    wanted: dict[str, set[int]] = {
        "person": set(),
        "department": set(),
        "attachment": set(),
    }
    for field_def in fields:
        kind = field_def.get("type")
        if kind in wanted and not _empty(values.get(str(field_def.get("key")))):
            for item in _as_list(values[str(field_def["key"])]):
                if str(item).isdigit():
                    wanted[str(kind)].add(int(item))
    names: dict[str, dict[int, str]] = {
        "person": {
            u.pk: u.display_name
            for u in User.objects.filter(pk__in=wanted["person"]).only(
                "pk", "name", "first_name", "last_name", "username"
            )
        }
        if wanted["person"]
        else {},
        "department": dict(
            Department.objects.filter(pk__in=wanted["department"]).values_list(
                "pk", "name"
            )
        )
        if wanted["department"]
        else {},
        "attachment": dict(
            FlowFile.objects.filter(pk__in=wanted["attachment"]).values_list(
                "pk", "original_name"
            )
        )
        if wanted["attachment"]
        else {},
    }
    rows: list[tuple[str, str | list[str]]] = []
    for field_def in fields:
        key = str(field_def.get("key"))
        kind = str(field_def.get("type"))
        label = str(field_def.get("label") or key)
        value = values.get(key)
        if _empty(value):
            rows.append((label, "—"))
        elif kind in names:
            shown = [
                names[kind].get(int(v), str(v)) if str(v).isdigit() else str(v)
                for v in _as_list(value)
            ]
            rows.append(
                (label, shown if _many(field_def) or kind == "attachment" else shown[0])
            )
        elif kind == "multichoice":
            rows.append((label, [str(v) for v in _as_list(value)]))
        elif kind in ("daterange", "datetimerange") and isinstance(value, Mapping):
            rows.append(
                (
                    label,
                    f"{_show_moment(value.get('start'))} — {_show_moment(value.get('end'))}",
                )
            )
        elif kind == "datetime":
            rows.append((label, _show_moment(value)))
        elif kind not in BUILTIN_TYPES:
            kind_def = FIELD_TYPES.get(kind)
            display = kind_def.display if kind_def else None
            rows.append((label, display(value) if display else str(value)))
        else:
            rows.append((label, str(value)))
    return rows


def _show_moment(value: Any) -> str:
    """Show an ISO date as is, and an ISO date-time as local 'YYYY-MM-DD HH:MM'."""
    text = str(value or "")
    if "T" not in text:
        return text
    parsed = parse_datetime(text)
    if parsed is None:
        return text
    if timezone.is_aware(parsed):
        parsed = timezone.localtime(parsed)
    return parsed.strftime("%Y-%m-%d %H:%M")


def schema_fields(fields: Iterable[Any]) -> list[dict[str, Any]]:
    """Return the field dicts of a stored schema, skipping anything malformed."""
    return [dict(f) for f in fields if isinstance(f, Mapping) and f.get("key")]


def field_labels(fields: Iterable[Any]) -> dict[str, str]:
    """Return each field's label by key (the key where it has none).

    For texts that name fields, such as a condition in the approval path.
    """
    return {
        str(f["key"]): str(f.get("label") or f["key"]) for f in schema_fields(fields)
    }


__all__ = [
    "FIELD_TYPES",
    "KEY_PATTERN",
    "RULE_KEYS",
    "CleanResult",
    "FieldType",
    "SchemaProblem",
    "clean_submission",
    "display_rows",
    "field_labels",
    "field_types",
    "locked_keys",
    "register_field_type",
    "schema_fields",
    "unregister_field_type",
    "validate_schema",
]
