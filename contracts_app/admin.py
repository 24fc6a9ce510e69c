from django.contrib import admin

from contracts_app.models import Contract, ContractRevision


class RevisionInline(admin.TabularInline):
    model = ContractRevision
    extra = 0
    can_delete = False
    fields = ["number", "is_valid", "author", "created_at"]
    readonly_fields = fields
    ordering = ["-number"]
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Contract)
class ContractAdmin(admin.ModelAdmin):
    list_display = ["service_id", "owner", "created_at", "updated_at"]
    search_fields = ["service_id", "owner__email", "owner__display_name"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [RevisionInline]


@admin.register(ContractRevision)
class ContractRevisionAdmin(admin.ModelAdmin):
    list_display = ["contract", "number", "is_valid", "author", "created_at"]
    list_filter = ["is_valid"]
    search_fields = ["contract__service_id"]
    readonly_fields = [f.name for f in ContractRevision._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
