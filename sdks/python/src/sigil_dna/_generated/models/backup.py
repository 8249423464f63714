from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="Backup")


@_attrs_define
class Backup:
    """
    Attributes:
        name (str): Folder under SIGIL_BACKUP_DIR. Example: sigil-20250115T100000Z-1a2b3c4d.
        path (str): Absolute path on the server (at most PATH_MAX). Example:
            /var/backups/sigil/sigil-20250115T100000Z-1a2b3c4d.
        keys (int): Every key copied (records and their index entries). Example: 5210.
        sigils (int):  Example: 1000.
        taken_at (datetime.datetime): The snapshot instant: every write acknowledged before it is in the backup.
            Example: 2025-01-15T10:00:00.000Z.
        duration_ms (int):  Example: 412.
    """

    name: str
    path: str
    keys: int
    sigils: int
    taken_at: datetime.datetime
    duration_ms: int
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        path = self.path

        keys = self.keys

        sigils = self.sigils

        taken_at = self.taken_at.isoformat()

        duration_ms = self.duration_ms

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "path": path,
                "keys": keys,
                "sigils": sigils,
                "takenAt": taken_at,
                "durationMs": duration_ms,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        name = d.pop("name")

        path = d.pop("path")

        keys = d.pop("keys")

        sigils = d.pop("sigils")

        taken_at = datetime.datetime.fromisoformat(d.pop("takenAt"))

        duration_ms = d.pop("durationMs")

        backup = cls(
            name=name,
            path=path,
            keys=keys,
            sigils=sigils,
            taken_at=taken_at,
            duration_ms=duration_ms,
        )

        backup.additional_properties = d
        return backup

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
