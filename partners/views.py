"""The directory's one public page: the search behind the registration form's
organisation picker (static/js/organisation-picker.js)."""

from django.http import JsonResponse
from django.utils.decorators import method_decorator
from django.views import View

from partners.selectors import search_organisations
from symposium.web.ratelimits import rate_limited

QUERY_MAX_LENGTH = 200


@method_decorator(rate_limited("directory-search"), name="dispatch")
class SearchView(View):
    """`?q=` → up to ten current entries: their name and sector, nothing else (the
    directory's websites, aliases and networks are the organisers'). Read-only and the
    same for everyone, so a browser may keep an answer for a minute."""

    def get(self, request):
        query = request.GET.get("q", "")[:QUERY_MAX_LENGTH]
        found = search_organisations(query) if len(query.strip()) >= 2 else []
        response = JsonResponse(
            {
                "results": [
                    {
                        "name": organisation.name,
                        "sector": organisation.sector,
                        "sector_label": organisation.get_sector_display(),
                    }
                    for organisation in found
                ]
            }
        )
        response["Cache-Control"] = "public, max-age=60"
        return response
