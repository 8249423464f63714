from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="KeyStatus")


@_attrs_define
class KeyStatus:
    """
    Attributes:
        active_kid (str): The kid new sigils are signed with. Example: 3f9a1c2b.
        verify_only_kids (list[str]): Kids that still verify, never sign. Example: ['9c01d2e3'].
    """

    active_kid: str
    verify_only_kids: list[str]
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        active_kid = self.active_kid

        verify_only_kids = self.verify_only_kids

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "activeKid": active_kid,
                "verifyOnlyKids": verify_only_kids,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        active_kid = d.pop("activeKid")

        verify_only_kids = cast(list[str], d.pop("verifyOnlyKids"))

        key_status = cls(
            active_kid=active_kid,
            verify_only_kids=verify_only_kids,
        )

        key_status.additional_properties = d
        return key_status

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
