from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserCreationForm
from django.db.models import IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from portal.accounts.services import login_unlock, normalise_email
from portal.models import ApiToken, User


class UserAddForm(UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ["email", "display_name"]

    def clean_email(self):
        return normalise_email(self.cleaned_data["email"])


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Staff (reviewers) may view accounts, emails included, and unlock a locked-out sign-in;
    changing accounts needs the usual model permissions (superusers)."""

    add_form = UserAddForm
    ordering = ["email"]
    list_display = ["email", "display_name", "email_verified", "is_staff", "is_active",
                    "failed_sign_ins", "date_joined"]
    list_filter = ["is_staff", "is_active", "email_verified"]
    search_fields = ["email", "display_name"]
    actions = ["unlock_sign_in"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Profile", {"fields": ["display_name", "email_verified"]}),
        ("Permissions", {"fields": ["is_active", "is_staff", "is_superuser", "groups",
                                    "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "display_name", "password1", "password2"]}),
    ]

    def get_queryset(self, request):
        failures = (
            AccessAttempt.objects.filter(username__iexact=OuterRef("email"))
            .order_by().values("username").annotate(total=Sum("failures_since_start"))
            .values("total")[:1]
        )
        return super().get_queryset(request).annotate(
            _failed_sign_ins=Coalesce(Subquery(failures, output_field=IntegerField()), 0)
        )

    @admin.display(description="Failed sign-ins", ordering="_failed_sign_ins")
    def failed_sign_ins(self, obj) -> int:
        return getattr(obj, "_failed_sign_ins", 0)

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_unlock_permission(self, request):
        return request.user.is_active and request.user.is_staff

    @admin.action(description="Unlock sign-in (clear failed attempts)", permissions=["unlock"])
    def unlock_sign_in(self, request, queryset):
        cleared = sum(login_unlock(email=user.email) for user in queryset)
        self.message_user(
            request, f"Unlocked {queryset.count()} account(s); cleared {cleared} failed-attempt "
                     "record(s).", messages.SUCCESS)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["name", "user__email", "prefix"]
    readonly_fields = ["token_hash", "prefix", "created_at", "last_used_at"]
    raw_id_fields = ["user"]
