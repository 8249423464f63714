from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.dna import Dna


T = TypeVar("T", bound="LegacyV1View")


@_attrs_define
class LegacyV1View:
    """
    Attributes:
        id (str):
        tenant_id (str):
        kid (str):
        signature (str):
        auth_hash (str):
        dna (Dna):
        created_at (datetime.datetime):
        revoked_at (datetime.datetime | None):
        href (str):  Example: /api/v1/sigils/sigil_01JD3Q9X8Y7Z6W5V4T3S2R1Q0P.
    """

    id: str
    tenant_id: str
    kid: str
    signature: str
    auth_hash: str
    dna: Dna
    created_at: datetime.datetime
    revoked_at: datetime.datetime | None
    href: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        tenant_id = self.tenant_id

        kid = self.kid

        signature = self.signature

        auth_hash = self.auth_hash

        dna = self.dna.to_dict()

        created_at = self.created_at.isoformat()

        revoked_at: None | str
        if isinstance(self.revoked_at, datetime.datetime):
            revoked_at = self.revoked_at.isoformat()
        else:
            revoked_at = self.revoked_at

        href = self.href

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "tenantId": tenant_id,
                "kid": kid,
                "signature": signature,
                "authHash": auth_hash,
                "dna": dna,
                "createdAt": created_at,
                "revokedAt": revoked_at,
                "href": href,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.dna import Dna

        d = dict(src_dict)
        id = d.pop("id")

        tenant_id = d.pop("tenantId")

        kid = d.pop("kid")

        signature = d.pop("signature")

        auth_hash = d.pop("authHash")

        dna = Dna.from_dict(d.pop("dna"))

        created_at = datetime.datetime.fromisoformat(d.pop("createdAt"))

        def _parse_revoked_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                revoked_at_type_0 = datetime.datetime.fromisoformat(data)

                return revoked_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        revoked_at = _parse_revoked_at(d.pop("revokedAt"))

        href = d.pop("href")

        legacy_v1_view = cls(
            id=id,
            tenant_id=tenant_id,
            kid=kid,
            signature=signature,
            auth_hash=auth_hash,
            dna=dna,
            created_at=created_at,
            revoked_at=revoked_at,
            href=href,
        )

        legacy_v1_view.additional_properties = d
        return legacy_v1_view

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
