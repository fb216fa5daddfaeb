"""Posts (岗位)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from zhiban.audit.services import audit_record
from zhiban.core.errors import DomainError
from zhiban.org.models import Post, User
from zhiban.org.services._common import (
    UNSET,
    _apply,
    _changes,
    _others,
)


def _check_post_code(code: str, *, exclude_pk: int | None = None) -> None:
    if _others(Post.objects.filter(code=code), exclude_pk).exists():
        raise DomainError(
            {"code": _("A post with code “%(code)s” already exists.") % {"code": code}},
            code="duplicate_code",
        )


@transaction.atomic
def post_create(*, by: User | None, code: str, name: str) -> Post:
    """Create a post (岗位)."""
    post = Post(code=code.strip(), name=name.strip())
    _check_post_code(post.code)
    post.full_clean()
    post.save()
    audit_record(actor=by, action="org.post_create", target=post, data={"code": code})
    return post


@transaction.atomic
def post_update(
    *, by: User | None, post: Post, code: str = UNSET, name: str = UNSET
) -> Post:
    """Rename or recode a post."""
    changes = _changes({"code": code, "name": name})
    if "code" in changes:
        changes["code"] = changes["code"].strip()
        _check_post_code(changes["code"], exclude_pk=post.pk)
    diff = _apply(post, changes)
    if not diff:
        return post
    post.full_clean()
    post.save(update_fields=[*diff, "updated_at"])
    audit_record(actor=by, action="org.post_update", target=post, data=diff)
    return post


@transaction.atomic
def post_delete(*, by: User | None, post: Post) -> None:
    """Delete a post that no user holds."""
    holders = User.objects.filter(post=post).count()
    if holders:
        raise DomainError(
            _("“%(post)s” is held by %(count)d user(s); reassign them first.")
            % {"post": post.name, "count": holders},
            code="in_use",
        )
    audit_record(
        actor=by, action="org.post_delete", target=post, data={"code": post.code}
    )
    post.delete()
