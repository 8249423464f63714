from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="MatchBySigilRequest")


@_attrs_define
class MatchBySigilRequest:
    """
    Attributes:
        sigil_id (str): Match against this sigil’s pattern (404 when it is not in the caller’s tenant). Example:
            sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P.
        top_n (int | Unset):  Default: 10. Example: 10.
        threshold (float | Unset):  Default: 0.5. Example: 0.5.
    """

    sigil_id: str
    top_n: int | Unset = 10
    threshold: float | Unset = 0.5

    def to_dict(self) -> dict[str, Any]:
        sigil_id = self.sigil_id

        top_n = self.top_n

        threshold = self.threshold

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "sigilId": sigil_id,
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
        sigil_id = d.pop("sigilId")

        top_n = d.pop("topN", UNSET)

        threshold = d.pop("threshold", UNSET)

        match_by_sigil_request = cls(
            sigil_id=sigil_id,
            top_n=top_n,
            threshold=threshold,
        )

        return match_by_sigil_request
