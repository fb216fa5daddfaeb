from django.urls import path

from zhiban.documents import views

app_name = "documents"

urlpatterns = [
    path("", views.register, name="register"),
    path("export.xlsx", views.register_export, name="register_export"),
    path("new/<str:direction>/", views.document_create, name="create"),
    path("draft/", views.draft_create, name="draft_create"),
    path("<int:pk>/", views.document_detail, name="detail"),
    path("<int:pk>/revise/", views.draft_revise, name="draft_revise"),
    path("<int:pk>/compare/", views.draft_compare, name="draft_compare"),
    path("<int:pk>/submit/", views.draft_submit, name="draft_submit"),
    path("<int:pk>/print/", views.document_print, name="print"),
    path("<int:pk>/issue/", views.document_issue, name="issue"),
    path("<int:pk>/sign-for/", views.receipt_sign, name="receipt_sign"),
    path("<int:pk>/complete/", views.receipt_complete, name="receipt_complete"),
    path("<int:pk>/ready-to-file/", views.ready_to_file, name="ready_to_file"),
    path("<int:pk>/notes/", views.draft_note_add, name="draft_note_add"),
    path("notes/<int:pk>/result/", views.follow_up_done, name="follow_up_done"),
    path(
        "recipients/<int:pk>/recall/",
        views.distribution_recall,
        name="distribution_recall",
    ),
    path("<int:pk>/edit/", views.document_edit, name="edit"),
    path("<int:pk>/formal.pdf", views.formal_pdf, name="formal_pdf"),
    path(
        "<int:pk>/handling-form.pdf",
        views.handling_form_pdf,
        name="handling_form_pdf",
    ),
    path("<int:pk>/number/", views.number_allocate, name="number_allocate"),
    path("numbers/<int:pk>/void/", views.number_void, name="number_void"),
    path("<int:pk>/files/", views.file_add, name="file_add"),
    path("files/<int:pk>/", views.file_download, name="file_download"),
    path("<int:pk>/paper/", views.paper_handover, name="paper_handover"),
    path("<int:pk>/circulate/", views.circulation_start, name="circulation_start"),
    path("<int:pk>/handling/<str:stage>/", views.incoming_act, name="incoming_act"),
    path("<int:pk>/urge/", views.incoming_urge, name="incoming_urge"),
    path(
        "circulations/<int:pk>/opinion/",
        views.circulation_opinion,
        name="circulation_opinion",
    ),
    path(
        "circulations/<int:pk>/close/",
        views.circulation_close,
        name="circulation_close",
    ),
    path("manage/series/", views.series_list, name="series_list"),
    path("manage/series/new/", views.series_create, name="series_create"),
    path("manage/series/<int:pk>/", views.series_edit, name="series_edit"),
]
