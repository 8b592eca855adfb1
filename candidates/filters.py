"""The API's query filters (django-filter, read by DRF's DjangoFilterBackend).

Each parameter is declared once with its type: a value that does not read as one (`?round=abc`,
`?round=٣`, `?election=99999999999999999999`) is a 400 naming the parameter, in the API's one
error shape (config/api.py), where `isdigit()` let some through to a ValueError or an integer
out of the database's range (500) and ignored the others silently. The parameters appear in the
OpenAPI schema. The querysets filtered are already cut to what the user may see (selectors):
a filter only narrows them.

The pages keep their own validation (their GET forms and electorate.params.id_param): a page
answers a bad value with the unfiltered list, as a person who edits the address expects.
"""

from __future__ import annotations

import django_filters as filters
from django import forms
from django.utils.translation import gettext_lazy as _

from candidates.models import Pair, Round, Supporter
from electorate.params import BIGINT_MAX
from staff.access import q_within


class IdField(forms.IntegerField):
    """ASCII digits only, as electorate.params.id_param: int() reads '٣' as 3."""

    def to_python(self, value):
        if value not in self.empty_values and not str(value).isascii():
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IdFilter(filters.NumberFilter):
    """An object's id: a whole number the database's bigint holds (NumberFilter is a decimal)."""

    field_class = IdField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", BIGINT_MAX)
        super().__init__(*args, **kwargs)


class PairFilter(filters.FilterSet):
    election = IdFilter(field_name="election_id", label=_("id pemilihan"))

    class Meta:
        model = Pair
        fields = ["election"]


class SupporterFilter(filters.FilterSet):
    round = filters.TypedChoiceFilter(choices=Round.choices, coerce=int, label=_("tahap"))
    # A region code and every place inside it (31.71 is the whole kota); the longest code is a
    # kelurahan's, 13 characters (31.71.01.1001).
    kelurahan = filters.CharFilter(
        method="kelurahan_within", max_length=13, label=_("kode wilayah")
    )

    class Meta:
        model = Supporter
        fields = ["round", "kelurahan"]

    def kelurahan_within(self, queryset, name: str, value: str):
        return queryset.filter(q_within("kelurahan__code", value))
