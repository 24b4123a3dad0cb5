from django.urls import path

from kincare.crowdfunding import views

app_name = "crowdfunding"
urlpatterns = [
    path("", views.campaign_index, name="index"),
    path("new/", views.campaign_new, name="new"),
    path("new/cap/", views.campaign_cap, name="cap"),
    path("new/diagnoses/", views.diagnosis_search, name="diagnosis_search"),
    path("new/diagnoses/pick/", views.diagnosis_pick, name="diagnosis_pick"),
    path("mine/", views.mine, name="mine"),
    path("receipts/<int:donation_id>/", views.receipt, name="receipt"),
    path("<int:campaign_id>/", views.campaign_page, name="page"),
    path("<int:campaign_id>/progress/", views.campaign_progress, name="progress"),
    path("<int:campaign_id>/donate/", views.campaign_donate, name="donate"),
    path("<int:campaign_id>/share/", views.campaign_share, name="share"),
    path("<int:campaign_id>/witness/", views.campaign_witness, name="witness"),
    path("<int:campaign_id>/report/", views.campaign_report, name="report"),
    path("<int:campaign_id>/files/<int:document_id>/", views.campaign_file, name="file"),
    path("<int:campaign_id>/ledger.json", views.campaign_ledger, name="ledger"),
    path("<int:campaign_id>/manage/", views.campaign_manage, name="manage"),
    path("<int:campaign_id>/edit/", views.campaign_edit, name="edit"),
]
