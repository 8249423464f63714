from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="SigilMetadataInput")


@_attrs_define
class SigilMetadataInput:
    """
    Attributes:
        source (str | Unset):  Example: billing-service.
        version (str | Unset): Semantic version (semver.org 2.0.0) Example: 1.2.0.
        tags (list[str] | Unset):  Example: ['invoice'].
    """

    source: str | Unset = UNSET
    version: str | Unset = UNSET
    tags: list[str] | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        source = self.source

        version = self.version

        tags: list[str] | Unset = UNSET
        if not isinstance(self.tags, Unset):
            tags = self.tags

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if source is not UNSET:
            field_dict["source"] = source
        if version is not UNSET:
            field_dict["version"] = version
        if tags is not UNSET:
            field_dict["tags"] = tags

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        source = d.pop("source", UNSET)

        version = d.pop("version", UNSET)

        tags = cast(list[str], d.pop("tags", UNSET))

        sigil_metadata_input = cls(
            source=source,
            version=version,
            tags=tags,
        )

        return sigil_metadata_input
