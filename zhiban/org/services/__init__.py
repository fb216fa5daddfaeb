"""Every change to the organisation: units, departments, posts, users, delegation.

Also the overrides of the working-day calendar (工作日历).

Each service is keyword-only, runs in one transaction, validates before it writes
(raising DomainError with field-level, translated messages) and writes the audit trail.
`by` is the acting user; it is None for system jobs such as the demo seed.
"""

from __future__ import annotations

from zhiban.org.services._common import UNSET
from zhiban.org.services.delegations import (
    delegation_create,
    delegation_end,
)
from zhiban.org.services.departments import (
    department_create,
    department_descendant_ids,
    department_move,
    department_set_overseeing_leader,
    department_update,
)
from zhiban.org.services.posts import (
    post_create,
    post_delete,
    post_update,
)
from zhiban.org.services.units import (
    unit_create,
    unit_update,
)
from zhiban.org.services.users import (
    membership_remove,
    membership_set,
    user_create,
    user_deactivate,
    user_reactivate,
    user_roles_set,
    user_update,
)
from zhiban.org.services.workdays import (
    working_day_override_delete,
    working_day_override_set,
)

__all__ = [
    "UNSET",
    "delegation_create",
    "delegation_end",
    "department_create",
    "department_descendant_ids",
    "department_move",
    "department_set_overseeing_leader",
    "department_update",
    "membership_remove",
    "membership_set",
    "post_create",
    "post_delete",
    "post_update",
    "unit_create",
    "unit_update",
    "user_create",
    "user_deactivate",
    "user_reactivate",
    "user_roles_set",
    "user_update",
    "working_day_override_delete",
    "working_day_override_set",
]
