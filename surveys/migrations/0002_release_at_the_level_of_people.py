"""Decide every closed wave's release again, at the level of people and one attribute at a time
(issue 10): releases stored before could be subtracted to read one person's answers. The tree stored
with each release is kept, so results keep the shape they had when the wave closed."""

from django.db import migrations

SEGMENT_ATTRIBUTES = ["work_pattern", "contract", "has_work_email", "grade_band"]


def decide_again(apps, schema_editor):
    from surveys import suppression

    Wave = apps.get_model("surveys", "Wave")
    Participation = apps.get_model("surveys", "Participation")
    Response = apps.get_model("surveys", "Response")
    Answer = apps.get_model("surveys", "Answer")
    for wave in Wave.objects.filter(status="closed").exclude(released=None):
        stored = wave.released
        attributes = stored["attributes"]
        commenters = set(Answer.objects.filter(response__wave=wave, question__type="text").exclude(text="")
                         .values_list("response_id", flat=True))
        wave.released = suppression.release_for(
            tree=suppression.Tree.from_json(stored["tree"]), attributes=attributes,
            invited=list(Participation.objects.filter(wave=wave).values("department_id", *SEGMENT_ATTRIBUTES)),
            responses=list(Response.objects.filter(wave=wave).values("pk", "department_id", *attributes)),
            commenters=commenters, n=stored["figures"]["n"], n_comments=stored["comments"]["n"],
            segment_attributes=SEGMENT_ATTRIBUTES)
        wave.save(update_fields=["released"])


class Migration(migrations.Migration):
    dependencies = [("surveys", "0001_initial")]
    operations = [migrations.RunPython(decide_again, migrations.RunPython.noop)]
