"""Staff answering surveys: the surveys open to them, one survey on one page, and the thank-you page.

Only the people a wave was sent to see it, and only once it has opened: anyone else gets 404, exactly as
for a wave that does not exist. A closed wave says so to those it was sent to. A partly answered survey
is saved in the browser (static/tandem/survey.mjs), never on the server; the pages below tell the script
which saved answers to keep.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.crypto import salted_hmac
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from surveys import services
from surveys.forms_answer import SurveyAnswerForm
from surveys.models import Participation, Wave
from surveys.selectors import answer_sheet_questions

# --- Reads (scoped to the signed-in person; they belong with surveys.selectors) ---------------------------


def _my_invitations(user):
    """The person's invitations to open waves, soonest closing first: survey, wave and whether answered."""
    return (Participation.objects.filter(profile__user=user, wave__status=Wave.Status.OPEN)
            .select_related("wave__survey").order_by("wave__closes_at", "wave_id"))


def _my_invitation(user, wave_id: int) -> Participation:
    """The person's invitation to a wave that has opened; 404 if there is none (not invited, not open
    yet, or no such wave), so a wave's existence is not revealed to people outside it."""
    return get_object_or_404(
        Participation.objects.select_related("wave__survey", "profile"),
        profile__user=user, wave_id=wave_id, wave__status__in=[Wave.Status.OPEN, Wave.Status.CLOSED],
    )


def _draft_owner(request) -> str:
    """Marks answers saved in a browser as this person's in this session, so on a shared device nobody
    else has them filled in, and they do not outlive the session (signing in again, or after an idle
    timeout, starts a new one): the script deletes every other owner's. Opaque: a keyed hash of the
    person and the session key, naming neither."""
    session = request.session.session_key or ""
    return salted_hmac("surveys.answering.draft-owner", f"{request.user.pk}:{session}").hexdigest()[:20]


# --- Pages ------------------------------------------------------------------------------------------------
# Never cached: on a shared device, Back after signing out must not bring someone's answers up again.


def _render(request, template, wave=None, *, status=200, **context):
    return render(request, f"surveys/answering/{template}",
                  {"wave": wave, "draft_owner": _draft_owner(request), **context}, status=status)


@require_GET
@login_required
@never_cache
def survey_list(request):
    invitations = list(_my_invitations(request.user))
    return _render(request, "list.html", to_answer=[p.wave for p in invitations if not p.responded],
                   answered=[p.wave for p in invitations if p.responded])


@require_http_methods(["GET", "POST"])
@login_required
@never_cache
def answer(request, wave_id):
    invitation = _my_invitation(request.user, wave_id)
    wave = invitation.wave
    posted = request.method == "POST"
    if wave.status == Wave.Status.CLOSED:
        return _render(request, "closed.html", wave, posted=posted, answered=invitation.responded)
    if invitation.responded:  # a replay, second tab or later visit: nothing more is recorded
        return _render(request, "already.html", wave, status=409 if posted else 200)
    form = SurveyAnswerForm(request.POST if posted else None, questions=answer_sheet_questions(wave.survey))
    if posted and form.is_valid():
        try:
            services.response_submit(profile=invitation.profile, wave=wave, answers=form.answers())
        except services.AlreadyResponded:  # a double click or second tab that got in first
            return _render(request, "already.html", wave, status=409)
        except services.WaveNotOpen:
            return _render(request, "closed.html", wave, posted=True)
        except services.NotInvited as error:
            raise Http404 from error
        return redirect("surveys:answer_thanks", wave_id=wave.pk)
    return _render(request, "answer.html", wave, form=form,
                   introduction=wave.survey.introduction_paragraphs())


@require_GET
@login_required
@never_cache
def thanks(request, wave_id):
    invitation = _my_invitation(request.user, wave_id)
    if not invitation.responded:
        return redirect("surveys:answer", wave_id=wave_id)
    return _render(request, "thanks.html", invitation.wave)


urlpatterns = [
    path("surveys/", survey_list, name="my_surveys"),
    path("surveys/<int:wave_id>/", answer, name="answer"),
    path("surveys/<int:wave_id>/thanks/", thanks, name="answer_thanks"),
]
