"""Django admin for the integrations app: the reviewers' tool (integrations/review/admin.py).

The classes live with the rest of review; they are registered here, where Django's admin
autodiscovery looks.
"""

from django.contrib import admin

from integrations.models import (
    Event,
    LocalCoreEntry,
    RegisteredService,
    ServiceOperation,
    ServiceVersion,
    Submission,
)
from integrations.review.admin import (
    EventAdmin,
    LocalCoreEntryAdmin,
    RegisteredServiceAdmin,
    ServiceOperationAdmin,
    ServiceVersionAdmin,
    SubmissionAdmin,
)

admin.site.register(Submission, SubmissionAdmin)
admin.site.register(ServiceOperation, ServiceOperationAdmin)
admin.site.register(Event, EventAdmin)
admin.site.register(RegisteredService, RegisteredServiceAdmin)
admin.site.register(ServiceVersion, ServiceVersionAdmin)
admin.site.register(LocalCoreEntry, LocalCoreEntryAdmin)
