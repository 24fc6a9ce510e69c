from django.conf import settings


def site(request):
    return {"SITE_NAME": "CAIO Developer Portal", "DEBUG": settings.DEBUG}
