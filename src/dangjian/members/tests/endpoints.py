"""The member registry's web views in the permission matrix (API operations: api_endpoints).

Split by topic like the views: people and lifecycle pages, and transfers, self-service,
corrections and cadres, and the import pages.
"""

from dangjian.members.tests.endpoints_import import ENDPOINTS as IMPORTS
from dangjian.members.tests.endpoints_people import ENDPOINTS as PEOPLE
from dangjian.members.tests.endpoints_self import ENDPOINTS as SELF_SERVICE

ENDPOINTS = [*PEOPLE, *SELF_SERVICE, *IMPORTS]
