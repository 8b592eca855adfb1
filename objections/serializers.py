from __future__ import annotations

from rest_framework import serializers

from objections.lookup import (
    NAME_MAX,
    NameInputError,
    NikInputError,
    name_normalise_input,
    nik_normalise,
)


class CheckInput(serializers.Serializer):
    nik = serializers.CharField(max_length=40)
    birth_date = serializers.DateField(input_formats=["%Y-%m-%d"])
    name = serializers.CharField(
        max_length=NAME_MAX, help_text="The name as on the KTP-el (the second factor)."
    )

    def validate_name(self, value: str) -> str:
        try:
            return name_normalise_input(value)
        except NameInputError as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate_nik(self, value: str) -> str:
        try:
            return nik_normalise(value)
        except NikInputError as exc:
            raise serializers.ValidationError(str(exc)) from None


class SupportOutput(serializers.Serializer):
    pair = serializers.CharField()
    election = serializers.CharField()
    stage = serializers.CharField()


class CheckOutput(serializers.Serializer):
    listed = serializers.BooleanField()
    supports = SupportOutput(many=True)
