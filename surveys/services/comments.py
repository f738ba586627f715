"""HR moderating the comments shown with a survey's results."""


from django.db import transaction

from organisation.models import User
from organisation.services import audit_record
from surveys.models import Answer


@transaction.atomic
def comment_hide(*, actor: User, answer: Answer, hidden: bool = True) -> Answer:
    answer.hidden = hidden
    answer.save(update_fields=["hidden"])
    audit_record(actor=actor, action="survey comment hidden" if hidden else "survey comment shown again",
                 target=str(answer.question.survey), detail={"wave": answer.response.wave_id})
    return answer
