"""Pages of a pair's list of 840k supporters in a few milliseconds (docs/benchmarks.md: the pages).

Django's Paginator costs two full passes per request on such a list: COUNT(*) for the number of
pages, and `OFFSET n LIMIT 50` over the ordered rows with their joins, which at page 16,000
makes the database join and throw away 800k rows. `ListPaginator`:
- takes the count from the caller when it is known from stored figures (the results list:
  verification.derived), else counts as usual;
- fetches a page in two steps (a deferred join): the page's ids first, off the list's index
  alone (supporter_pair_order holds the order and the id), then those 50 rows with everything
  the page shows: by default the list's own query narrowed to the ids, which applies its
  filters a second time; `rows_for(ids)` gives the rows by their ids alone where those filters
  cost (the results page of an area: its placement filter read 18,748 candidates twice, 50 ms
  of the second step). The ids come from the filtered list, so the rows are the same.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.paginator import Paginator
from django.db.models import QuerySet


class ListPaginator(Paginator):
    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *,
        count: int | None = None,
        rows_for: Callable[[list], QuerySet] | None = None,
        **kw,
    ):
        super().__init__(object_list, per_page, **kw)
        if count is not None:
            self.__dict__["count"] = count  # Paginator.count is a cached_property
        self.rows_for = rows_for or (lambda ids: self.object_list.filter(pk__in=ids))

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        rows = {row.pk: row for row in self.rows_for(ids).order_by()}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)
