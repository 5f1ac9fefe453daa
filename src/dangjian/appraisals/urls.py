"""URLs of appraisals: each views module lists its own patterns.

campaigns: campaigns, campaign_add, campaign <pk>, campaign_edit <pk>, campaign_phase <pk>
    (POST op=self_report|open|close|publish), campaign_delete <pk>
setup: subjects <pk>, subject_remove <pk> <subject>, voters <pk>, voter_remove <pk> <voter>,
    questions <pk>, question_edit <pk> <question>, question_delete <pk> <question>,
    codes <pk>, slips <pk>
voting: mine, vote <pk>, voted <pk>, verify <pk>, report <subject>, turnout <pk>,
    code (public), code_vote (public)
results: results <pk>, decide <pk>, results_export <pk> (?format=xlsx|docx), recount <pk>,
    publicity <pk>, appraised (subjects across campaigns; ?export=xlsx)
"""

from django.urls import URLPattern, URLResolver

from dangjian.appraisals.views import campaigns, results, setup, voting

app_name = "appraisals"
urlpatterns: list[URLPattern | URLResolver] = [
    *campaigns.urlpatterns,
    *setup.urlpatterns,
    *voting.urlpatterns,
    *results.urlpatterns,
]
