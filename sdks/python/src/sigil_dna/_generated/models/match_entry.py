from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="MatchEntry")


@_attrs_define
class MatchEntry:
    """
    Attributes:
        sigil_id (str):  Example: sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P.
        similarity (float):  Example: 0.97.
    """

    sigil_id: str
    similarity: float
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        sigil_id = self.sigil_id

        similarity = self.similarity

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "sigilId": sigil_id,
                "similarity": similarity,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        sigil_id = d.pop("sigilId")

        similarity = d.pop("similarity")

        match_entry = cls(
            sigil_id=sigil_id,
            similarity=similarity,
        )

        match_entry.additional_properties = d
        return match_entry

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
