from django.urls import path

from contracts_app.views import editor, pages

urlpatterns = [
    path("new/", pages.new_contract, name="new"),
    path("check-id/", pages.check_id, name="check_id"),
    path("<slug:service_id>/", pages.detail, name="detail"),
    path("<slug:service_id>/edit/", editor.edit, name="edit"),
    path("<slug:service_id>/validate/", editor.validate, name="validate"),
    path("<slug:service_id>/convert/", editor.convert, name="convert"),
    path("<slug:service_id>/upload/", editor.upload, name="upload"),
    path("<slug:service_id>/history/", pages.history, name="history"),
    path("<slug:service_id>/diff/", pages.diff, name="diff"),
    path("<slug:service_id>/revisions/<int:number>.yaml", pages.revision_yaml,
         name="revision_yaml"),
    path("<slug:service_id>/delete/", pages.delete, name="delete"),
]
