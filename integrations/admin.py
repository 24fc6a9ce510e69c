from django.contrib import admin

from integrations.models import (
    Event,
    LocalCoreEntry,
    RegisteredService,
    ServiceOperation,
    ServiceVersion,
    Submission,
)


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["contract", "revision", "submitter", "status", "attempts", "created_at"]
    list_filter = ["status", "created_at"]
    search_fields = ["contract__service_id", "submitter__email"]
    raw_id_fields = ["contract", "revision", "submitter", "reviewed_by"]


@admin.register(ServiceOperation)
class ServiceOperationAdmin(admin.ModelAdmin):
    list_display = ["service", "kind", "status", "requested_by", "attempts", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["service", "successor", "requested_by"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["at", "contract", "actor", "kind", "message"]
    list_filter = ["kind", "actor"]
    search_fields = ["contract__service_id", "message"]
    raw_id_fields = ["contract", "submission", "operation", "actor_user"]


class VersionInline(admin.TabularInline):
    model = ServiceVersion
    extra = 0
    fields = ["version", "name", "registered_at"]
    readonly_fields = fields
    can_delete = False


@admin.register(RegisteredService)
class RegisteredServiceAdmin(admin.ModelAdmin):
    list_display = ["service_id", "status", "current_version", "created_at"]
    list_filter = ["status"]
    search_fields = ["service_id"]
    raw_id_fields = ["contract", "successor", "current_version"]
    inlines = [VersionInline]


@admin.register(ServiceVersion)
class ServiceVersionAdmin(admin.ModelAdmin):
    list_display = ["service", "version", "name", "p95_ms", "cost_per_request", "registered_at"]
    search_fields = ["service__service_id", "name"]
    raw_id_fields = ["service", "revision"]


@admin.register(LocalCoreEntry)
class LocalCoreEntryAdmin(admin.ModelAdmin):
    list_display = ["service_id", "operation", "status", "created_at"]
    search_fields = ["service_id", "idempotency_key"]
