from typing import Any

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from returns.admin.scoping import sellers_for


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


# Enough for a shop's name typed in part; a term matching more shops is too vague.
SELLERS_MATCHED = 50


class PrefixSearch:
    """The search box finds identifiers by their start, as typed or in capitals, and
    packages of the sellers whose name holds the term.

    Each part is read from an index: `startswith` is LIKE 'TH12%', served by the
    varchar_pattern_ops indexes (FailedPackage.Meta); `istartswith` would compare
    UPPER() of every row, so the capitals are a second prefix instead (carriers'
    numbers are case-insensitive). The sellers are found first, in their own small
    table, and the packages then by `seller_id IN`, from the seller indexes. The
    search runs on `get_queryset`, so it never leaves the user's scope; a seller of
    another provider's matches nothing here.
    """

    prefix_search_fields: list[str] = []

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        match = Q()
        for spelling in sorted({term, term.upper()}):
            for field in self.prefix_search_fields:
                match |= Q(**{f"{field}__startswith": spelling})
        # The user's own sellers only: another provider's must not take the places.
        sellers = list(
            sellers_for(request.user)
            .filter(name__icontains=term)
            .order_by("pk")
            .values_list("pk", flat=True)[:SELLERS_MATCHED]
        )
        if sellers:
            match |= Q(seller_id__in=sellers)
        return queryset.filter(match), False
