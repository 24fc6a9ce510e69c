"""The reviewers' tool: Django admin for submissions, with the diff, the timeline and decisions.

Staff (is_staff) review submissions without any extra Django permission: the review screens only
read, and every decision goes through integrations.review.services (the verdict stored with it,
the bulk policy) to the pipeline's services (integrations/pipeline/submissions.py: state
transitions and the timeline). Submissions are never added, edited or deleted here. Staff
deprecate or withdraw a registered service with an action here that asks for a reason
(integrations/pipeline/operations.py `operation_request_by_staff`), never on the owner's pages.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Prefetch, Subquery
from django.http import HttpRequest, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from integrations.models import (
    Event,
    OperationKind,
    RegisteredService,
    ServiceVersion,
    Submission,
    SubmissionStatus,
)
from integrations.pipeline.errors import PipelineError
from integrations.pipeline.operations import operation_request_by_staff
from integrations.pipeline.submissions import submission_retry
from integrations.review.services import (
    review_approve,
    review_bulk_approve,
    review_reject,
    submission_diff,
)
from integrations.review.states import submission_state


def _is_reviewer(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_authenticated and user.is_active and user.is_staff)


class ReviewerCanView:
    """Every staff member may read these pages (reviewers need no extra Django permission)."""

    def has_module_permission(self, request):
        return _is_reviewer(request) or super().has_module_permission(request)

    def has_view_permission(self, request, obj=None):
        return _is_reviewer(request) or super().has_view_permission(request, obj)


class RejectForm(forms.Form):
    """A required reason that the developer reads (blank or spaces only are refused)."""

    label = "Reason (sent to the developer)"
    needed = "A rejection needs a reason: the developer reads it."
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 5, "cols": 80}),
                             max_length=4000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = self.label
        self.fields["reason"].error_messages["required"] = self.needed

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError(self.needed)
        return reason


class StatusFilter(admin.SimpleListFilter):
    """By status, in the words of integrations/review/states.py (as the badges say it)."""

    title = "status"
    parameter_name = "status__exact"  # the admin's own name for it: links keep working

    def lookups(self, request, model_admin):
        return [(status.value, submission_state(status).headline) for status in SubmissionStatus]

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


def _verdict_badge(breaking: bool, against: str, when: str):
    """"first" (nothing registered to compare with), "breaking" or "no", and against what, when."""
    if not against:
        return format_html('<span class="badge badge-muted">{}</span><br><small>{}</small>',
                           "first", when)
    return format_html('<span class="badge badge-{}">{}</span><br><small>vs {}, {}</small>',
                       "error" if breaking else "ok", "breaking" if breaking else "no",
                       against, when)


class StaffOperationForm(RejectForm):
    label = "Reason (sent to the service's owner)"
    needed = "Deprecating or withdrawing a service needs a reason: its owner reads it."


class SubmissionAdmin(ReviewerCanView, admin.ModelAdmin):
    change_form_template = "admin/integrations/submission/change_form.html"
    list_display = ["service_id", "service_name", "version", "owner", "status_badge",
                    "breaking_flag", "created_at"]
    list_display_links = ["service_id"]
    list_filter = [
        StatusFilter,
        ("contract__owner", admin.RelatedOnlyFieldListFilter),
        ("created_at", admin.DateFieldListFilter),
    ]
    search_fields = ["contract__service_id", "revision__data__name", "contract__owner__email",
                     "submitter__email"]
    date_hierarchy = None
    list_per_page = 50
    actions = ["approve_selected", "reject_selected", "retry_selected"]
    fieldsets = [
        (None, {"fields": ["service_id", "service_name", "version", "revision_number",
                           "owner_contact", "submitter_contact", "status_badge", "reviewed_by",
                           "reason", "created_at", "decided_at"]}),
        ("Pipeline details", {"classes": ["collapse"],
                              "fields": ["attempts", "next_attempt_at", "lease_until",
                                         "last_error", "core_reference", "idempotency_key",
                                         "finished_at"]}),
    ]
    readonly_fields = [field for _name, options in fieldsets for field in options["fields"]]

    class Media:
        css = {"all": ["css/badges.css", "css/review.css"]}

    # --- permissions: staff review; nobody adds, edits or deletes submissions here -------------
    def has_change_permission(self, request, obj=None):
        return _is_reviewer(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        registered = RegisteredService.objects.select_related("current_version__revision")
        return (super().get_queryset(request)
                .select_related("contract__owner", "revision", "submitter", "reviewed_by")
                .prefetch_related(Prefetch("contract__registered_service", queryset=registered)))

    # --- columns ---------------------------------------------------------------------------
    @admin.display(description="Service ID", ordering="contract__service_id")
    def service_id(self, obj: Submission) -> str:
        return obj.contract.service_id

    @admin.display(description="Name")
    def service_name(self, obj: Submission) -> str:
        data = obj.revision.data if isinstance(obj.revision.data, dict) else {}
        return str(data.get("name") or "—")

    @admin.display(description="Version")
    def version(self, obj: Submission) -> str:
        return obj.revision.version or "—"

    @admin.display(description="Revision")
    def revision_number(self, obj: Submission) -> str:
        return f"r{obj.revision.number}"

    @admin.display(description="Owner", ordering="contract__owner__email")
    def owner(self, obj: Submission):
        user = obj.contract.owner
        return format_html("{}<br><small>{}</small>", user.display_name, user.email)

    @admin.display(description="Owner")
    def owner_contact(self, obj: Submission):
        return self.owner(obj)

    @admin.display(description="Submitted by")
    def submitter_contact(self, obj: Submission):
        user = obj.submitter
        return format_html("{} &lt;{}&gt;", user.display_name, user.email)

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj: Submission):
        state = submission_state(obj.status)
        return format_html('<span class="badge badge-{}">{}</span>', state.badge, state.headline)

    @admin.display(description="Breaking?")
    def breaking_flag(self, obj: Submission):
        """The verdict stored when the reviewer decided; for a submission still waiting, the
        comparison with the version registered now, labelled "now"."""
        if obj.breaking_at_review is not None:
            return _verdict_badge(obj.breaking_at_review, obj.compared_version, "at review")
        if obj.status != SubmissionStatus.PENDING_REVIEW:
            return format_html('<span class="badge badge-muted" title="{}">{}</span>',
                               "Decided without a stored verdict (approved automatically, or "
                               "before verdicts were stored).", "not recorded")
        service = getattr(obj.contract, "registered_service", None)
        registered = service.current_version if service else None
        breaking = registered is not None and submission_diff(
            submission=obj, registered=registered, text=False).breaking
        return _verdict_badge(breaking, registered.version if registered else "", "now")

    # --- the detail page ---------------------------------------------------------------------
    # The page reads the row once (`get_object`), and with it, in the same statement, the id of
    # the contract's last event: the timeline stops there. A transition writes its event in the
    # same transaction as the status, so the decision box, the Status field, the title and the
    # timeline all show one state, even while a worker moves the submission on.
    def get_object(self, request, object_id, from_field=None):
        last_event = (Event.objects.filter(contract=OuterRef("contract"))
                      .order_by("-id").values("id")[:1])
        queryset = self.get_queryset(request).annotate(timeline_end=Subquery(last_event))
        field = Submission._meta.pk if from_field is None else Submission._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (Submission.DoesNotExist, ValidationError, ValueError):
            return None

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "show_save": False,
                         "show_save_and_continue": False, "show_save_and_add_another": False,
                         "show_delete": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:  # the one row the form, the title and the review sections all read
            context.update(self._review_context(request, obj))
            context["subtitle"] = (f"{obj.contract.service_id} {obj.revision.version or ''} "
                                   f"(r{obj.revision.number}): "
                                   f"{submission_state(obj.status).headline}")
        return super().render_change_form(request, context, add=add, change=change,
                                          form_url=form_url, obj=obj)

    def _review_context(self, request, submission: Submission) -> dict:
        diff = submission_diff(submission=submission)
        own = request.user.pk in (submission.submitter_id, submission.contract.owner_id)
        events = (Event.objects.filter(contract=submission.contract,
                                       id__lte=submission.timeline_end or 0)
                  .select_related("actor_user").order_by("at", "id"))
        return {
            "submission": submission,
            "diff": diff,
            "events": events,
            "diagnostics": submission.revision.diagnostics or [],
            "yaml_lines": submission.revision.text.splitlines(),
            "can_decide": submission.status == SubmissionStatus.PENDING_REVIEW,
            "can_retry": submission.status == SubmissionStatus.FAILED,
            "own_submission": own,
        }

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/approve/", wrap(self.approve_view),
                 name="integrations_submission_approve"),
            path("<path:object_id>/reject/", wrap(self.reject_view),
                 name="integrations_submission_reject"),
            path("<path:object_id>/retry/", wrap(self.retry_view),
                 name="integrations_submission_retry"),
            *super().get_urls(),
        ]

    def _submission_or_404(self, request, object_id) -> Submission:
        if not self.has_change_permission(request):
            raise PermissionDenied
        return get_object_or_404(self.get_queryset(request), pk=object_id)

    def _back(self, submission: Submission) -> HttpResponseRedirect:
        return HttpResponseRedirect(
            reverse("admin:integrations_submission_change", args=[submission.pk]))

    def _decide(self, request, submission: Submission, decision, done: str):
        try:
            decision()
        except PipelineError as exc:
            self.message_user(request, exc.message, messages.ERROR)
        else:
            self.message_user(request, done, messages.SUCCESS)
        return self._back(submission)

    def approve_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        submission = self._submission_or_404(request, object_id)
        return self._decide(
            request, submission,
            lambda: review_approve(submission=submission, reviewer=request.user),
            f"Approved {submission.contract.service_id} {submission.revision.version}: "
            "a worker will register it.")

    def retry_view(self, request, object_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        submission = self._submission_or_404(request, object_id)
        key = "a new key" if submission.key_refused else "the same key"
        return self._decide(
            request, submission,
            lambda: submission_retry(submission=submission, user=request.user),
            f"Retrying {submission.contract.service_id}: a worker will try again with {key}.")

    def reject_view(self, request, object_id):
        submission = self._submission_or_404(request, object_id)
        form = RejectForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            return self._decide(
                request, submission,
                lambda: review_reject(submission=submission, reviewer=request.user,
                                      reason=form.cleaned_data["reason"]),
                f"Rejected {submission.contract.service_id}; the developer has been told why.")
        return self._reject_page(request, [submission], form,
                                 action_url=request.path, bulk=False)

    def _reject_page(self, request, submissions, form, *, action_url: str, bulk: bool):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Reject submissions" if bulk else "Reject submission",
            "submissions": submissions,
            "form": form,
            "action_url": action_url,
            "bulk": bulk,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/integrations/submission/reject.html", context)

    # --- bulk actions -------------------------------------------------------------------------
    @admin.action(description="Approve selected submissions (refuses breaking changes)",
                  permissions=["change"])
    def approve_selected(self, request, queryset):
        result = review_bulk_approve(submissions=queryset, reviewer=request.user)
        if result.approved:
            names = ", ".join(s.contract.service_id for s in result.approved)
            self.message_user(request, f"Approved {len(result.approved)}: {names}.",
                              messages.SUCCESS)
        for _submission, message in result.refused:
            self.message_user(request, f"Not approved: {message}", messages.ERROR)

    @admin.action(description="Reject selected submissions (asks for a reason)",
                  permissions=["change"])
    def reject_selected(self, request, queryset):
        form = RejectForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_bound and form.is_valid():
            done = []
            for submission in queryset:
                try:
                    review_reject(submission=submission, reviewer=request.user,
                                  reason=form.cleaned_data["reason"])
                except PipelineError as exc:
                    self.message_user(request, f"Not rejected: {exc.message}", messages.ERROR)
                else:
                    done.append(submission.contract.service_id)
            if done:
                self.message_user(request, f"Rejected {len(done)}: {', '.join(done)}.",
                                  messages.SUCCESS)
            return None
        return self._reject_page(request, list(queryset), form, action_url="", bulk=True)

    @admin.action(description="Retry selected failed submissions", permissions=["change"])
    def retry_selected(self, request, queryset):
        for submission in queryset:
            try:
                submission_retry(submission=submission, user=request.user)
            except PipelineError as exc:
                self.message_user(request, f"Not retried: {exc.message}", messages.ERROR)
            else:
                self.message_user(request, f"Retrying {submission.contract.service_id}.",
                                  messages.SUCCESS)


class ServiceOperationAdmin(ReviewerCanView, admin.ModelAdmin):
    list_display = ["service", "kind", "status", "requested_by", "attempts", "created_at"]
    list_filter = ["kind", "status"]
    raw_id_fields = ["service", "successor", "requested_by"]


class EventAdmin(ReviewerCanView, admin.ModelAdmin):
    list_display = ["at", "contract", "actor", "actor_user", "kind", "message"]
    list_filter = ["kind", "actor"]
    search_fields = ["contract__service_id", "message"]
    raw_id_fields = ["contract", "submission", "operation", "actor_user"]


class VersionInline(admin.TabularInline):
    model = ServiceVersion
    extra = 0
    fields = ["version", "name", "registered_at"]
    readonly_fields = fields
    can_delete = False


class RegisteredServiceAdmin(ReviewerCanView, admin.ModelAdmin):
    """Registered services. Staff deprecate or withdraw one here, never on the owner's pages:
    the action asks for a reason, which goes on the timeline and to the owner by email."""

    list_display = ["service_id", "status", "current_version", "created_at"]
    list_filter = ["status"]
    search_fields = ["service_id"]
    raw_id_fields = ["contract", "successor", "current_version"]
    inlines = [VersionInline]
    actions = ["deprecate_selected", "withdraw_selected"]

    def has_review_permission(self, request) -> bool:
        return _is_reviewer(request)

    @admin.action(description="Deprecate selected services (asks for a reason, emails the owner)",
                  permissions=["review"])
    def deprecate_selected(self, request, queryset):
        return self._staff_operation(request, queryset, OperationKind.DEPRECATE,
                                     "deprecate_selected")

    @admin.action(description="Withdraw selected services (asks for a reason, emails the owner)",
                  permissions=["review"])
    def withdraw_selected(self, request, queryset):
        return self._staff_operation(request, queryset, OperationKind.WITHDRAW,
                                     "withdraw_selected")

    def _staff_operation(self, request, queryset, kind: str, action: str):
        form = StaffOperationForm(request.POST if request.POST.get("post") == "yes" else None)
        services = list(queryset.select_related("contract__owner").order_by("service_id"))
        if form.is_bound and form.is_valid():
            done = []
            for service in services:
                try:
                    operation_request_by_staff(service=service, kind=kind, reviewer=request.user,
                                               reason=form.cleaned_data["reason"])
                except PipelineError as exc:
                    self.message_user(request, f"Not done: {exc.message}", messages.ERROR)
                else:
                    done.append(service.service_id)
            if done:
                self.message_user(request, f"Asked to {kind} {len(done)}: {', '.join(done)}; "
                                           "the owners have been told why.", messages.SUCCESS)
            return None
        return TemplateResponse(request, "admin/integrations/registeredservice/operation.html", {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"{kind.capitalize()} services",
            "kind": kind,
            "action": action,
            "services": services,
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        })


class ServiceVersionAdmin(ReviewerCanView, admin.ModelAdmin):
    list_display = ["service", "version", "name", "p95_ms", "cost_per_request", "registered_at"]
    search_fields = ["service__service_id", "name"]
    raw_id_fields = ["service", "revision"]


class LocalCoreEntryAdmin(admin.ModelAdmin):
    list_display = ["service_id", "operation", "status", "created_at"]
    search_fields = ["service_id", "idempotency_key"]
