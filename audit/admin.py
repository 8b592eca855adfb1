"""The back office and the trail.

EventAdmin: the trail itself, read only, for superusers (KPU and Bawaslu read theirs on the
audit page).

AuditedAdmin: what every app's admin derives from. Django's own record of admin actions
(django_admin_log) is an ordinary table the application's role may edit, and it keeps a
sentence, not the values: every save and delete through the back office is an audit event
instead, with each changed field before and after (the inlines' rows too), in the same
transaction as the change. Password hashes and NIK columns never go into an event.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import ObjectDoesNotExist
from django.db import models

from audit.models import Event
from audit.trail import audit_record

# Never written into an event: secrets and what rebuilds a NIK.
SECRET_FIELDS = frozenset({"password"})


def snapshot(obj: models.Model) -> dict[str, Any]:
    """The object's stored values as JSON: foreign keys as ids, many-to-many as sorted ids;
    no binary column, no password, no NIK hash or ciphertext."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if _secret(field):
            continue
        values[field.name] = field.value_from_object(obj)
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            values[field.name] = sorted(related.pk for related in field.value_from_object(obj))
    return json.loads(json.dumps(values, default=str))


def _secret(field: models.Field) -> bool:
    return (
        field.name in SECRET_FIELDS
        or field.name.startswith("nik_")
        or isinstance(field, models.BinaryField)
    )


def _stored(obj: models.Model) -> dict[str, Any] | None:
    found = type(obj)._default_manager.filter(pk=obj.pk).first() if obj.pk else None
    return snapshot(found) if found is not None else None


def changes(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"before", "after"}} for every field whose value moved."""
    return {
        name: {"before": before.get(name), "after": value}
        for name, value in after.items()
        if before.get(name) != value
    }


class AuditedAdmin(admin.ModelAdmin):
    """A ModelAdmin whose saves and deletes are audit events with before and after:
    "admin.added" (after), "admin.changed" (changes, inlines), "admin.deleted" (before).
    `audit_area` says which region an object belongs to (who may read the event)."""

    def audit_area(self, obj: models.Model) -> str:
        return _area_of(obj)

    def save_model(self, request, obj, form, change):
        obj._audit_before = _stored(obj) if change else None  # type: ignore[attr-defined]
        obj._audit_inlines = []  # type: ignore[attr-defined]
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        """Each inline row added, changed or deleted, with its values (after the save, a
        deleted row has no pk: taken before)."""
        before = {
            inline.instance.pk: _stored(inline.instance)
            for inline in formset.initial_forms
            if inline.instance.pk is not None
        }
        super().save_formset(request, form, formset, change)
        rows = getattr(form.instance, "_audit_inlines", None)
        if rows is None:
            return
        label = formset.model._meta.label_lower
        for obj in formset.new_objects:
            after = {k: v for k, v in snapshot(obj).items() if k != "id"}
            rows.append({"model": label, "pk": obj.pk, "action": "added", "after": after})
        for obj, _fields in formset.changed_objects:
            moved = changes(before.get(obj.pk) or {}, snapshot(obj))
            rows.append({"model": label, "pk": obj.pk, "action": "changed", "changes": moved})
        for inline in formset.deleted_forms:
            pk = inline.initial.get("id") or inline.instance.pk
            pk = getattr(pk, "pk", pk)
            rows.append(
                {"model": label, "pk": pk, "action": "deleted", "before": before.get(pk) or {}}
            )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        obj = form.instance
        inlines = getattr(obj, "_audit_inlines", [])
        before = getattr(obj, "_audit_before", None)
        data: dict[str, Any] = {"model": obj._meta.label_lower}
        if change:
            data["changes"] = changes(before or {}, snapshot(obj))
            if not data["changes"] and not inlines:
                return  # saved as it was: nothing happened
        else:
            data["after"] = snapshot(obj)
        if inlines:
            data["inlines"] = inlines
        action = "admin.changed" if change else "admin.added"
        audit_record(action, actor=request.user, area=self.audit_area(obj), target=obj, data=data)

    def delete_model(self, request, obj):
        before, area, target = snapshot(obj), self.audit_area(obj), _target(obj)
        super().delete_model(request, obj)
        self._deleted(request, obj, before, area, target)

    def delete_queryset(self, request, queryset):
        gone = [(obj, snapshot(obj), self.audit_area(obj), _target(obj)) for obj in queryset]
        super().delete_queryset(request, queryset)
        for obj, before, area, target in gone:
            self._deleted(request, obj, before, area, target)

    def _deleted(self, request, obj, before: dict, area: str, target: str) -> None:
        audit_record(
            "admin.deleted",
            actor=request.user,
            area=area,
            target=target,
            data={"model": obj._meta.label_lower, "before": before},
        )


# Where an object's region is found (who may read its events), first match wins: its own,
# its election's, its pair's election's, a user's assignment's, an object's user's.
AREA_PATHS = (
    ("region_id",),
    ("election", "region_id"),
    ("pair", "election", "region_id"),
    ("assignment", "region_id"),
    ("user", "assignment", "region_id"),
)


def _area_of(obj: models.Model) -> str:
    for path in AREA_PATHS:
        value: Any = obj
        try:
            for name in path:
                value = getattr(value, name)
        except (AttributeError, ObjectDoesNotExist):
            continue
        if value:
            return str(value)
    return ""


def _target(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


@admin.register(Event)
class EventAdmin(AuditedAdmin):
    list_display = ("id", "at", "actor", "action", "area", "chain", "seq", "target")
    list_filter = ("action",)
    search_fields = ("actor", "action", "target", "area")
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class _PasswordAudit:
    """For user admins: setting a password through the admin's own page is on the trail
    (without the password)."""

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)  # type: ignore[misc]
        if request.method == "POST" and response.status_code == 302:
            user = get_user_model()._default_manager.get(pk=id)
            audit_record(
                "admin.password_set",
                actor=request.user,
                area=_area_of(user),
                target=user,
                data={"model": user._meta.label_lower},
            )
        return response


def admin_audit_all(site: admin.AdminSite = admin.site) -> list[str]:
    """Every ModelAdmin registered on `site` that does not derive from AuditedAdmin (Django's
    users and groups, the one-time-password devices, an app that forgot) is registered again
    as a subclass that does, so that no save or delete through the back office escapes the
    trail. Called from AuditConfig.ready, after the admin modules were imported. Returns the
    models wrapped."""
    wrapped = []
    for model, model_admin in list(site._registry.items()):
        cls = type(model_admin)
        if isinstance(model_admin, AuditedAdmin):
            continue
        bases: tuple[type, ...] = (AuditedAdmin, cls)
        if issubclass(cls, UserAdmin):
            bases = (_PasswordAudit, AuditedAdmin, cls)
        site.unregister(model)
        site.register(model, type(f"Audited{cls.__name__}", bases, {}))
        wrapped.append(model._meta.label_lower)
    return wrapped
