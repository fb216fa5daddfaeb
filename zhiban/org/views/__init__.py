"""Pages of the organisation: the directory, My delegations, and administration."""

from __future__ import annotations

from zhiban.org.views.delegations import (
    delegation_admin,
    delegation_end,
    my_delegations,
)
from zhiban.org.views.directory import (
    directory,
    person,
)
from zhiban.org.views.importing import (
    import_page,
    import_template,
)
from zhiban.org.views.structure import (
    admin_home,
    department_create,
    department_edit,
    department_leader,
    department_list,
    department_move,
    post_create,
    post_delete,
    post_edit,
    post_list,
    unit_create,
    unit_edit,
    unit_list,
)
from zhiban.org.views.users import (
    membership_remove,
    membership_set,
    user_create,
    user_deactivate,
    user_edit,
    user_list,
    user_reactivate,
    user_roles,
)
from zhiban.org.views.workdays import (
    calendar,
    calendar_delete,
)

__all__ = [
    "admin_home",
    "calendar",
    "calendar_delete",
    "delegation_admin",
    "delegation_end",
    "department_create",
    "department_edit",
    "department_leader",
    "department_list",
    "department_move",
    "directory",
    "import_page",
    "import_template",
    "membership_remove",
    "membership_set",
    "my_delegations",
    "person",
    "post_create",
    "post_delete",
    "post_edit",
    "post_list",
    "unit_create",
    "unit_edit",
    "unit_list",
    "user_create",
    "user_deactivate",
    "user_edit",
    "user_list",
    "user_reactivate",
    "user_roles",
]
