"""/api/v1/underwriting/: a product's health questionnaire (public: questions, no health data).

Answers are sent per insured member on an application
(``POST /api/v1/policies/applications/{id}/insured/{member_id}/answers``).
"""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from kincare.catalog import selectors as catalog_selectors
from kincare.underwriting.questions import questions_for
from kincare.underwriting.schemas import QuestionnaireOut, questions_out

router = Router(tags=["underwriting"])


@router.get(
    "/questionnaires/{product_code}",
    response=QuestionnaireOut,
    auth=None,
    summary="A product's health questions with each condition's follow-up fields",
)
def questionnaire_get(request: HttpRequest, product_code: str) -> QuestionnaireOut:
    """The questions in order (ending with "other"); each "yes" asks the condition's attributes.

    A product without a questionnaire (accident cover) answers an empty list; an unknown product 404.
    """
    product = catalog_selectors.product_get(user=request.user, code=product_code)
    code = product.questionnaire_code or None
    return QuestionnaireOut(product_code=product.code, questionnaire=code, questions=questions_out(questions_for(code)))
