from django import template

from kincare.core.money import format_yuan, format_yuan_cn
from kincare.core.pii import mask_account, mask_name, mask_phone, mask_resident_id

register = template.Library()


@register.filter
def yuan(amount_fen: int | None) -> str:
    return "" if amount_fen is None else format_yuan(amount_fen)


@register.filter
def yuan_cn(amount_fen: int | None) -> str:
    return "" if amount_fen is None else format_yuan_cn(amount_fen)


register.filter("mask_name", mask_name)
register.filter("mask_phone", mask_phone)
register.filter("mask_resident_id", mask_resident_id)
register.filter("mask_account", mask_account)
