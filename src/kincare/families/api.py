"""/api/v1/families/: every endpoint authorises through the families policies (404 to outsiders)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Router, Status

from kincare.core.errors import NotFound
from kincare.families import selectors, services
from kincare.families.schemas import (
    ConsentIn,
    ConsentOut,
    DeclarationIn,
    DeclarationOut,
    DeclarationPatch,
    FamilyIn,
    FamilyOut,
    FamilyPatch,
    GrantIn,
    GrantOut,
    InvitationAcceptIn,
    InvitationCreated,
    InvitationIn,
    InvitationOut,
    LifeEventIn,
    LifeEventOut,
    MemberIn,
    MemberOut,
    MemberPatch,
)

router = Router(tags=["families"])


def _member_out(request: HttpRequest, member_id: int) -> MemberOut:
    member = selectors.member_get(user=request.user, member_id=member_id)
    return MemberOut.build(selectors.member_view(user=request.user, member=member))


# Families -----------------------------------------------------------------------------


@router.post("/", response={201: FamilyOut})
def family_create(request: HttpRequest, payload: FamilyIn) -> Status[FamilyOut]:
    family = services.family_create(actor=request.user, name=payload.name)
    return Status(201, FamilyOut.build(family, request.user))


@router.get("/mine", response=FamilyOut)
def family_mine(request: HttpRequest) -> FamilyOut:
    family = selectors.family_get_for_user(request.user)
    if family is None:
        raise NotFound(_("你还没有加入任何家庭"), code="no_family")
    return FamilyOut.build(family, request.user)


@router.get("/{int:family_id}", response=FamilyOut)
def family_get(request: HttpRequest, family_id: int) -> FamilyOut:
    return FamilyOut.build(selectors.family_get(user=request.user, family_id=family_id), request.user)


@router.patch("/{int:family_id}", response=FamilyOut)
def family_update(request: HttpRequest, family_id: int, payload: FamilyPatch) -> FamilyOut:
    family = selectors.family_get(user=request.user, family_id=family_id)
    family = services.family_update(actor=request.user, family=family, **payload.dict(exclude_unset=True))
    return FamilyOut.build(family, request.user)


# Members ------------------------------------------------------------------------------


@router.get("/{int:family_id}/members", response=list[MemberOut])
def member_list(request: HttpRequest, family_id: int) -> list[MemberOut]:
    family = selectors.family_get(user=request.user, family_id=family_id)
    return [MemberOut.build(v) for v in selectors.member_list(user=request.user, family=family)]


@router.post("/{int:family_id}/members", response={201: MemberOut})
def member_add(request: HttpRequest, family_id: int, payload: MemberIn) -> Status[MemberOut]:
    family = selectors.family_get(user=request.user, family_id=family_id)
    member = services.member_add(actor=request.user, family=family, **payload.dict())
    return Status(201, _member_out(request, member.pk))


@router.get("/members/{int:member_id}", response=MemberOut)
def member_get(request: HttpRequest, member_id: int) -> MemberOut:
    return _member_out(request, member_id)


@router.patch("/members/{int:member_id}", response=MemberOut)
def member_update(request: HttpRequest, member_id: int, payload: MemberPatch) -> MemberOut:
    member = selectors.member_get(user=request.user, member_id=member_id)
    services.member_update(actor=request.user, member=member, **payload.dict(exclude_unset=True))
    return _member_out(request, member_id)


@router.delete("/members/{int:member_id}", response={204: None})
def member_remove(request: HttpRequest, member_id: int) -> Status[None]:
    member = selectors.member_get(user=request.user, member_id=member_id)
    services.member_remove(actor=request.user, member=member)
    return Status(204, None)


# Invitations --------------------------------------------------------------------------


@router.get("/{int:family_id}/invitations", response=list[InvitationOut])
def invitation_list(request: HttpRequest, family_id: int) -> list[InvitationOut]:
    family = selectors.family_get(user=request.user, family_id=family_id)
    return [InvitationOut.build(i) for i in selectors.invitation_list(user=request.user, family=family)]


@router.post("/{int:family_id}/invitations", response={201: InvitationCreated})
def invitation_create(request: HttpRequest, family_id: int, payload: InvitationIn) -> Status[InvitationCreated]:
    family = selectors.family_get(user=request.user, family_id=family_id)
    member = None
    if payload.member_id is not None:
        member = selectors.member_get(user=request.user, member_id=payload.member_id)
    invitation, token = services.invitation_create(
        actor=request.user,
        family=family,
        phone=payload.phone,
        relationship=payload.relationship,
        member=member,
    )
    url = request.build_absolute_uri(reverse("families:invitation_accept", args=[token]))
    return Status(201, InvitationCreated(invitation=InvitationOut.build(invitation), token=token, url=url))


@router.post("/invitations/accept", response=MemberOut)
def invitation_accept(request: HttpRequest, payload: InvitationAcceptIn) -> MemberOut:
    member = services.invitation_accept(actor=request.user, token=payload.token)
    return _member_out(request, member.pk)


@router.post("/invitations/{int:invitation_id}/revoke", response=InvitationOut)
def invitation_revoke(request: HttpRequest, invitation_id: int) -> InvitationOut:
    invitation = selectors.invitation_get(user=request.user, invitation_id=invitation_id)
    return InvitationOut.build(services.invitation_revoke(actor=request.user, invitation=invitation))


# Health data grants and consents ---------------------------------------------------------


@router.get("/{int:family_id}/grants", response=list[GrantOut])
def grant_list(request: HttpRequest, family_id: int) -> list[GrantOut]:
    family = selectors.family_get(user=request.user, family_id=family_id)
    return [GrantOut.build(g) for g in selectors.grant_list(user=request.user, family=family)]


@router.post("/grants", response={201: GrantOut})
def grant_give(request: HttpRequest, payload: GrantIn) -> Status[GrantOut]:
    grantor = selectors.member_get(user=request.user, member_id=payload.grantor_id)
    grantee = selectors.member_get(user=request.user, member_id=payload.grantee_id)
    grant = services.health_grant_give(actor=request.user, grantor=grantor, grantee=grantee)
    return Status(201, GrantOut.build(grant))


@router.post("/grants/{int:grant_id}/revoke", response=GrantOut)
def grant_revoke(request: HttpRequest, grant_id: int) -> GrantOut:
    grant = selectors.grant_get(user=request.user, grant_id=grant_id)
    return GrantOut.build(services.health_grant_revoke(actor=request.user, grant=grant))


@router.get("/{int:family_id}/consents", response=list[ConsentOut])
def consent_list(request: HttpRequest, family_id: int) -> list[ConsentOut]:
    family = selectors.family_get(user=request.user, family_id=family_id)
    return [ConsentOut.from_orm(c) for c in selectors.consent_list(user=request.user, family=family)]


@router.post("/members/{int:member_id}/consent", response={201: ConsentOut})
def consent_give(request: HttpRequest, member_id: int, payload: ConsentIn) -> Status[ConsentOut]:
    member = selectors.member_get(user=request.user, member_id=member_id)
    consent = services.consent_give(actor=request.user, member=member, policy_version=payload.policy_version)
    return Status(201, ConsentOut.from_orm(consent))


@router.delete("/members/{int:member_id}/consent", response=ConsentOut)
def consent_withdraw(request: HttpRequest, member_id: int) -> ConsentOut:
    member = selectors.member_get(user=request.user, member_id=member_id)
    return ConsentOut.from_orm(services.consent_withdraw(actor=request.user, member=member))


# Health declarations ----------------------------------------------------------------------


@router.get("/members/{int:member_id}/declarations", response=list[DeclarationOut])
def declaration_list(request: HttpRequest, member_id: int) -> list[DeclarationOut]:
    member = selectors.member_get(user=request.user, member_id=member_id)
    return [DeclarationOut.build(d) for d in selectors.declaration_list(user=request.user, member=member)]


@router.post("/members/{int:member_id}/declarations", response={201: DeclarationOut})
def declaration_add(request: HttpRequest, member_id: int, payload: DeclarationIn) -> Status[DeclarationOut]:
    member = selectors.member_get(user=request.user, member_id=member_id)
    declaration = services.declaration_add(
        actor=request.user,
        member=member,
        code=payload.code,
        attributes=payload.attributes,
        diagnosed_on=payload.diagnosed_on,
    )
    return Status(201, DeclarationOut.build(declaration))


@router.patch("/declarations/{int:declaration_id}", response=DeclarationOut)
def declaration_update(request: HttpRequest, declaration_id: int, payload: DeclarationPatch) -> DeclarationOut:
    declaration = selectors.declaration_get(user=request.user, declaration_id=declaration_id)
    declaration = services.declaration_update(
        actor=request.user,
        declaration=declaration,
        attributes=payload.attributes,
        diagnosed_on=payload.diagnosed_on,
    )
    return DeclarationOut.build(declaration)


@router.delete("/declarations/{int:declaration_id}", response={204: None})
def declaration_remove(request: HttpRequest, declaration_id: int) -> HttpResponse:
    declaration = selectors.declaration_get(user=request.user, declaration_id=declaration_id)
    services.declaration_remove(actor=request.user, declaration=declaration)
    return HttpResponse(status=204)


# Life events ---------------------------------------------------------------------------------


@router.get("/{int:family_id}/life-events", response=list[LifeEventOut])
def life_event_list(request: HttpRequest, family_id: int) -> list[LifeEventOut]:
    family = selectors.family_get(user=request.user, family_id=family_id)
    return [LifeEventOut.build(e) for e in selectors.life_event_list(user=request.user, family=family)]


@router.post("/{int:family_id}/life-events", response={201: LifeEventOut})
def life_event_record(request: HttpRequest, family_id: int, payload: LifeEventIn) -> Status[LifeEventOut]:
    family = selectors.family_get(user=request.user, family_id=family_id)
    member = None
    if payload.member_id is not None:
        member = selectors.member_get(user=request.user, member_id=payload.member_id)
    event = services.life_event_record(
        actor=request.user,
        family=family,
        kind=payload.kind,
        occurred_on=payload.occurred_on,
        member=member,
        details=payload.details,
    )
    return Status(201, LifeEventOut.build(event))
