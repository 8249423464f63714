from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.readiness_status import ReadinessStatus, check_readiness_status
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.readiness_details import ReadinessDetails
    from ..models.readiness_error import ReadinessError
    from ..models.readiness_info import ReadinessInfo


T = TypeVar("T", bound="Readiness")


@_attrs_define
class Readiness:
    """
    Attributes:
        status (ReadinessStatus):  Example: ok.
        info (ReadinessInfo | Unset): By check name: storage, signing, rateLimits, disk, heap.
        error (ReadinessError | Unset): By check name: storage, signing, rateLimits, disk, heap.
        details (ReadinessDetails | Unset): By check name: storage, signing, rateLimits, disk, heap.
    """

    status: ReadinessStatus
    info: ReadinessInfo | Unset = UNSET
    error: ReadinessError | Unset = UNSET
    details: ReadinessDetails | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status: str = self.status

        info: dict[str, Any] | Unset = UNSET
        if not isinstance(self.info, Unset):
            info = self.info.to_dict()

        error: dict[str, Any] | Unset = UNSET
        if not isinstance(self.error, Unset):
            error = self.error.to_dict()

        details: dict[str, Any] | Unset = UNSET
        if not isinstance(self.details, Unset):
            details = self.details.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
            }
        )
        if info is not UNSET:
            field_dict["info"] = info
        if error is not UNSET:
            field_dict["error"] = error
        if details is not UNSET:
            field_dict["details"] = details

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.readiness_details import ReadinessDetails
        from ..models.readiness_error import ReadinessError
        from ..models.readiness_info import ReadinessInfo

        d = dict(src_dict)
        status = check_readiness_status(d.pop("status"))

        _info = d.pop("info", UNSET)
        info: ReadinessInfo | Unset
        if isinstance(_info, Unset):
            info = UNSET
        else:
            info = ReadinessInfo.from_dict(_info)

        _error = d.pop("error", UNSET)
        error: ReadinessError | Unset
        if isinstance(_error, Unset):
            error = UNSET
        else:
            error = ReadinessError.from_dict(_error)

        _details = d.pop("details", UNSET)
        details: ReadinessDetails | Unset
        if isinstance(_details, Unset):
            details = UNSET
        else:
            details = ReadinessDetails.from_dict(_details)

        readiness = cls(
            status=status,
            info=info,
            error=error,
            details=details,
        )

        readiness.additional_properties = d
        return readiness

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
