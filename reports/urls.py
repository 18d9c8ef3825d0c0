from __future__ import annotations

from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("<int:year>.pdf", views.full_pdf, name="full"),
    path("<int:year>-summary.pdf", views.summary_pdf, name="summary"),
    path("<int:year>-draft.pdf", views.draft_pdf, name="draft"),
    path("<int:year>/department/<int:department_id>.pdf", views.department_pdf, name="department"),
    path("<int:year>.xlsx", views.achievement_xlsx, name="xlsx"),
    path("<int:year>-assembly.pdf", views.assembly_pdf, name="assembly"),
    path("<int:year>-assembly.xlsx", views.assembly_xlsx, name="assembly_xlsx"),
]
