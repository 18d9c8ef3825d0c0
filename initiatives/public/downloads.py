"""Open-data downloads: every file of `datapackage.FILES`, whole or filtered like the table.

Served from the publication cache with CORS open (any site's browser code may fetch them);
a filtered download is named for its filter: initiatives_令和5年度_未達成.csv (RFC 5987).
"""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from initiatives.models import Plan
from initiatives.public.caching import request_state, served_from_edition
from initiatives.public.datapackage import FILES, file_bytes
from initiatives.public.filters import PublicFilterForm
from initiatives.public.plans import plan_scoped

# Characters no file system or browser keeps in a file name.
_UNSAFE = re.compile(r'[\\/:*?"<>|\s\x00-\x1f]+')


def download_name(name: str, parts: list[str]) -> str:
    """initiatives.csv → initiatives_令和5年度_未達成.csv for the filters in words."""
    if not parts:
        return name
    stem, extension = name.rsplit(".", 1)
    label = _UNSAFE.sub("_", "_".join(parts)).strip("_")[:120]
    return f"{stem}_{label}.{extension}"


@require_safe
@plan_scoped
@served_from_edition(cors=True)
def open_data_file(request: HttpRequest, name: str, *, plan: Plan) -> HttpResponse:
    file = FILES.get(name)
    if file is None:
        raise Http404("このファイルはありません。")
    form = PublicFilterForm(request.GET or None, plan=plan)
    filters = form.filters()
    if filters.is_empty or not file.filterable:
        content = file_bytes(plan=plan, name=name, state=request_state(request, plan))
        filename = name
    else:
        content = file.write(plan=plan, filters=filters)
        filename = download_name(name, form.label_parts(filters))
    response = HttpResponse(content, content_type=file.content_type)
    if file.filterable:
        response["Content-Disposition"] = content_disposition_header(True, filename)
    return response
