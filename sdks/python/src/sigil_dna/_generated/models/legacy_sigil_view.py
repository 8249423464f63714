from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.legacy_v1_view import LegacyV1View


T = TypeVar("T", bound="LegacySigilView")


@_attrs_define
class LegacySigilView:
    """
    Attributes:
        id (str): The sigil id (v1 form; old clients treat it as an opaque string).
        timestamp (datetime.datetime): When it was minted (ISO-8601 UTC).
        v1 (LegacyV1View):
    """

    id: str
    timestamp: datetime.datetime
    v1: LegacyV1View
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        timestamp = self.timestamp.isoformat()

        v1 = self.v1.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "timestamp": timestamp,
                "v1": v1,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.legacy_v1_view import LegacyV1View

        d = dict(src_dict)
        id = d.pop("id")

        timestamp = datetime.datetime.fromisoformat(d.pop("timestamp"))

        v1 = LegacyV1View.from_dict(d.pop("v1"))

        legacy_sigil_view = cls(
            id=id,
            timestamp=timestamp,
            v1=v1,
        )

        legacy_sigil_view.additional_properties = d
        return legacy_sigil_view

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
