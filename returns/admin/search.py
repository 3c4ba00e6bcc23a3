from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest


class ExactSearch:
    """The search box finds whole identifiers, as typed or in capitals.

    Django's `=field` is `iexact`, which compares UPPER() of every row and so
    reads past the indexes on tracking numbers and order ids. The search runs
    on `get_queryset`, so it never leaves the user's scope.
    """

    exact_search_fields: list[str] = []

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        spellings = sorted({term, term.upper()})
        match = Q()
        for field in self.exact_search_fields:
            match |= Q(**{f"{field}__in": spellings})
        return queryset.filter(match), False
