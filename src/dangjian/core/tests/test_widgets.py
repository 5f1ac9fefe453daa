"""The Python-rendered select: same markup as Django's, every value and label escaped."""

from __future__ import annotations

from django import forms

from dangjian.core.widgets import QuickSelect


def test_renders_like_a_select_with_the_choice_selected_and_text_escaped() -> None:
    widget = QuickSelect(
        attrs={"class": "form-select"},
        choices=[("", "全部党组织"), (7, "文学院<党委>"), ('x"y', "甲")],
    )
    html = widget.render("within", 7, attrs={"id": "id_within"})
    assert html.startswith('<select class="form-select" id="id_within" name="within">')
    assert '<option value="">全部党组织</option>' in html
    assert '<option value="7" selected>文学院&lt;党委&gt;</option>' in html
    assert '<option value="x&quot;y">甲</option>' in html
    assert html.endswith("</select>")
    assert html.count(" selected") == 1


def test_a_form_field_validates_as_before() -> None:
    class Form(forms.Form):
        within = forms.ChoiceField(choices=[("1", "甲"), ("2", "乙")], widget=QuickSelect)

    form = Form({"within": "2"})
    assert form.is_valid()
    assert 'value="2" selected' in str(form["within"])
    assert not Form({"within": "3"}).is_valid()
