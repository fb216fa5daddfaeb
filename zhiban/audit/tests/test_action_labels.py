"""Every audit action code the sources write has a translated label."""

from __future__ import annotations

import ast
from pathlib import Path

from django.urls import reverse
from django.utils import translation

from zhiban.audit.actions import ACTION_LABELS, action_label
from zhiban.audit.services import audit_record
from zhiban.workflow.models import FlowAction

ROOT = Path(__file__).resolve().parents[2]


def _written_codes() -> tuple[set[str], set[str]]:
    """Return the literal codes and the f-string prefixes passed as action=."""
    literals: set[str] = set()
    prefixes: set[str] = set()
    for path in ROOT.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name != "audit_record":
                continue
            for keyword in node.keywords:
                if keyword.arg != "action":
                    continue
                inside_f_strings: set[int] = set()
                for part in ast.walk(keyword.value):
                    if isinstance(part, ast.JoinedStr):
                        inside_f_strings.update(id(v) for v in part.values)
                        first = part.values[0]
                        if isinstance(first, ast.Constant):
                            prefixes.add(str(first.value))
                    elif (
                        isinstance(part, ast.Constant)
                        and isinstance(part.value, str)
                        and id(part) not in inside_f_strings
                    ):
                        literals.add(part.value)
    return literals, prefixes


def test_every_written_code_has_a_label() -> None:
    literals, prefixes = _written_codes()
    assert "org.user_create" in literals  # the scan sees the sources
    f_string_codes = {p for p in prefixes if p.startswith("workflow.instance_")}
    instance_codes = {f"workflow.instance_{kind}" for kind in FlowAction.Kind.values}
    missing = sorted((literals | instance_codes) - set(ACTION_LABELS))
    assert missing == []
    # Any other f-string code must be covered by a label with that prefix.
    for prefix in prefixes - f_string_codes:
        assert any(code.startswith(prefix) for code in ACTION_LABELS), prefix


def test_labels_are_translated_and_unknown_codes_show_as_themselves() -> None:
    with translation.override("zh-hans"):
        assert action_label("org.user_create") == "创建人员"
    with translation.override("en"):
        assert action_label("org.user_create") == "Person created"
    assert action_label("nobody.knows") == "nobody.knows"


def test_the_audit_list_shows_the_label(client, admin) -> None:
    admin.language = "zh-hans"
    admin.save(update_fields=["language"])
    audit_record(actor=admin, action="org.user_create", target=admin, data={})
    client.force_login(admin)
    text = client.get(reverse("audit:list")).content.decode()
    assert "org.user_create" in text
    assert "创建人员" in text
