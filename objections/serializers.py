from __future__ import annotations

from rest_framework import serializers

from objections.lookup import NikInputError, nik_normalise


class CheckInput(serializers.Serializer):
    nik = serializers.CharField(max_length=40)
    birth_date = serializers.DateField(input_formats=["%Y-%m-%d"])

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
