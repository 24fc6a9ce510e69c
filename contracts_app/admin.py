"""Contracts in the Django admin: staff browse revisions and can give a contract to another owner."""

from django.contrib import admin, messages
from django.db.models import Count
from django.utils.html import format_html

from contracts_app.models import Contract, ContractRevision
from contracts_app.services import contract_reassign


def _is_staff(request) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.is_staff)


class StaffMayView:
    """Every staff member may read contracts here (as reviewers do), without extra permissions."""

    def has_module_permission(self, request):
        return _is_staff(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _is_staff(request) or super().has_view_permission(request, obj)


class RevisionInline(StaffMayView, admin.TabularInline):
    model = ContractRevision
    extra = 0
    can_delete = False
    fields = ["number", "is_valid", "base_number", "author", "created_at"]
    readonly_fields = fields
    ordering = ["-number"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(StaffMayView, admin.ModelAdmin):
    """The owner field is the one thing staff change here: reassigning a contract (its registered
    service, whose owner is read through the contract, follows it). The service id is fixed."""

    list_display = ["service_id", "owner_name", "revision_count", "created_at", "updated_at"]
    list_select_related = ["owner"]
    search_fields = ["service_id", "owner__email", "owner__display_name"]
    autocomplete_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at", "site_link"]
    inlines = [RevisionInline]
    date_hierarchy = "created_at"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_revisions=Count("revisions"))

    def has_change_permission(self, request, obj=None):
        # Staff may reassign (the only editable field on an existing contract).
        return _is_staff(request) or super().has_change_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return ["service_id", *fields] if obj is not None else fields

    def get_fields(self, request, obj=None):
        return ["service_id", "owner", "created_at", "updated_at", "site_link"] if obj else \
            ["service_id", "owner"]

    @admin.display(description="Owner", ordering="owner__display_name")
    def owner_name(self, obj):
        return obj.owner.display_name

    @admin.display(description="Revisions", ordering="_revisions")
    def revision_count(self, obj):
        return obj._revisions

    @admin.display(description="On the site")
    def site_link(self, obj):
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), obj.get_absolute_url())

    def save_model(self, request, obj, form, change):
        if change and "owner" in form.changed_data:
            new_owner = obj.owner
            original = Contract.objects.get(pk=obj.pk)
            contract_reassign(contract=original, new_owner=new_owner, by=request.user)
            messages.info(request, f"{obj.service_id} now belongs to {new_owner.display_name}.")
            return
        super().save_model(request, obj, form, change)


@admin.register(ContractRevision)
class ContractRevisionAdmin(StaffMayView, admin.ModelAdmin):
    list_display = ["contract", "number", "is_valid", "author", "created_at"]
    list_filter = ["is_valid"]
    list_select_related = ["contract", "author"]
    search_fields = ["contract__service_id"]
    readonly_fields = [f.name for f in ContractRevision._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
