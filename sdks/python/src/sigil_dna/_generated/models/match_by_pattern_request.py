from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MatchByPatternRequest")


@_attrs_define
class MatchByPatternRequest:
    """
    Attributes:
        dna_pattern (list[float]): A resonance pattern: exactly 16 numbers in [0, 1]. Example: [0.1, 0.9, 0.4, 0.7, 0.2,
            0.8, 0.3, 0.6, 0.5, 0.5, 0.6, 0.3, 0.8, 0.2, 0.7, 0.4].
        top_n (int | Unset):  Default: 10. Example: 10.
        threshold (float | Unset):  Default: 0.5. Example: 0.5.
    """

    dna_pattern: list[float]
    top_n: int | Unset = 10
    threshold: float | Unset = 0.5

    def to_dict(self) -> dict[str, Any]:
        dna_pattern = self.dna_pattern

        top_n = self.top_n

        threshold = self.threshold

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "dnaPattern": dna_pattern,
            }
        )
        if top_n is not UNSET:
            field_dict["topN"] = top_n
        if threshold is not UNSET:
            field_dict["threshold"] = threshold

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        dna_pattern = cast(list[float], d.pop("dnaPattern"))

        top_n = d.pop("topN", UNSET)

        threshold = d.pop("threshold", UNSET)

        match_by_pattern_request = cls(
            dna_pattern=dna_pattern,
            top_n=top_n,
            threshold=threshold,
        )

        return match_by_pattern_request
