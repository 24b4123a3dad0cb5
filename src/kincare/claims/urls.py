from django.urls import path

from kincare.claims import views

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="list"),
    path("new/", views.claim_new, name="new"),
    path("<int:claim_id>/", views.claim_detail, name="detail"),
    path("<int:claim_id>/documents/<int:document_id>/", views.claim_document, name="document"),
    path("<int:claim_id>/documents/", views.claim_documents_upload, name="documents_add"),
    path("<int:claim_id>/withdraw/", views.claim_withdraw_view, name="withdraw"),
    path("hospitals/", views.hospital_search, name="hospital_search"),
    path("hospitals/pick/", views.hospital_pick, name="hospital_pick"),
    path("diagnoses/", views.diagnosis_search, name="diagnosis_search"),
    path("diagnoses/pick/", views.diagnosis_pick, name="diagnosis_pick"),
    path("items/row/", views.item_row, name="item_row"),
]
